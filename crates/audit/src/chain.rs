//! The hash chain: canonical content hashes, appending, verifying and pruning.
//!
//! Entry `n` stores `content_hash` (SHA-256 of the canonical JSON of its row, guard events
//! included for a generation), `prev_hash` (entry `n-1`'s hash) and
//! `hash = SHA-256("warden-audit/v1\n{seq}\n{kind}\n{ref_id}\n{content_hash}\n{prev_hash}")`.
//! The canonical JSON is serialized from dedicated structs with a fixed field order and
//! hashes JSON columns as their stored text, so it does not change when the public types do.

use crate::error::{AuditError, Result};
use crate::pipeline;
use crate::record::{self, Cols, EventRow, GenRef, GenRow, ReviewRow};
use crate::scan;
use crate::types::*;
use crate::AuditLog;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Serialize)]
struct CanonEvent<'a> {
    id: i64,
    stage: &'a str,
    scanner: &'a str,
    category: &'a str,
    score: f64,
    action: &'a str,
    spans: &'a str,
    policy_version: &'a str,
    created_at: i64,
}

#[derive(Serialize)]
struct CanonGeneration<'a> {
    v: u32,
    id: i64,
    conversation_id: Option<i64>,
    turn_index: i64,
    prompt: &'a str,
    rendered_prompt_hash: &'a str,
    model_name: &'a str,
    model_sha256: Option<&'a str>,
    model_meta: &'a str,
    settings: &'a str,
    reasoning: &'a str,
    answer: &'a str,
    status: &'a str,
    stop_reason: Option<&'a str>,
    prompt_tokens: Option<i64>,
    completion_tokens: Option<i64>,
    ttft_ms: Option<f64>,
    prompt_tps: Option<f64>,
    gen_tps: Option<f64>,
    error: Option<&'a str>,
    app_version: &'a str,
    created_at: i64,
    finished_at: Option<i64>,
    guard_events: Vec<CanonEvent<'a>>,
}

#[derive(Serialize)]
struct CanonReview<'a> {
    v: u32,
    id: i64,
    generation_id: i64,
    kind: &'a str,
    flag_reason: Option<&'a str>,
    status: Option<&'a str>,
    note: Option<&'a str>,
    corrected_answer: Option<&'a str>,
    reviewer: Option<&'a str>,
    created_at: i64,
}

#[derive(Serialize)]
struct CanonCheckpoint<'a> {
    v: u32,
    id: i64,
    through_seq: i64,
    last_hash: &'a str,
    pruned_generations: i64,
    older_than: i64,
    created_at: i64,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a value's JSON (reviews and checkpoints; a generation writes its own, see
/// [`CanonGeneration::write_json`]).
fn sha256_json<T: Serialize>(value: &T) -> String {
    let mut buf = Vec::with_capacity(1024);
    // Serializing plain structs of strings and numbers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut buf, value);
    sha256_hex(&buf)
}

impl CanonEvent<'_> {
    /// What `serde_json` writes for this event (see [`crate::canon_json`]).
    fn write_json(&self, out: &mut Vec<u8>) {
        use crate::canon_json::{float, int, str, Obj};
        let mut o = Obj::new(out);
        int(o.field("id"), self.id);
        str(o.field("stage"), self.stage);
        str(o.field("scanner"), self.scanner);
        str(o.field("category"), self.category);
        float(o.field("score"), self.score);
        str(o.field("action"), self.action);
        str(o.field("spans"), self.spans);
        str(o.field("policy_version"), self.policy_version);
        int(o.field("created_at"), self.created_at);
        o.end();
    }
}

impl CanonGeneration<'_> {
    /// What `serde_json` writes for this generation, field by field in declaration order,
    /// with the long strings escaped by [`crate::canon_json::str`] (a test compares the two).
    fn write_json(&self, out: &mut Vec<u8>) {
        use crate::canon_json::{int, opt_float, opt_int, opt_str, str, Obj};
        let g = self;
        let mut o = Obj::new(out);
        int(o.field("v"), i64::from(g.v));
        int(o.field("id"), g.id);
        opt_int(o.field("conversation_id"), g.conversation_id);
        int(o.field("turn_index"), g.turn_index);
        str(o.field("prompt"), g.prompt);
        str(o.field("rendered_prompt_hash"), g.rendered_prompt_hash);
        str(o.field("model_name"), g.model_name);
        opt_str(o.field("model_sha256"), g.model_sha256);
        str(o.field("model_meta"), g.model_meta);
        str(o.field("settings"), g.settings);
        str(o.field("reasoning"), g.reasoning);
        str(o.field("answer"), g.answer);
        str(o.field("status"), g.status);
        opt_str(o.field("stop_reason"), g.stop_reason);
        opt_int(o.field("prompt_tokens"), g.prompt_tokens);
        opt_int(o.field("completion_tokens"), g.completion_tokens);
        opt_float(o.field("ttft_ms"), g.ttft_ms);
        opt_float(o.field("prompt_tps"), g.prompt_tps);
        opt_float(o.field("gen_tps"), g.gen_tps);
        opt_str(o.field("error"), g.error);
        str(o.field("app_version"), g.app_version);
        int(o.field("created_at"), g.created_at);
        opt_int(o.field("finished_at"), g.finished_at);
        let events = o.field("guard_events");
        events.push(b'[');
        for (i, e) in g.guard_events.iter().enumerate() {
            if i > 0 {
                events.push(b',');
            }
            e.write_json(events);
        }
        events.push(b']');
        o.end();
    }

    /// The content hash: SHA-256 of [`write_json`](Self::write_json), serialized into `buf`
    /// (reused across rows by verify).
    fn hash_in(&self, buf: &mut Vec<u8>) -> String {
        buf.clear();
        self.write_json(buf);
        sha256_hex(buf)
    }
}

pub(crate) fn generation_content_hash(g: &GenRow, events: &[EventRow]) -> String {
    let canon = CanonGeneration {
        v: 1,
        id: g.id,
        conversation_id: g.conversation_id,
        turn_index: g.turn_index,
        prompt: &g.prompt,
        rendered_prompt_hash: &g.rendered_prompt_hash,
        model_name: &g.model_name,
        model_sha256: g.model_sha256.as_deref(),
        model_meta: &g.model_meta,
        settings: &g.settings,
        reasoning: &g.reasoning,
        answer: &g.answer,
        status: &g.status,
        stop_reason: g.stop_reason.as_deref(),
        prompt_tokens: g.prompt_tokens,
        completion_tokens: g.completion_tokens,
        ttft_ms: g.ttft_ms,
        prompt_tps: g.prompt_tps,
        gen_tps: g.gen_tps,
        error: g.error.as_deref(),
        app_version: &g.app_version,
        created_at: g.created_at,
        finished_at: g.finished_at,
        guard_events: events
            .iter()
            .map(|e| CanonEvent {
                id: e.id,
                stage: &e.stage,
                scanner: &e.scanner,
                category: &e.category,
                score: e.score,
                action: &e.action,
                spans: &e.spans,
                policy_version: &e.policy_version,
                created_at: e.created_at,
            })
            .collect(),
    };
    canon.hash_in(&mut Vec::with_capacity(4096))
}

pub(crate) fn review_content_hash(r: &ReviewRow) -> String {
    let canon = CanonReview {
        v: 1,
        id: r.id,
        generation_id: r.generation_id,
        kind: &r.kind,
        flag_reason: r.flag_reason.as_deref(),
        status: r.status.as_deref(),
        note: r.note.as_deref(),
        corrected_answer: r.corrected_answer.as_deref(),
        reviewer: r.reviewer.as_deref(),
        created_at: r.created_at,
    };
    sha256_json(&canon)
}

/// The same canonical form as [`generation_content_hash`], borrowed.
fn canon_generation<'a>(g: &GenRef<'a>, guard_events: Vec<CanonEvent<'a>>) -> CanonGeneration<'a> {
    CanonGeneration {
        v: 1,
        id: g.id,
        conversation_id: g.conversation_id,
        turn_index: g.turn_index,
        prompt: g.prompt,
        rendered_prompt_hash: g.rendered_prompt_hash,
        model_name: g.model_name,
        model_sha256: g.model_sha256,
        model_meta: g.model_meta,
        settings: g.settings,
        reasoning: g.reasoning,
        answer: g.answer,
        status: g.status,
        stop_reason: g.stop_reason,
        prompt_tokens: g.prompt_tokens,
        completion_tokens: g.completion_tokens,
        ttft_ms: g.ttft_ms,
        prompt_tps: g.prompt_tps,
        gen_tps: g.gen_tps,
        error: g.error,
        app_version: g.app_version,
        created_at: g.created_at,
        finished_at: g.finished_at,
        guard_events,
    }
}

/// Columns of `chain_checkpoints` in [`CheckpointRow::from_row`]'s order.
const CHECKPOINT_COLS: &str =
    "id, through_seq, last_hash, pruned_generations, older_than, created_at";

#[derive(Debug, Clone)]
pub(crate) struct CheckpointRow {
    id: i64,
    through_seq: i64,
    last_hash: String,
    pruned_generations: i64,
    older_than: i64,
    created_at: i64,
}

impl CheckpointRow {
    fn from_row<R: Cols>(r: &R) -> Result<Self> {
        Ok(CheckpointRow {
            id: r.i64(0)?,
            through_seq: r.i64(1)?,
            last_hash: r.str(2)?.to_owned(),
            pruned_generations: r.i64(3)?,
            older_than: r.i64(4)?,
            created_at: r.i64(5)?,
        })
    }
}

fn checkpoint_content_hash(c: &CheckpointRow) -> String {
    let canon = CanonCheckpoint {
        v: 1,
        id: c.id,
        through_seq: c.through_seq,
        last_hash: &c.last_hash,
        pruned_generations: c.pruned_generations,
        older_than: c.older_than,
        created_at: c.created_at,
    };
    sha256_json(&canon)
}

pub(crate) fn entry_hash(
    seq: i64,
    kind: &str,
    ref_id: i64,
    content_hash: &str,
    prev_hash: &str,
) -> String {
    sha256_hex(
        format!("warden-audit/v1\n{seq}\n{kind}\n{ref_id}\n{content_hash}\n{prev_hash}").as_bytes(),
    )
}

/// The newest entry, or where the last prune left off, or the genesis position.
pub(crate) fn head_raw(db: &rusqlite::Connection) -> Result<(i64, String)> {
    use rusqlite::OptionalExtension;
    let newest = db
        .prepare_cached("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some(head) = newest {
        return Ok(head);
    }
    let pruned = db
        .prepare_cached(
            "SELECT through_seq, last_hash FROM chain_checkpoints \
             ORDER BY through_seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(pruned.unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
}

/// [`head_raw`] through sqlx's connection.
pub(crate) async fn head_tx(conn: &mut SqliteConnection) -> Result<(i64, String)> {
    scan::with_raw(conn, head_raw).await
}

/// Appends one entry after the current head. Must run inside a write (`BEGIN IMMEDIATE`)
/// transaction so the head cannot move between reading and extending it.
pub(crate) fn append_raw(
    db: &rusqlite::Connection,
    kind: &str,
    ref_id: i64,
    content_hash: &str,
    now: i64,
) -> Result<ChainHead> {
    let (head_seq, head_hash) = head_raw(db)?;
    let seq = head_seq + 1;
    let hash = entry_hash(seq, kind, ref_id, content_hash, &head_hash);
    db.prepare_cached(
        "INSERT INTO chain (seq, kind, ref_id, content_hash, prev_hash, hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        seq,
        kind,
        ref_id,
        content_hash,
        head_hash,
        hash,
        now
    ])?;
    Ok(ChainHead { seq, hash })
}

/// Hashes a finalized generation as it now stands in the database and appends it.
pub(crate) fn append_generation_raw(
    db: &rusqlite::Connection,
    id: i64,
    now: i64,
) -> Result<ChainHead> {
    let (g, events) =
        record::load_generations_raw(db, &[id])?
            .remove(&id)
            .ok_or(AuditError::NotFound {
                what: "generation",
                id,
            })?;
    let content = generation_content_hash(&g, &events);
    append_raw(db, "generation", id, &content, now)
}

/// Hashes a review row as stored and appends it (inside the caller's write transaction).
pub(crate) fn append_review_raw(db: &rusqlite::Connection, id: i64, now: i64) -> Result<ChainHead> {
    let r = record::load_review_raw(db, id)?.ok_or(AuditError::NotFound { what: "review", id })?;
    append_raw(db, "review", id, &review_content_hash(&r), now)
}

/// What [`AuditLog::verify`] found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyReport {
    /// True when every check passed (and the anchor, if given, was found).
    pub ok: bool,
    /// Chain entries checked.
    pub entries: u64,
    /// Of those, generations.
    pub generations: u64,
    /// Of those, flags and reviews.
    pub reviews: u64,
    /// Of those, prune checkpoints.
    pub checkpoints: u64,
    /// The newest entry, if any.
    pub head: Option<ChainHead>,
    /// Entries up to this sequence number were pruned; the walk started after it.
    pub pruned_through: Option<i64>,
    /// The first problem found, if any.
    pub first_break: Option<ChainBreak>,
    /// Whether the anchor was found, when one was given.
    pub anchor: Option<AnchorCheck>,
}

impl VerifyReport {
    /// `Ok(self)` when the chain verified, else [`AuditError::ChainBroken`] with the
    /// first break's message.
    pub fn into_result(self) -> Result<Self> {
        if self.ok {
            return Ok(self);
        }
        let message = match (&self.first_break, &self.anchor) {
            (Some(b), _) => b.message.clone(),
            (None, Some(a)) if !a.found => a.message.clone(),
            _ => "verification failed".to_owned(),
        };
        Err(AuditError::ChainBroken(message))
    }
}

/// The first broken link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    /// What kind of problem.
    pub problem: BreakKind,
    /// The chain entry where it shows, if it shows at one.
    pub seq: Option<i64>,
    /// The table of the row concerned (`generations`, `reviews`, `chain_checkpoints`, `chain`).
    pub table: String,
    /// The id of the row concerned (the sequence number for `chain`).
    pub row_id: Option<i64>,
    /// A sentence for people, naming the row.
    pub message: String,
}

/// Kinds of chain break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BreakKind {
    /// A row's content no longer matches the hash taken when it was finalized (edited,
    /// or swapped with another row's content).
    RowAltered,
    /// A chained row is gone (deleted).
    RowMissing,
    /// Chain entries are missing (sequence gap).
    EntriesMissing,
    /// An entry's `prev_hash` is not the previous entry's hash (reordered or rewritten).
    LinkMismatch,
    /// An entry's own hash does not match its fields (the chain row was edited).
    EntryAltered,
    /// A finalized row has no chain entry (inserted around the write path, or its entry
    /// was deleted from the end of the chain).
    Unchained,
    /// A generation's review cache (flagged, review status) disagrees with its chained
    /// review history.
    ReviewCacheMismatch,
}

/// The result of looking for an anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorCheck {
    /// The anchor given.
    pub anchor: String,
    /// Whether a chain entry (or a prune checkpoint) with that hash exists.
    pub found: bool,
    /// Its sequence number, when found.
    pub seq: Option<i64>,
    /// A sentence for people.
    pub message: String,
}

fn brk(
    problem: BreakKind,
    seq: Option<i64>,
    table: &str,
    row_id: Option<i64>,
    message: String,
) -> ChainBreak {
    ChainBreak {
        problem,
        seq,
        table: table.to_owned(),
        row_id,
        message,
    }
}

fn table_of(kind: &str) -> &'static str {
    match kind {
        "generation" => "generations",
        "review" => "reviews",
        "checkpoint" => "chain_checkpoints",
        _ => "chain",
    }
}

/// A chain entry, borrowed from a chunk read by verify.
struct Entry<'r> {
    seq: i64,
    kind: &'r str,
    ref_id: i64,
    content_hash: &'r str,
    prev_hash: &'r str,
    hash: &'r str,
}

/// The first break in an entry's own fields: its place in the sequence, its link to the
/// entry before it, its hash (`hash_ok`: its hash matches its fields).
fn entry_break(
    e: &Entry<'_>,
    hash_ok: bool,
    expected_seq: i64,
    expected_prev: &str,
) -> Option<ChainBreak> {
    if e.seq != expected_seq {
        return Some(brk(
            BreakKind::EntriesMissing,
            Some(e.seq),
            "chain",
            Some(expected_seq),
            format!(
                "chain entries {}..={} are missing (deleted); the chain resumes at entry {}",
                expected_seq,
                e.seq - 1,
                e.seq
            ),
        ));
    }
    if e.prev_hash != expected_prev {
        return Some(brk(
            BreakKind::LinkMismatch,
            Some(e.seq),
            table_of(e.kind),
            Some(e.ref_id),
            format!(
                "chain entry {} ({} {}) does not link to the entry before it \
                 (entries reordered or rewritten)",
                e.seq, e.kind, e.ref_id
            ),
        ));
    }
    if !hash_ok {
        return Some(brk(
            BreakKind::EntryAltered,
            Some(e.seq),
            "chain",
            Some(e.seq),
            format!(
                "chain entry {} ({} {}) was edited: its hash does not match its fields",
                e.seq, e.kind, e.ref_id
            ),
        ));
    }
    None
}

/// The break between an entry and the row it covers: `actual` is the row's content hash
/// now, `None` when the row is gone.
fn row_break(e: &Entry<'_>, actual: Option<&str>) -> Option<ChainBreak> {
    let table = table_of(e.kind);
    match actual {
        None => Some(brk(
            BreakKind::RowMissing,
            Some(e.seq),
            table,
            Some(e.ref_id),
            format!(
                "{} {} is missing (deleted); it was chain entry {}",
                e.kind, e.ref_id, e.seq
            ),
        )),
        Some(h) if h != e.content_hash => Some(brk(
            BreakKind::RowAltered,
            Some(e.seq),
            table,
            Some(e.ref_id),
            format!(
                "{} {} was altered after it was recorded (chain entry {})",
                e.kind, e.ref_id, e.seq
            ),
        )),
        Some(_) => None,
    }
}

/// What [`AuditLog::prune`] did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PruneReport {
    /// Generations deleted (with their guard events and reviews).
    pub generations: u64,
    /// Chain entries deleted.
    pub entries: u64,
    /// Entries up to this sequence number are gone; `None` when nothing was pruned.
    pub through_seq: Option<i64>,
    /// The hash of the last pruned entry, kept in the checkpoint.
    pub last_hash: Option<String>,
}

impl AuditLog {
    /// The newest chain entry: what `warden audit anchor` prints and stores elsewhere.
    pub async fn head(&self) -> Result<Option<ChainHead>> {
        let mut conn = self.pool.acquire().await?;
        let (seq, hash) = head_tx(&mut conn).await?;
        Ok((seq > 0).then_some(ChainHead { seq, hash }))
    }

    /// The newest chain entry's hash, or `None` for an empty log.
    pub async fn head_hash(&self) -> Result<Option<String>> {
        Ok(self.head().await?.map(|h| h.hash))
    }

    /// Walks the whole chain and reports the first broken link, naming the row.
    ///
    /// Checks, in order: each entry follows the last without a gap and links to its hash;
    /// each entry's hash matches its fields; each row still exists and hashes to what was
    /// recorded when it was finalized; then that no finalized row is missing from the
    /// chain and that the review cache matches the review history. With `anchor` (a hash
    /// from [`head_hash`](Self::head_hash) kept elsewhere), also checks that the chain still
    /// contains it, which catches a chain rewritten from scratch before that point.
    ///
    /// Reads in one read transaction (a consistent snapshot), in chunks: memory stays flat.
    pub async fn verify(&self, anchor: Option<&str>) -> Result<VerifyReport> {
        self.verify_with_progress(anchor, |_, _| {}).await
    }

    /// [`verify`](Self::verify), calling `progress(entries checked, entries in the chain)`
    /// before the walk and after each chunk of it (a 1M-generation log takes seconds).
    pub async fn verify_with_progress(
        &self,
        anchor: Option<&str>,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<VerifyReport> {
        let mut tx = self.pool.begin().await?;
        let conn: &mut SqliteConnection = &mut tx;
        let mut report = VerifyReport {
            ok: false,
            entries: 0,
            generations: 0,
            reviews: 0,
            checkpoints: 0,
            head: None,
            pruned_through: None,
            first_break: None,
            anchor: None,
        };
        let anchor = anchor.map(|a| a.trim().to_ascii_lowercase());
        let mut anchor_seq: Option<i64> = None;

        let checkpoint = sqlx::query(
            "SELECT through_seq, last_hash FROM chain_checkpoints \
             ORDER BY through_seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await?;
        let (mut expected_seq, mut expected_prev) = match checkpoint {
            Some(row) => {
                let through: i64 = row.try_get(0)?;
                report.pruned_through = Some(through);
                (through + 1, row.try_get::<String, _>(1)?)
            }
            None => (1, GENESIS_HASH.to_owned()),
        };
        if let Some(a) = &anchor {
            let hit = sqlx::query_scalar::<_, i64>(
                "SELECT through_seq FROM chain_checkpoints WHERE last_hash = ? LIMIT 1",
            )
            .bind(a)
            .fetch_optional(&mut *conn)
            .await?;
            anchor_seq = hit;
        }

        // The walk is a pipeline: this thread reads chunk after chunk from SQLite while
        // worker threads hash the chunks read before (canonical JSON and SHA-256 are two
        // thirds of a verify). Hashing an entry needs only its own fields and row, so the
        // chunks hash independently; the checks that link entries run here, in order.
        let mut hashers = pipeline::Ordered::start(pipeline::workers(), "warden-verify", |c| {
            let hashed = hash_chunk(&c);
            (c, hashed)
        })?;
        let mut last_seq = expected_seq - 1;
        let total: i64 = sqlx::query_scalar("SELECT ifnull(max(seq), 0) FROM chain")
            .fetch_one(&mut *conn)
            .await?;
        let total = u64::try_from(total - last_seq).unwrap_or(0);
        progress(0, total);
        let mut read_all = false;
        'walk: while !read_all || hashers.in_flight() > 0 {
            if !read_all && !hashers.is_full() {
                let chunk = read_chunk(conn, last_seq).await?;
                match chunk.entries.last() {
                    Some(e) => last_seq = e.seq,
                    None => read_all = true,
                }
                if !read_all && !hashers.submit(chunk) {
                    return Err(hasher_stopped());
                }
                continue;
            }
            let (chunk, hashed) = hashers.next().ok_or_else(hasher_stopped)?;
            for (ce, h) in chunk.entries.iter().zip(hashed?) {
                let e = chunk.entry(ce);
                let b = entry_break(&e, h.hash_ok, expected_seq, &expected_prev)
                    .or_else(|| row_break(&e, h.content.as_deref()));
                if let Some(b) = b {
                    report.first_break = Some(b);
                    break 'walk;
                }
                match e.kind {
                    "generation" => report.generations += 1,
                    "review" => report.reviews += 1,
                    _ => report.checkpoints += 1,
                }
                report.entries += 1;
                if anchor.as_deref() == Some(e.hash) {
                    anchor_seq = Some(e.seq);
                }
                expected_prev.clear();
                expected_prev.push_str(e.hash);
                expected_seq += 1;
            }
            progress(report.entries, total.max(report.entries));
        }
        drop(hashers);
        if report.entries > 0 {
            report.head = Some(ChainHead {
                seq: expected_seq - 1,
                hash: expected_prev.clone(),
            });
        }

        if report.first_break.is_none() {
            report.first_break = unchained_rows(conn, &report).await?;
        }
        if report.first_break.is_none() {
            report.first_break = review_cache_mismatch(conn).await?;
        }
        report.anchor = anchor.map(|a| {
            let found = anchor_seq.is_some();
            AnchorCheck {
                message: match anchor_seq {
                    Some(seq) => format!("anchor found at chain entry {seq}"),
                    None => format!(
                        "anchor {a} is not in the chain: history before it was rewritten \
                         (or pruned past it; take a new anchor after each prune)"
                    ),
                },
                anchor: a,
                found,
                seq: anchor_seq,
            }
        });
        report.ok = report.first_break.is_none() && report.anchor.as_ref().is_none_or(|a| a.found);
        tx.rollback().await?;
        Ok(report)
    }

    /// Deletes finalized generations that finished before `older_than` (with their guard
    /// events and reviews) and the chain prefix that covered them, keeping a checkpoint
    /// (the last pruned entry's hash) so [`verify`](Self::verify) still passes, and appends
    /// a `checkpoint` entry so the prune itself is on the chain.
    ///
    /// Only a prefix of the chain can go: pruning stops before the first generation that
    /// is too new, and before any generation whose later review is still on the chain.
    pub async fn prune(&self, older_than: UnixMillis) -> Result<PruneReport> {
        let now = now_ms();
        // Deleting a long prefix takes a while: on a blocking thread, not the caller's.
        self.writer()?
            .run_blocking(move |db| crate::writer::in_tx(db, |tx| prune_raw(tx, older_than, now)))
            .await
    }
}

/// How many chain entries verify reads per chunk.
const VERIFY_CHUNK: i64 = 2000;

/// A chunk of the chain as verify read it: the entries' fields and their generation rows
/// (packed, see `record`) copied into one string, plus the chunk's guard events, reviews
/// and checkpoints. Owned, so a hashing thread can take it.
#[derive(Default)]
struct Chunk {
    text: String,
    entries: Vec<ChunkEntry>,
    events: Vec<ChunkEvent>,
    /// Generation id → its guard events in `events` (sorted by generation, then id).
    events_of: HashMap<i64, std::ops::Range<usize>>,
    reviews: HashMap<i64, ReviewRow>,
    checkpoints: HashMap<i64, CheckpointRow>,
}

/// One entry of a [`Chunk`]: its text fields as ranges of `Chunk::text`.
struct ChunkEntry {
    seq: i64,
    ref_id: i64,
    kind: std::ops::Range<usize>,
    content_hash: std::ops::Range<usize>,
    prev_hash: std::ops::Range<usize>,
    hash: std::ops::Range<usize>,
    /// The generation row as [`record::pack_gen`] left it: the packed text's range and the
    /// REAL columns; `None` for other kinds and for a missing row.
    gen: Option<(std::ops::Range<usize>, [Option<f64>; 3])>,
}

/// A guard event of a [`Chunk`]: its numbers, and its text fields as ranges of
/// `Chunk::text` (no allocation per event, no packing in SQL).
struct ChunkEvent {
    id: i64,
    generation_id: i64,
    score: f64,
    created_at: i64,
    /// stage, scanner, category, action, spans, policy_version.
    text: [std::ops::Range<usize>; 6],
}

/// What a hashing thread computed for one entry.
struct Hashed {
    /// The entry's hash matches its own fields.
    hash_ok: bool,
    /// The content hash of the row the entry covers now; `None` when the row is gone.
    content: Option<String>,
}

impl Chunk {
    fn event(&self, e: &ChunkEvent) -> CanonEvent<'_> {
        let [stage, scanner, category, action, spans, policy_version] =
            e.text.clone().map(|r| &self.text[r]);
        CanonEvent {
            id: e.id,
            stage,
            scanner,
            category,
            score: e.score,
            action,
            spans,
            policy_version,
            created_at: e.created_at,
        }
    }

    fn entry<'a>(&'a self, e: &ChunkEntry) -> Entry<'a> {
        Entry {
            seq: e.seq,
            kind: &self.text[e.kind.clone()],
            ref_id: e.ref_id,
            content_hash: &self.text[e.content_hash.clone()],
            prev_hash: &self.text[e.prev_hash.clone()],
            hash: &self.text[e.hash.clone()],
        }
    }
}

fn hasher_stopped() -> AuditError {
    AuditError::InvalidState("a verify hashing thread stopped".into())
}

/// Reads the `VERIFY_CHUNK` entries after `last_seq` with what they cover.
async fn read_chunk(conn: &mut SqliteConnection, last_seq: i64) -> Result<Chunk> {
    // The chunk's entries by a rowid range, filtered by kind outside: filtering inside
    // (`kind = ? AND seq IN (...)`) made SQLite walk the whole (kind, ref_id) index for
    // every chunk, a third of a verify's time.
    const CHUNK_REFS: &str =
        "(SELECT kind, ref_id FROM chain WHERE seq > ?1 ORDER BY seq LIMIT ?2)";
    let reviews_sql = format!(
        "SELECT {} FROM reviews WHERE id IN \
         (SELECT ref_id FROM {CHUNK_REFS} WHERE kind = 'review')",
        record::REVIEW_COLS
    );
    let checkpoints_sql = format!(
        "SELECT {CHECKPOINT_COLS} FROM chain_checkpoints WHERE id IN \
         (SELECT ref_id FROM {CHUNK_REFS} WHERE kind = 'checkpoint')"
    );
    let mut chunk = Chunk::default();
    let events_sql = format!(
        "SELECT {} FROM guard_events WHERE generation_id IN \
         (SELECT ref_id FROM {CHUNK_REFS} WHERE kind = 'generation') \
         ORDER BY generation_id, id",
        record::EVENT_COLS
    );
    let sql = format!(
        "SELECT c.seq, c.kind, c.ref_id, c.content_hash, c.prev_hash, c.hash, {} \
         FROM chain c LEFT JOIN generations g \
         ON c.kind = 'generation' AND g.id = c.ref_id \
         WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
        record::gen_cols()
    );
    // Stepped on this thread, straight from SQLite (see `scan`), copied into the chunk's
    // one string (generation rows packed, see `record::pack_gen`).
    scan::with_raw(conn, |db| {
        {
            let mut stmt = db.prepare(&reviews_sql)?;
            let mut rows = stmt.query((last_seq, VERIFY_CHUNK))?;
            while let Some(row) = rows.next()? {
                let r = ReviewRow::from_row(row)?;
                chunk.reviews.insert(r.id, r);
            }
            let mut stmt = db.prepare(&checkpoints_sql)?;
            let mut rows = stmt.query((last_seq, VERIFY_CHUNK))?;
            while let Some(row) = rows.next()? {
                let c = CheckpointRow::from_row(row)?;
                chunk.checkpoints.insert(c.id, c);
            }
        }
        {
            let mut stmt = db.prepare(&events_sql)?;
            let mut rows = stmt.query((last_seq, VERIFY_CHUNK))?;
            while let Some(row) = rows.next()? {
                // `record::EVENT_COLS`: id, generation_id, stage, scanner, category, score,
                // action, spans, policy_version, created_at.
                let mut text: [std::ops::Range<usize>; 6] = Default::default();
                for (r, col) in text.iter_mut().zip([2, 3, 4, 6, 7, 8]) {
                    *r = record::push_range(&mut chunk.text, row.str(col)?);
                }
                chunk.events.push(ChunkEvent {
                    id: row.i64(0)?,
                    generation_id: row.i64(1)?,
                    score: row.f64(5)?,
                    created_at: row.i64(9)?,
                    text,
                });
            }
        }
        for (i, e) in chunk.events.iter().enumerate() {
            chunk.events_of.entry(e.generation_id).or_insert(i..i).end = i + 1;
        }
        let mut stmt = db.prepare(&sql)?;
        let mut rows = stmt.query((last_seq, VERIFY_CHUNK))?;
        while let Some(row) = rows.next()? {
            let text = &mut chunk.text;
            let entry = ChunkEntry {
                seq: row.i64(0)?,
                ref_id: row.i64(2)?,
                kind: record::push_range(text, row.str(1)?),
                content_hash: record::push_range(text, row.str(3)?),
                prev_hash: record::push_range(text, row.str(4)?),
                hash: record::push_range(text, row.str(5)?),
                gen: record::pack_gen(row, 6, text)?,
            };
            chunk.entries.push(entry);
        }
        Ok(())
    })
    .await?;
    Ok(chunk)
}

/// Hashes every entry of a chunk (on a hashing thread).
fn hash_chunk(chunk: &Chunk) -> Result<Vec<Hashed>> {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut out = Vec::with_capacity(chunk.entries.len());
    for ce in &chunk.entries {
        let e = chunk.entry(ce);
        let hash_ok = entry_hash(e.seq, e.kind, e.ref_id, e.content_hash, e.prev_hash) == e.hash;
        let content = match e.kind {
            "generation" => match &ce.gen {
                None => None,
                Some((range, reals)) => {
                    let g = GenRef::from_parts(&chunk.text[range.clone()], *reals)?;
                    let evs = match chunk.events_of.get(&e.ref_id) {
                        Some(range) => chunk.events[range.clone()]
                            .iter()
                            .map(|ev| chunk.event(ev))
                            .collect(),
                        None => Vec::new(),
                    };
                    Some(canon_generation(&g, evs).hash_in(&mut buf))
                }
            },
            "review" => chunk.reviews.get(&e.ref_id).map(review_content_hash),
            "checkpoint" => chunk
                .checkpoints
                .get(&e.ref_id)
                .map(checkpoint_content_hash),
            _ => None,
        };
        out.push(Hashed { hash_ok, content });
    }
    Ok(out)
}

/// The first finalized generation or review that is not on the chain. `report` is the walk
/// that just passed: each entry it checked covers a distinct row ((kind, ref_id) is unique)
/// that still hashes to what was chained, finalized status included. So when the log holds
/// as many finalized generations and reviews as the walk checked, none is off the chain,
/// and the two counts (a few milliseconds) replace the search for one (a lookup per row,
/// seconds at a million rows). A forger who could defeat the count could as well append a
/// valid entry for the row they insert: the chain does not stop that (see `lib.rs`).
async fn unchained_rows(
    conn: &mut SqliteConnection,
    report: &VerifyReport,
) -> Result<Option<ChainBreak>> {
    let (finalized, reviews): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM generations) \
                - (SELECT count(*) FROM generations WHERE status = 'running'), \
                (SELECT count(*) FROM reviews)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if u64::try_from(finalized).ok() == Some(report.generations)
        && u64::try_from(reviews).ok() == Some(report.reviews)
    {
        return Ok(None);
    }
    let gen: Option<i64> = sqlx::query_scalar(
        // Covered by the (status, id) index: no table scan.
        "SELECT g.id FROM generations g INDEXED BY generations_status \
         WHERE g.status IN ('completed', 'cancelled', 'blocked', 'failed', 'interrupted') \
         AND NOT EXISTS (SELECT 1 FROM chain c WHERE c.kind = 'generation' AND c.ref_id = g.id) \
         ORDER BY g.id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = gen {
        return Ok(Some(brk(
            BreakKind::Unchained,
            None,
            "generations",
            Some(id),
            format!(
                "generation {id} is finalized but not on the chain (inserted around the \
                 write path, or its chain entry was deleted)"
            ),
        )));
    }
    let rev: Option<i64> = sqlx::query_scalar(
        "SELECT r.id FROM reviews r WHERE NOT EXISTS \
         (SELECT 1 FROM chain c WHERE c.kind = 'review' AND c.ref_id = r.id) \
         ORDER BY r.id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(rev.map(|id| {
        brk(
            BreakKind::Unchained,
            None,
            "reviews",
            Some(id),
            format!("review {id} is not on the chain (inserted around the write path, or its chain entry was deleted)"),
        )
    }))
}

async fn review_cache_mismatch(conn: &mut SqliteConnection) -> Result<Option<ChainBreak>> {
    // Only generations that claim a review state (a small partial index) or have review
    // rows can disagree; never scan the whole table. CROSS JOIN keeps `cand` the outer
    // loop: left to itself, SQLite 3.46 scanned all of `generations` against a Bloom
    // filter of `cand` (2.8 s at a million rows instead of milliseconds).
    let id: Option<i64> = sqlx::query_scalar(
        "WITH cand(id) AS ( \
           SELECT id FROM generations \
           WHERE flagged = 1 OR review_status <> 'unreviewed' OR last_review_id IS NOT NULL \
           UNION SELECT generation_id FROM reviews) \
         SELECT g.id FROM cand CROSS JOIN generations g ON g.id = cand.id \
         WHERE g.flagged <> EXISTS (SELECT 1 FROM reviews r \
                                   WHERE r.generation_id = g.id AND r.kind = 'flag') \
            OR g.review_status <> COALESCE((SELECT r.status FROM reviews r \
                 WHERE r.generation_id = g.id AND r.kind = 'review' \
                 ORDER BY r.id DESC LIMIT 1), 'unreviewed') \
            OR COALESCE(g.last_review_id, 0) <> COALESCE((SELECT max(r.id) FROM reviews r \
                 WHERE r.generation_id = g.id AND r.kind = 'review'), 0) \
         ORDER BY g.id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id.map(|id| {
        brk(
            BreakKind::ReviewCacheMismatch,
            None,
            "generations",
            Some(id),
            format!(
                "generation {id}: its flagged / review status columns disagree with its \
                 review history (edited by hand)"
            ),
        )
    }))
}

/// The prune, inside the caller's write transaction on the write connection.
fn prune_raw(db: &rusqlite::Connection, older_than: i64, now: i64) -> Result<PruneReport> {
    let nothing = PruneReport {
        generations: 0,
        entries: 0,
        through_seq: None,
        last_hash: None,
    };
    let one = |sql: &str, arg: Option<i64>| -> Result<Option<i64>> {
        let mut stmt = db.prepare_cached(sql)?;
        let v = match arg {
            Some(a) => stmt.query_row([a], |r| r.get(0))?,
            None => stmt.query_row([], |r| r.get(0))?,
        };
        Ok(v)
    };
    let Some(first) = one("SELECT min(seq) FROM chain", None)? else {
        return Ok(nothing);
    };
    let max = one("SELECT max(seq) FROM chain", None)?.unwrap_or(first);
    let too_new = one(
        "SELECT min(c.seq) FROM chain c JOIN generations g ON g.id = c.ref_id \
         WHERE c.kind = 'generation' AND (g.finished_at IS NULL OR g.finished_at >= ?)",
        Some(older_than),
    )?;
    let mut through = too_new.map_or(max, |s| s - 1);
    loop {
        // A review inside the prefix whose generation stays, or a generation inside the
        // prefix with a review after it: cut before the earlier of the two.
        let cut = one(
            "SELECT min(s) FROM ( \
               SELECT c.seq AS s FROM chain c JOIN reviews r ON r.id = c.ref_id \
               WHERE c.kind = 'review' AND c.seq <= ?1 AND NOT EXISTS ( \
                 SELECT 1 FROM chain cg WHERE cg.kind = 'generation' \
                 AND cg.ref_id = r.generation_id AND cg.seq <= ?1) \
               UNION ALL \
               SELECT cg.seq AS s FROM chain cg JOIN reviews r ON r.generation_id = cg.ref_id \
               JOIN chain cr ON cr.kind = 'review' AND cr.ref_id = r.id \
               WHERE cg.kind = 'generation' AND cg.seq <= ?1 AND cr.seq > ?1)",
            Some(through),
        )?;
        match cut {
            Some(s) if s <= through => through = s - 1,
            _ => break,
        }
    }
    if through < first {
        return Ok(nothing);
    }
    let last_hash: String = db
        .prepare_cached("SELECT hash FROM chain WHERE seq = ?")?
        .query_row([through], |r| r.get(0))?;
    let generations = db
        .prepare_cached(
            "DELETE FROM generations WHERE id IN \
             (SELECT ref_id FROM chain WHERE kind = 'generation' AND seq <= ?)",
        )?
        .execute([through])? as u64;
    let entries = db
        .prepare_cached("DELETE FROM chain WHERE seq <= ?")?
        .execute([through])? as u64;
    db.prepare_cached(
        "INSERT INTO chain_checkpoints \
         (through_seq, last_hash, pruned_generations, older_than, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(rusqlite::params![
        through,
        last_hash,
        generations as i64,
        older_than,
        now
    ])?;
    let id = db.last_insert_rowid();
    let cp = CheckpointRow {
        id,
        through_seq: through,
        last_hash: last_hash.clone(),
        pruned_generations: generations as i64,
        older_than,
        created_at: now,
    };
    append_raw(db, "checkpoint", id, &checkpoint_content_hash(&cp), now)?;
    Ok(PruneReport {
        generations,
        entries,
        through_seq: Some(through),
        last_hash: Some(last_hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with what JSON must escape, now and then.
    fn text(seed: &mut u64, len: usize) -> String {
        const PIECES: [&str; 12] = [
            "word ", "\n", "\"", "\\", "\t", "\u{1}", "é", "中文", "😀", "<b>", "\r\n", "x",
        ];
        (0..len)
            .map(|_| PIECES[crate::canon_json::tests::lcg(seed) as usize % PIECES.len()])
            .collect()
    }

    #[test]
    fn a_generation_is_written_as_serde_json_writes_it() {
        let mut seed = 11;
        let mut buf = Vec::new();
        for n in 0..60usize {
            let strings: Vec<String> = (0..12).map(|i| text(&mut seed, (n * 7 + i) % 90)).collect();
            let events: Vec<CanonEvent> = (0..n % 4)
                .map(|i| CanonEvent {
                    id: i as i64,
                    stage: &strings[0],
                    scanner: "rules",
                    category: &strings[1],
                    score: [0.9, 0.0, 1e-7, f64::NAN][i],
                    action: "flag",
                    spans: &strings[2],
                    policy_version: "1",
                    created_at: 1_700_000_000_000 + i as i64,
                })
                .collect();
            let some = n % 2 == 0;
            let g = CanonGeneration {
                v: 1,
                id: n as i64,
                conversation_id: some.then_some(3),
                turn_index: -(n as i64),
                prompt: &strings[3],
                rendered_prompt_hash: &strings[4],
                model_name: &strings[5],
                model_sha256: some.then_some(strings[6].as_str()),
                model_meta: &strings[7],
                settings: &strings[8],
                reasoning: &strings[9],
                answer: &strings[10],
                status: "completed",
                stop_reason: (!some).then_some(strings[11].as_str()),
                prompt_tokens: some.then_some(12),
                completion_tokens: None,
                ttft_ms: some.then_some(80.25),
                prompt_tps: (!some).then_some(f64::INFINITY),
                gen_tps: Some(n as f64 / 3.0),
                error: None,
                app_version: "0.1.0",
                created_at: i64::MAX - n as i64,
                finished_at: some.then_some(5),
                guard_events: events,
            };
            buf.clear();
            g.write_json(&mut buf);
            assert_eq!(
                String::from_utf8_lossy(&buf),
                serde_json::to_string(&g).unwrap()
            );
        }
    }
}
