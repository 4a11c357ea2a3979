//! Opening the log and the write path.

use crate::chain;
use crate::error::{AuditError, Result};
use crate::types::*;
use crate::writer::{in_tx, Writer};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqlitePool};
use std::path::Path;
use std::time::Duration;

/// The page size of a new log. A generation's row (prompt, reasoning, answer, metadata) is
/// a few kilobytes, so at SQLite's default 4 KiB many spill into overflow pages that every
/// long scan (verify, export) reads and assembles again. 8 KiB: scans ~10% faster and the
/// file 14% smaller; 16 KiB gains little more on scans and costs the one-at-a-time write
/// path twice as much (each commit writes whole pages to the WAL). Measured in
/// `crates/audit/README.md`. An existing log keeps the page size it was created with
/// (changing it takes a `VACUUM`).
pub const NEW_PAGE_SIZE: u32 = 8 * 1024;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How to open the log. `AuditOptions::default()` is what [`AuditLog::open`] uses.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// How long a statement waits for another writer's lock before failing with
    /// [`AuditError::Locked`]. Default 5 s.
    pub busy_timeout: Duration,
    /// Open without write access: queries, verify and export work; writes fail with
    /// [`AuditError::ReadOnly`]; no migration or crash recovery runs.
    pub read_only: bool,
    /// Connections in the pool (readers run in parallel under WAL; writers queue).
    /// Default 4.
    pub max_connections: u32,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            busy_timeout: Duration::from_secs(5),
            read_only: false,
            max_connections: 4,
        }
    }
}

/// The audit log: one SQLite database. Cheap to clone (the pool is shared).
///
/// Reads go through a pool of sqlx connections; writes through one connection of their
/// own (see `writer.rs`).
#[derive(Debug, Clone)]
pub struct AuditLog {
    pub(crate) pool: SqlitePool,
    read_only: bool,
    /// `None` when read-only.
    writer: Option<Writer>,
    /// The scratch folder of [`AuditLog::open_in_memory`], removed with the last clone.
    _scratch: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// Running rows whose owner is a different process that is still alive belong to another
/// writer and are left alone; everything else left running was cut off by a crash or kill.
fn owner_is_alive_elsewhere(owner_pid: Option<i64>) -> bool {
    let Some(pid) = owner_pid else { return false };
    if pid == i64::from(std::process::id()) {
        return false;
    }
    // Only Linux tells us cheaply without `unsafe`; elsewhere assume the owner is gone,
    // which is right for the single-writer desktop app.
    cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists()
}

impl AuditLog {
    /// Opens (creating if missing) the database file at `path` with default options.
    ///
    /// The parent folder must exist: a missing one is [`AuditError::MissingDirectory`].
    /// Applies pending migrations, then marks generations left `running` by a crashed or
    /// killed process as `interrupted` (keeping their partial text) and chains them.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, AuditOptions::default()).await
    }

    /// [`open`](Self::open) with explicit options.
    pub async fn open_with(path: impl AsRef<Path>, options: AuditOptions) -> Result<Self> {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(AuditError::MissingDirectory {
                dir: dir.to_path_buf(),
            });
        }
        let mut connect = SqliteConnectOptions::new()
            .filename(path)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout)
            .read_only(options.read_only)
            .create_if_missing(!options.read_only)
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16384")
            // Rows travel from SQLite's worker thread in a bounded channel; the default (50)
            // makes the worker and the reader wake each other every few rows on long scans
            // (verify, export).
            .row_buffer_size(1024);
        if !options.read_only {
            connect = connect
                // Before the first table exists (it has no effect on an existing log):
                // see `NEW_PAGE_SIZE`.
                .page_size(NEW_PAGE_SIZE)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
        }
        // Processes that open the same new database at once contend for it (switching it to
        // WAL, migrating it), and SQLite can answer "busy" without waiting when waiting could
        // deadlock. Opening tries again for up to four busy timeouts before it gives up.
        let deadline = std::time::Instant::now() + options.busy_timeout * 4;
        loop {
            let opened = match SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                // A ping per acquire is a round trip to the worker thread on every call; a
                // local file has no network connection to go stale.
                .test_before_acquire(false)
                .connect_with(connect.clone())
                .await
            {
                Ok(pool) => Self::init(pool, path, &options, None).await,
                Err(e) => Err(AuditError::from_open(e, path)),
            };
            match opened {
                Err(e) if e.is_transient() && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
                other => return other,
            }
        }
    }

    /// A private, throw-away log for tests and dry runs: a database in a fresh temporary
    /// folder, removed when the last clone of the log is dropped. (A SQLite `:memory:`
    /// database is private to one connection, and the log writes on a connection of its
    /// own.)
    pub async fn open_in_memory() -> Result<Self> {
        let scratch = tempfile::Builder::new().prefix("warden-audit-").tempdir()?;
        let path = scratch.path().join("audit.db");
        let options = AuditOptions::default();
        let connect = SqliteConnectOptions::new()
            .filename(&path)
            .foreign_keys(true)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .test_before_acquire(false)
            .connect_with(connect)
            .await?;
        Self::init(pool, &path, &options, Some(std::sync::Arc::new(scratch))).await
    }

    async fn init(
        pool: SqlitePool,
        path: &Path,
        options: &AuditOptions,
        scratch: Option<std::sync::Arc<tempfile::TempDir>>,
    ) -> Result<Self> {
        let mut log = AuditLog {
            pool,
            read_only: options.read_only,
            writer: None,
            _scratch: scratch,
        };
        if !options.read_only {
            log.migrate().await?;
            log.writer = Some(Writer::open(path, options.busy_timeout)?);
            log.recover_interrupted().await?;
        }
        Ok(log)
    }

    /// Applies pending migrations. Processes that open a new database at the same moment race
    /// to migrate it (sqlx takes no lock on SQLite); each migration runs in its own transaction,
    /// so the loser fails cleanly with "already exists" and simply finds the work done when it
    /// looks again.
    async fn migrate(&self) -> Result<()> {
        let mut attempt = 0u64;
        loop {
            match MIGRATOR.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(25 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Indexes what is queued for full-text search, then closes the write connection and
    /// the pool, waiting for connections to finish (checkpoints the WAL). When it returns,
    /// no connection of this log has the file open: a compaction or a copy may follow.
    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        // sqlx 0.8 returns a released connection to the pool on a task of its own: it checks
        // that the pool is open, pings the connection, then puts it back as idle. `close` does
        // not wait for a return already past that check (it counts the idle connections it
        // closed as permits given back), so such a connection came back idle after `close`
        // and kept the file open; under load a compaction then failed `Locked` after waiting
        // 30 s (`tests/compact.rs`, 3 runs in 40 needed a second close, 10 to 27 ms later).
        // No connection can be taken from a closed pool: close again until none is left.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            self.pool.close().await;
            if self.pool.size() == 0 || std::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The write connection, or [`AuditError::ReadOnly`].
    pub(crate) fn writer(&self) -> Result<&Writer> {
        self.writer.as_ref().ok_or_else(read_only)
    }

    /// Adds every finalized generation still waiting for the full-text index to it, and
    /// returns how many. Writes do this on their own every few hundred generations and
    /// text searches before they run; call it to catch up after a bulk load.
    pub async fn index_pending(&self) -> Result<u64> {
        let w = self.writer()?.clone();
        w.clone().run_blocking(move |db| w.index_all(db)).await
    }

    /// Before a text search: indexes what is queued, so the search sees every finalized
    /// generation. A failure here (another writer holds the lock past the busy timeout, the
    /// disk is full) does not stop the search, which then sees the rows indexed so far. A
    /// read-only log cannot index: rows a writer queued and never indexed (it was killed
    /// first) are found once the log is opened for writing again.
    pub(crate) async fn index_for_search(&self, filter: &Filter) {
        let searching = filter.text.as_deref().and_then(crate::query::fts_query);
        if searching.is_some() && self.writer.is_some() {
            let _ = self.index_pending().await;
        }
    }

    /// Whether this log was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub(crate) async fn conn(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// Marks generations left running by a dead process as interrupted and chains them.
    /// Returns how many. Runs on open; safe to call again.
    pub async fn recover_interrupted(&self) -> Result<u64> {
        let candidates: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, owner_pid FROM generations WHERE status = 'running' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        if candidates
            .iter()
            .all(|(_, pid)| owner_is_alive_elsewhere(*pid))
        {
            return Ok(0);
        }
        let w = self.writer()?;
        let now = now_ms();
        w.run(move |db| {
            in_tx(db, |tx| {
                let mut n = 0;
                for &(id, pid) in &candidates {
                    if owner_is_alive_elsewhere(pid) {
                        continue;
                    }
                    let done = tx
                        .prepare_cached(
                            "UPDATE generations SET status = 'interrupted', finished_at = ?, \
                             stop_reason = COALESCE(stop_reason, 'interrupted'), \
                             error = COALESCE(error, \
                             'the process ended before the generation finished') \
                             WHERE id = ? AND status = 'running'",
                        )?
                        .execute(rusqlite::params![now, id])?;
                    if done == 1 {
                        chain::append_generation_raw(tx, id, now)?;
                        n += 1;
                    }
                }
                Ok(n)
            })
        })
        .await
        .inspect(|&n| w.queued(n))
    }

    /// Starts a conversation and returns its id.
    pub async fn create_conversation(&self, title: &str) -> Result<i64> {
        if self.read_only {
            return Err(read_only());
        }
        let now = now_ms();
        Ok(sqlx::query(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
        )
        .bind(title)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?
        .last_insert_rowid())
    }

    /// The most recently active conversations, newest first.
    pub async fn list_conversations(&self, limit: u32) -> Result<Vec<ConversationSummary>> {
        let rows = sqlx::query(
            "SELECT c.id, c.title, c.created_at, c.updated_at, \
             (SELECT count(*) FROM generations g WHERE g.conversation_id = c.id) \
             FROM conversations c ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConversationSummary {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    updated_at: r.try_get(3)?,
                    turns: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// The turns of one conversation in order. [`AuditError::NotFound`] if it does not exist.
    pub async fn conversation_messages(&self, id: i64) -> Result<Vec<ConversationTurn>> {
        let mut conn = self.conn().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            return Err(AuditError::NotFound {
                what: "conversation",
                id,
            });
        }
        let rows = sqlx::query(
            "SELECT id, turn_index, prompt, reasoning, answer, status, created_at \
             FROM generations WHERE conversation_id = ? ORDER BY turn_index, id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConversationTurn {
                    generation_id: GenerationId(r.try_get(0)?),
                    turn_index: r.try_get(1)?,
                    prompt: r.try_get(2)?,
                    reasoning: r.try_get(3)?,
                    answer: r.try_get(4)?,
                    status: r.try_get::<String, _>(5)?.parse()?,
                    created_at: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Opens a generation record with status `running`. Call it before decoding starts: if
    /// it fails, don't generate (fail closed: nothing runs unrecorded).
    pub async fn begin_generation(&self, new: NewGeneration) -> Result<GenerationId> {
        let now = now_ms();
        self.writer()?
            .run(move |db| {
                if new.conversation_id.is_none() {
                    // A single INSERT is atomic on its own and does not touch the chain, so
                    // it needs no write lock taken up front.
                    return begin_generation_raw(db, &new, now);
                }
                in_tx(db, |tx| begin_generation_raw(tx, &new, now))
            })
            .await
    }

    /// Records one guard finding on a running generation.
    pub async fn record_guard_event(&self, id: GenerationId, event: NewGuardEvent) -> Result<i64> {
        let now = now_ms();
        self.writer()?
            .run(move |db| {
                let spans = spans_json(&event.spans);
                let n = db
                    .prepare_cached(
                        "INSERT INTO guard_events (generation_id, stage, scanner, category, \
                         score, action, spans, policy_version, created_at) \
                         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS \
                         (SELECT 1 FROM generations WHERE id = ? AND status = 'running')",
                    )?
                    .execute(rusqlite::params![
                        id.0,
                        event.stage.as_str(),
                        event.scanner,
                        event.category,
                        event.score,
                        event.action.as_str(),
                        spans,
                        event.policy_version,
                        now,
                        id.0
                    ])?;
                if n == 0 {
                    return Err(not_running_raw(db, id, "record a guard event on"));
                }
                Ok(db.last_insert_rowid())
            })
            .await
    }

    /// Saves the text streamed so far, so a crash keeps it. One cheap UPDATE; call it
    /// every few hundred milliseconds while streaming, not per token.
    pub async fn save_partial(
        &self,
        id: GenerationId,
        reasoning: &str,
        answer: &str,
    ) -> Result<()> {
        let (reasoning, answer) = (reasoning.to_owned(), answer.to_owned());
        self.writer()?
            .run(move |db| {
                let n = db
                    .prepare_cached(
                        "UPDATE generations SET reasoning = ?, answer = ? \
                         WHERE id = ? AND status = 'running'",
                    )?
                    .execute(rusqlite::params![reasoning, answer, id.0])?;
                if n == 0 {
                    return Err(not_running_raw(db, id, "save text of"));
                }
                Ok(())
            })
            .await
    }

    /// Finalizes a running generation and appends it to the hash chain, in one
    /// transaction: either both happen or neither does.
    pub async fn finish_generation(&self, id: GenerationId, finish: Finish) -> Result<ChainHead> {
        if finish.status == Status::Running {
            return Err(AuditError::InvalidState(
                "finish_generation needs a final status, not running".into(),
            ));
        }
        // The job waits for another writer's lock on a blocking thread, not on this one,
        // which may be the thread that writer's task needs to finish (one runtime thread,
        // two logs on one file).
        let w = self.writer()?;
        let now = now_ms();
        w.run(move |db| in_tx(db, |tx| finish_generation_raw(tx, id, &finish, now)))
            .await
            .inspect(|_| w.queued(1))
    }

    /// Records a user's flag on a generation (chained). Returns the review row's id.
    pub async fn flag(&self, id: GenerationId, reason: &str) -> Result<i64> {
        let (reason, now) = (reason.to_owned(), now_ms());
        self.writer()?
            .run(move |db| in_tx(db, |tx| flag_raw(tx, id, &reason, now)))
            .await
    }

    /// Records a reviewer's verdict on a generation (chained). Returns the review row's id.
    pub async fn review(&self, id: GenerationId, input: ReviewInput) -> Result<i64> {
        let now = now_ms();
        self.writer()?
            .run(move |db| in_tx(db, |tx| review_raw(tx, id, &input, now)))
            .await
    }
}

fn read_only() -> AuditError {
    AuditError::ReadOnly {
        message: "the audit log was opened read-only".into(),
    }
}

pub(crate) fn spans_json(spans: &[(usize, usize)]) -> String {
    let spans: Vec<Span> = spans
        .iter()
        .map(|&(start, end)| Span { start, end })
        .collect();
    serde_json::to_string(&spans).unwrap_or_else(|_| "[]".into())
}

/// The error for a write that found no running generation `id`: not found, or finalized.
fn not_running_raw(db: &rusqlite::Connection, id: GenerationId, what: &str) -> AuditError {
    use rusqlite::OptionalExtension;
    let status: rusqlite::Result<Option<String>> = db
        .prepare_cached("SELECT status FROM generations WHERE id = ?")
        .and_then(|mut s| s.query_row([id.0], |r| r.get(0)).optional());
    match status {
        Ok(None) => AuditError::NotFound {
            what: "generation",
            id: id.0,
        },
        Ok(Some(status)) => AuditError::InvalidState(format!(
            "cannot {what} generation {id}: it is already {status} (finalized rows are immutable)"
        )),
        Err(e) => e.into(),
    }
}

fn begin_generation_raw(
    db: &rusqlite::Connection,
    new: &NewGeneration,
    now: i64,
) -> Result<GenerationId> {
    if let Some(cid) = new.conversation_id {
        let touched = db
            .prepare_cached("UPDATE conversations SET updated_at = ? WHERE id = ?")?
            .execute(rusqlite::params![now, cid])?;
        if touched == 0 {
            return Err(AuditError::NotFound {
                what: "conversation",
                id: cid,
            });
        }
    }
    db.prepare_cached(
        "INSERT INTO generations (conversation_id, turn_index, prompt, rendered_prompt_hash, \
         model_name, model_sha256, model_meta, settings, app_version, owner_pid, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        new.conversation_id,
        new.turn_index,
        new.prompt,
        new.rendered_prompt_hash,
        new.model_name,
        new.model_sha256,
        serde_json::to_string(&new.model_meta)?,
        serde_json::to_string(&new.settings)?,
        new.app_version,
        i64::from(std::process::id()),
        now
    ])?;
    Ok(GenerationId(db.last_insert_rowid()))
}

/// Finalizes running generation `id` and appends it to the chain, inside the caller's
/// write transaction on the write connection.
fn finish_generation_raw(
    db: &rusqlite::Connection,
    id: GenerationId,
    f: &Finish,
    now: i64,
) -> Result<ChainHead> {
    let updated = db
        .prepare_cached(
            "UPDATE generations SET status = ?, stop_reason = ?, reasoning = ?, answer = ?, \
             prompt_tokens = ?, completion_tokens = ?, ttft_ms = ?, prompt_tps = ?, \
             gen_tps = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
        )?
        .execute(rusqlite::params![
            f.status.as_str(),
            f.stop_reason,
            f.reasoning,
            f.answer,
            f.prompt_tokens,
            f.completion_tokens,
            f.ttft_ms,
            f.prompt_tps,
            f.gen_tps,
            f.error,
            now,
            id.0
        ])?;
    if updated == 0 {
        return Err(not_running_raw(db, id, "finish"));
    }
    chain::append_generation_raw(db, id.0, now)
}

fn ensure_generation(db: &rusqlite::Connection, id: GenerationId) -> Result<()> {
    use rusqlite::OptionalExtension;
    db.prepare_cached("SELECT id FROM generations WHERE id = ?")?
        .query_row([id.0], |r| r.get::<_, i64>(0))
        .optional()?
        .map(|_| ())
        .ok_or(AuditError::NotFound {
            what: "generation",
            id: id.0,
        })
}

/// Records a flag inside the caller's write transaction on the write connection.
fn flag_raw(db: &rusqlite::Connection, id: GenerationId, reason: &str, now: i64) -> Result<i64> {
    ensure_generation(db, id)?;
    db.prepare_cached(
        "INSERT INTO reviews (generation_id, kind, flag_reason, created_at) \
         VALUES (?, 'flag', ?, ?)",
    )?
    .execute(rusqlite::params![id.0, reason, now])?;
    let review = db.last_insert_rowid();
    db.prepare_cached("UPDATE generations SET flagged = 1 WHERE id = ?")?
        .execute([id.0])?;
    chain::append_review_raw(db, review, now)?;
    Ok(review)
}

/// Records a verdict inside the caller's write transaction on the write connection.
fn review_raw(
    db: &rusqlite::Connection,
    id: GenerationId,
    input: &ReviewInput,
    now: i64,
) -> Result<i64> {
    ensure_generation(db, id)?;
    db.prepare_cached(
        "INSERT INTO reviews (generation_id, kind, status, note, corrected_answer, reviewer, \
         created_at) VALUES (?, 'review', ?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        id.0,
        input.status.as_str(),
        input.note,
        input.corrected_answer,
        input.reviewer,
        now
    ])?;
    let review = db.last_insert_rowid();
    db.prepare_cached("UPDATE generations SET review_status = ?, last_review_id = ? WHERE id = ?")?
        .execute(rusqlite::params![input.status.as_str(), review, id.0])?;
    chain::append_review_raw(db, review, now)?;
    Ok(review)
}
