//! The write connection, and the full-text indexer that runs behind it.
//!
//! Every write (open a generation, record a guard event, save partial text, finish, flag,
//! review, prune) is one job on one `rusqlite` connection that lives as long as the log.
//! Through sqlx each *statement* was a hand-off to the connection's worker thread and back,
//! and each `with_raw` view started with an empty statement cache; here a short job runs on
//! the caller's thread when nothing holds the lock (see [`Writer::run`]), its statements
//! come prepared from the connection's cache, and the page cache stays warm between writes.
//! A job that must wait for another writer's lock waits on a blocking thread, never on the
//! runtime's, so a task that holds that lock on the same runtime still gets to release it.
//!
//! Finalized rows are queued for the full-text index by a trigger (migration
//! `20261129000003_deferred_fts`) and indexed here in batches: after
//! [`INDEX_AFTER`] finished generations, before a text search, and on close.
//!
//! WAL checkpoints (copying committed pages from the WAL into the database file, with an
//! fsync) run on a thread of their own, so a write never waits for one: SQLite's automatic
//! checkpoint runs inside the commit that crosses 1,000 WAL pages, and on a 1M-generation
//! log that was a third of a bulk load's time. The writer's WAL hook wakes the thread
//! instead; if the thread falls far behind, the writer checkpoints itself as before, once
//! the thread's pass in progress has ended.

use crate::error::{AuditError, Result};
use rusqlite::{ffi, Connection, OpenFlags, TransactionBehavior};
use std::os::raw::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, TryLockError};
use std::time::Duration;

/// Finished generations that may wait for the full-text index before a write indexes
/// them. A batch of this size costs ~20 ms on the 2-core dev VM, once per this many
/// generations; a text search indexes whatever is queued first, so results are complete.
const INDEX_AFTER: u64 = 256;

/// Queued rows indexed per transaction when catching up (other writers wait at most one
/// batch, ~70 ms).
const INDEX_BATCH: u64 = 1_000;

/// WAL pages after which a commit wakes the checkpointer (SQLite's own default for its
/// automatic checkpoint, ~4 MB).
const CHECKPOINT_AFTER: c_int = 1_000;

/// WAL size after which the writer checkpoints itself: the checkpointer is not keeping up
/// (or could not start), and the WAL must not grow without bound. In bytes, not pages: a
/// log made since [`crate::NEW_PAGE_SIZE`] has 8 KiB pages, and 16,000 of them let the WAL
/// reach 128 MiB where a disk's fsync is slower than a commit (every pass of the thread
/// then ends behind the next commit, so the WAL never starts over).
const CHECKPOINT_HERE_AFTER_BYTES: i64 = 64 << 20;

/// The write connection with what its WAL hook points to. Fields drop in order: the
/// connection (and with it the hook) before the state the hook reads.
#[derive(Debug)]
struct Conn {
    db: Connection,
    checkpoints: Option<Arc<Checkpoints>>,
    /// The checkpointer thread, joined by [`Writer::close`] (so its connection is closed
    /// when `close` returns: a `VACUUM` or a copy of the file may follow at once).
    checkpointer: Option<std::thread::JoinHandle<()>>,
}

/// Shared by the write connection's WAL hook and the checkpointer thread.
#[derive(Debug, Default)]
struct Checkpoints {
    due: Mutex<bool>,
    wake: Condvar,
    /// Set by [`Writer::close`]: the thread ends at its next wake-up.
    stop: std::sync::atomic::AtomicBool,
    /// Held through every checkpoint of this log's: the thread's passes, and the writer's
    /// own past [`CHECKPOINT_HERE_AFTER_BYTES`], which waits for a pass in progress instead of
    /// finding SQLite's checkpoint lock taken and giving up (a passive checkpoint does not
    /// wait): on a busy machine a slow pass then let the WAL outgrow its bound commit after
    /// commit.
    running: Mutex<()>,
    /// [`CHECKPOINT_HERE_AFTER_BYTES`] in this database's pages.
    here_after: c_int,
}

impl Checkpoints {
    fn request(&self) {
        *self.due.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_one();
    }
}

/// SQLite calls this after every commit on the write connection, with the WAL's size in
/// pages. It must not unwind (a C frame is above it) and nothing in it can panic.
#[allow(unsafe_code)]
unsafe extern "C" fn wal_committed(
    arg: *mut c_void,
    db: *mut ffi::sqlite3,
    _schema: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: `arg` is `Arc::as_ptr` of the `Checkpoints` held by the `Conn` that owns this
    // connection, which drops the connection (and so unhooks) before that `Arc`.
    let checkpoints = unsafe { &*(arg as *const Checkpoints) };
    if pages >= checkpoints.here_after {
        // The thread's pass in progress ends first; then nothing of this process appends
        // while this one runs, so it copies every frame and the next write restarts the WAL.
        let _running = checkpoints
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // SAFETY: `db` is the connection SQLite is calling back for; checkpointing from the
        // WAL hook is what SQLite's own automatic checkpoint does.
        unsafe {
            ffi::sqlite3_wal_checkpoint_v2(
                db,
                std::ptr::null(),
                ffi::SQLITE_CHECKPOINT_PASSIVE,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
        }
    } else if pages >= CHECKPOINT_AFTER {
        checkpoints.request();
    }
    ffi::SQLITE_OK
}

/// Starts the checkpointer for the database at `path` and hooks `db`'s commits to it.
/// Returns `None` (SQLite's automatic checkpoint stays) if the thread cannot start.
fn start_checkpointer(
    db: &Connection,
    path: PathBuf,
) -> Option<(Arc<Checkpoints>, std::thread::JoinHandle<()>)> {
    let page_size: i64 = db
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap_or(4096);
    let checkpoints = Arc::new(Checkpoints {
        here_after: c_int::try_from(CHECKPOINT_HERE_AFTER_BYTES / page_size.max(512))
            .unwrap_or(c_int::MAX),
        ..Checkpoints::default()
    });
    let theirs = Arc::clone(&checkpoints);
    let thread = std::thread::Builder::new()
        .name("warden-checkpoint".into())
        .spawn(move || checkpoint_loop(&path, &theirs))
        .ok()?;
    #[allow(unsafe_code)]
    // SAFETY: `db.handle()` is the live connection, used on this thread only while the
    // caller holds it. The hook's argument outlives the connection: see `Conn`.
    unsafe {
        ffi::sqlite3_wal_hook(
            db.handle(),
            Some(wal_committed),
            Arc::as_ptr(&checkpoints) as *mut c_void,
        );
    }
    Some((checkpoints, thread))
}

/// Copies committed WAL pages into the database whenever the writer asks, on a connection
/// of its own. A passive checkpoint never waits for a lock, and the writer keeps appending
/// meanwhile. Ends when the write connection is gone (only this thread holds the state).
fn checkpoint_loop(path: &Path, checkpoints: &Arc<Checkpoints>) {
    let Ok(db) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return;
    };
    let _ = db.execute_batch("PRAGMA synchronous = NORMAL;");
    loop {
        let mut due = checkpoints
            .due
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !*due {
            if Arc::strong_count(checkpoints) == 1 || checkpoints.stop.load(Ordering::Relaxed) {
                return;
            }
            due = checkpoints
                .wake
                .wait_timeout(due, Duration::from_millis(500))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *due = false;
        drop(due);
        let _running = checkpoints
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let _ = db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// The log's write connection (absent on a read-only log).
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    conn: Arc<Mutex<Option<Conn>>>,
    busy_timeout: Duration,
    /// Rows this process queued for the index since it last indexed (a hint: another
    /// process may have queued or indexed some; the indexer always reads the queue).
    queued: Arc<AtomicU64>,
}

impl Writer {
    /// Opens the write connection on a database that is already migrated and in WAL mode.
    pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<Self> {
        let db = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        db.busy_timeout(busy_timeout)?;
        db.set_prepared_statement_cache_capacity(64);
        db.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
        )?;
        let queued: i64 = db.query_row("SELECT count(*) FROM fts_pending", [], |r| r.get(0))?;
        let (checkpoints, checkpointer) = match start_checkpointer(&db, path.to_path_buf()) {
            Some((c, t)) => (Some(c), Some(t)),
            None => (None, None),
        };
        Ok(Writer {
            conn: Arc::new(Mutex::new(Some(Conn {
                db,
                checkpoints,
                checkpointer,
            }))),
            busy_timeout,
            queued: Arc::new(AtomicU64::new(queued.max(0) as u64)),
        })
    }

    /// Runs a short write `job` (one transaction or one statement) on the write connection.
    ///
    /// When the connection is free it runs right here, with SQLite told not to wait for
    /// locks: a chat turn's writes take ~0.1 ms each, and a trip to another thread and back
    /// cost more than that. If another writer holds the lock, SQLite answers "busy" at the
    /// job's first write, before it changed anything (a failed statement or transaction is
    /// rolled back whole), and the job runs again on a blocking thread, which waits up to
    /// the busy timeout: a lock wait never blocks the caller's thread, which may be the one
    /// the lock holder needs to finish (one runtime thread, two logs on one file).
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        mut job: impl FnMut(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if let Some(done) = self.try_now(&mut job) {
            return done;
        }
        self.run_blocking(job).await
    }

    /// The job's outcome if it could run here without waiting; `None` if the connection or
    /// the database's write lock is busy.
    fn try_now<T>(&self, job: &mut impl FnMut(&mut Connection) -> Result<T>) -> Option<Result<T>> {
        let mut guard = match self.conn.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        let Some(Conn { db, .. }) = guard.as_mut() else {
            return Some(Err(closed()));
        };
        let attempt = (|| {
            reset(db)?;
            db.busy_timeout(Duration::ZERO)?;
            let out = job(db);
            db.busy_timeout(self.busy_timeout)?;
            out
        })();
        match attempt {
            Err(e) if e.is_transient() => None,
            done => Some(done),
        }
    }

    /// Runs `job` on the write connection on a blocking thread (long jobs: indexing, bulk
    /// loads; and short ones that must wait for a lock).
    pub(crate) async fn run_blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.spawn(job).await
    }

    /// [`run_blocking`](Self::run_blocking), started now: the job is on its way before
    /// the returned future is first polled, so the caller can prepare the next one
    /// meanwhile (or drop the future and let it finish on its own).
    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
        let conn = Arc::clone(&self.conn);
        let handle = tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let db = &mut guard.as_mut().ok_or_else(closed)?.db;
            reset(db)?;
            job(db)
        });
        async move {
            handle
                .await
                .map_err(|e| AuditError::InvalidState(format!("the audit write failed: {e}")))?
        }
    }

    /// Notes that `n` more finalized rows were queued for the full-text index; once
    /// [`INDEX_AFTER`] have piled up, indexes them on a blocking thread in the background.
    /// A failure there fails no write: the rows stay queued for the next try.
    pub(crate) fn queued(&self, n: u64) {
        let now = self.queued.fetch_add(n, Ordering::Relaxed) + n;
        if now >= INDEX_AFTER && self.queued.swap(0, Ordering::Relaxed) >= INDEX_AFTER {
            let this = self.clone();
            drop(self.spawn(move |db| this.index_all(db)));
        }
    }

    /// Indexes every queued row, a batch per transaction. Returns how many. With nothing
    /// queued it only reads: no write lock taken, no transaction.
    pub(crate) fn index_all(&self, db: &mut Connection) -> Result<u64> {
        let queued: bool = db
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM fts_pending)")?
            .query_row([], |r| r.get(0))?;
        if !queued {
            self.queued.store(0, Ordering::Relaxed);
            return Ok(0);
        }
        let mut total = 0;
        loop {
            let n = index_batch(db, INDEX_BATCH)?;
            total += n;
            if n < INDEX_BATCH {
                self.queued.store(0, Ordering::Relaxed);
                return Ok(total);
            }
        }
    }

    /// Indexes what is queued and closes the connection; later writes fail as closed.
    pub(crate) async fn close(&self) {
        let conn = Arc::clone(&self.conn);
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(mut conn) = guard.take() {
                if reset(&conn.db).is_ok() {
                    let _ = this.index_all(&mut conn.db);
                }
                let checkpoints = conn.checkpoints.clone();
                let checkpointer = conn.checkpointer.take();
                drop(conn);
                // The write connection is gone: stop the checkpointer and wait for it to
                // close its own connection.
                if let Some(c) = checkpoints {
                    // Under the lock the thread checks `stop` with: the wake-up is not lost.
                    let due = c.due.lock().unwrap_or_else(PoisonError::into_inner);
                    c.stop.store(true, Ordering::Relaxed);
                    drop(due);
                    c.wake.notify_one();
                }
                if let Some(t) = checkpointer {
                    let _ = t.join();
                }
            }
        })
        .await;
    }
}

/// Rolls back a transaction a job left open (it panicked), so the next job starts clean.
fn reset(db: &Connection) -> Result<()> {
    if !db.is_autocommit() {
        db.execute_batch("ROLLBACK")?;
    }
    Ok(())
}

fn closed() -> AuditError {
    AuditError::InvalidState("the audit log is closed".into())
}

/// A write transaction that takes the write lock up front (`BEGIN IMMEDIATE`): the chain
/// head read inside it cannot move before the commit, and a busy database fails here,
/// before any work.
pub(crate) fn write_tx(db: &mut Connection) -> Result<rusqlite::Transaction<'_>> {
    Ok(db.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Runs `f` inside a write transaction ([`write_tx`]) and commits if it succeeds; an error
/// rolls the transaction back whole.
pub(crate) fn in_tx<T>(db: &mut Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let tx = write_tx(db)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Indexes up to `limit` queued rows, oldest id first, in one transaction. Returns how
/// many left the queue.
fn index_batch(db: &mut Connection, limit: u64) -> Result<u64> {
    in_tx(db, |tx| {
        let last: Option<i64> = tx
            .prepare_cached(
                "SELECT max(generation_id) FROM \
                 (SELECT generation_id FROM fts_pending ORDER BY generation_id LIMIT ?)",
            )?
            .query_row([limit as i64], |r| r.get(0))?;
        let Some(last) = last else {
            return Ok(0);
        };
        tx.prepare_cached(
            "INSERT INTO generations_fts (rowid, prompt, answer, reasoning) \
             SELECT g.id, g.prompt, g.answer, g.reasoning \
             FROM fts_pending p JOIN generations g ON g.id = p.generation_id \
             WHERE p.generation_id <= ? ORDER BY p.generation_id",
        )?
        .execute([last])?;
        let n = tx
            .prepare_cached("DELETE FROM fts_pending WHERE generation_id <= ?")?
            .execute([last])?;
        Ok(n as u64)
    })
}
