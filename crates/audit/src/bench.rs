//! Synthetic load for `warden bench audit`: fill a log with realistic finalized generations
//! fast, then time the operations the app depends on.
//!
//! [`fill`] bypasses the public write path for speed (many generations per transaction on
//! the log's write connection) but writes exactly what it would: the same rows, the same canonical
//! hashes, a valid chain, so [`AuditLog::verify`] passes afterwards. [`insert_one_per_transaction`]
//! uses the real write path. [`run`] does everything and returns a [`BenchReport`].

use crate::chain;
use crate::error::Result;
use crate::log::spans_json;
use crate::record::{EventRow, GenRow, ReviewRow};
use crate::types::*;
use crate::{AuditLog, ExportFormat};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// A small deterministic PRNG (xorshift64*), so runs are repeatable without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator (a zero seed is replaced).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const COMMON: &[&str] = &[
    "the", "a", "of", "to", "and", "in", "is", "that", "for", "it", "with", "as", "on", "be",
    "this", "so", "we", "user", "answer", "think", "first", "then", "because", "which", "can",
    "model", "step", "let", "me", "check", "value", "number", "result", "example", "question",
];

const TOPICS: &[&str] = &[
    "photosynthesis",
    "chlorophyll",
    "integral",
    "derivative",
    "recursion",
    "python",
    "rust",
    "database",
    "mitochondria",
    "gravity",
    "quantum",
    "entropy",
    "algorithm",
    "sorting",
    "probability",
    "matrix",
    "vector",
    "history",
    "revolution",
    "economics",
    "inflation",
    "protein",
    "enzyme",
    "volcano",
    "climate",
    "ocean",
    "satellite",
    "compiler",
    "network",
    "encryption",
    "password",
    "medicine",
    "dosage",
    "chemistry",
    "reaction",
    "poetry",
    "sonnet",
    "translation",
    "grammar",
    "recipe",
    "bread",
    "fermentation",
    "telescope",
    "galaxy",
    "neuron",
];

/// Synthetic text of about `chars` characters: mostly common words, some topic words,
/// and rare made-up words so the full-text index has a realistic long tail.
pub fn text(rng: &mut Rng, chars: usize) -> String {
    const SYL: &[&str] = &[
        "ka", "lo", "ri", "en", "ta", "mo", "su", "vi", "ne", "zo", "pa", "qu",
    ];
    let mut s = String::with_capacity(chars + 16);
    while s.len() < chars {
        if !s.is_empty() {
            s.push(if rng.chance(0.08) { '.' } else { ' ' });
            if s.ends_with('.') {
                s.push(' ');
            }
        }
        let r = rng.range(0, 100);
        if r < 70 {
            s.push_str(COMMON[rng.range(0, COMMON.len() as u64) as usize]);
        } else if r < 92 {
            s.push_str(TOPICS[rng.range(0, TOPICS.len() as u64) as usize]);
        } else {
            for _ in 0..rng.range(2, 5) {
                s.push_str(SYL[rng.range(0, SYL.len() as u64) as usize]);
            }
        }
    }
    s
}

/// What [`fill`] or [`insert_one_per_transaction`] did.
#[derive(Debug, Clone, Serialize)]
pub struct InsertReport {
    /// Generations written.
    pub rows: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Generations per second.
    pub per_sec: f64,
}

impl InsertReport {
    fn new(rows: u64, elapsed: Duration) -> Self {
        InsertReport {
            rows,
            elapsed,
            per_sec: rows as f64 / elapsed.as_secs_f64().max(1e-9),
        }
    }
}

struct Synth {
    g: GenRow,
    events: Vec<EventRow>,
    reviews: Vec<ReviewRow>,
}

const MODELS: &[&str] = &[
    "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf",
    "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf",
    "DeepSeek-R1-Distill-Llama-8B-Q5_K_M.gguf",
];

const CATEGORIES: &[&str] = &[
    "benign",
    "pii.email",
    "pii.phone",
    "self-harm",
    "weapons",
    "jailbreak",
    "hate",
    "medical",
];

#[allow(clippy::too_many_arguments)]
fn synth(
    rng: &mut Rng,
    id: i64,
    next_event: &mut i64,
    next_review: &mut i64,
    created_at: i64,
) -> Synth {
    let prompt_len = rng.range(40, 400) as usize;
    let reasoning_len = rng.range(300, 2000) as usize;
    let answer_len = rng.range(150, 1200) as usize;
    let finished_at = created_at + rng.range(500, 30_000) as i64;
    let blocked = rng.chance(0.03);
    let mut g = GenRow {
        id,
        conversation_id: None,
        turn_index: rng.range(0, 6) as i64,
        prompt: text(rng, prompt_len),
        rendered_prompt_hash: format!("{:064x}", rng.next_u64()),
        model_name: MODELS[rng.range(0, MODELS.len() as u64) as usize].to_owned(),
        model_sha256: Some(format!("{:016x}", rng.next_u64()).repeat(4)),
        model_meta: r#"{"architecture":"qwen2","context_length":4096,"quantization":"Q4_K_M"}"#
            .to_owned(),
        settings: format!(
            r#"{{"max_tokens":2048,"seed":{},"temperature":0.6,"top_p":0.95}}"#,
            rng.range(0, 1 << 31)
        ),
        reasoning: text(rng, reasoning_len),
        answer: text(rng, answer_len),
        status: if blocked { "blocked" } else { "completed" }.to_owned(),
        stop_reason: Some(if blocked { "guard" } else { "eog" }.to_owned()),
        prompt_tokens: Some((prompt_len / 4 + 20) as i64),
        completion_tokens: Some(((reasoning_len + answer_len) / 4) as i64),
        ttft_ms: Some(rng.range(50, 900) as f64 + 0.5),
        prompt_tps: Some(rng.range(200, 2000) as f64 + 0.25),
        gen_tps: Some(rng.range(8, 60) as f64 + 0.125),
        error: None,
        app_version: "0.1.0-bench".to_owned(),
        created_at,
        finished_at: Some(finished_at),
        flagged: false,
        review_status: "unreviewed".to_owned(),
    };
    let mut events = Vec::new();
    for _ in 0..rng.range(0, 3) {
        let category = CATEGORIES[rng.range(0, CATEGORIES.len() as u64) as usize];
        let action = if category == "benign" {
            "allow"
        } else {
            ["flag", "redact", "block", "allow"][rng.range(0, 4) as usize]
        };
        *next_event += 1;
        events.push(EventRow {
            id: *next_event,
            generation_id: id,
            stage: ["input", "reasoning", "output"][rng.range(0, 3) as usize].to_owned(),
            scanner: ["rules", "classifier", "language"][rng.range(0, 3) as usize].to_owned(),
            category: category.to_owned(),
            score: rng.range(0, 1000) as f64 / 1000.0,
            action: action.to_owned(),
            spans: spans_json(&[(0, rng.range(1, 40) as usize)]),
            policy_version: "policy-1".to_owned(),
            created_at: created_at + 5,
        });
    }
    let mut reviews = Vec::new();
    if rng.chance(0.05) {
        *next_review += 1;
        g.flagged = true;
        reviews.push(ReviewRow {
            id: *next_review,
            generation_id: id,
            kind: "flag".to_owned(),
            flag_reason: Some("looks wrong".to_owned()),
            status: None,
            note: None,
            corrected_answer: None,
            reviewer: None,
            created_at: finished_at + 1000,
        });
    }
    if rng.chance(0.04) {
        *next_review += 1;
        let status = ["ok", "harmful", "needs-fix"][rng.range(0, 3) as usize];
        g.review_status = status.to_owned();
        reviews.push(ReviewRow {
            id: *next_review,
            generation_id: id,
            kind: "review".to_owned(),
            flag_reason: None,
            status: Some(status.to_owned()),
            note: Some("synthetic review".to_owned()),
            corrected_answer: (status != "ok").then(|| text(rng, 200)),
            reviewer: Some("bench".to_owned()),
            created_at: finished_at + 2000,
        });
    }
    Synth { g, events, reviews }
}

fn max_id(db: &rusqlite::Connection, table: &str) -> Result<i64> {
    Ok(db
        .query_row(&format!("SELECT max(id) FROM {table}"), [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0))
}

/// Inserts one batch in one transaction on the write connection, one prepared statement
/// per table, provided the chain head is still the one the batch was hashed against.
fn insert_batch_raw(
    db: &mut rusqlite::Connection,
    batch: &[Synth],
    chain_rows: &[ChainRow],
    head: &(i64, String),
) -> Result<()> {
    let tx = crate::writer::write_tx(db)?;
    if chain::head_raw(&tx)? != *head {
        return Err(crate::AuditError::InvalidState(
            "another writer extended the chain during the fill".into(),
        ));
    }
    {
        let mut gen = tx.prepare_cached(
            "INSERT INTO generations (id, conversation_id, turn_index, prompt, \
             rendered_prompt_hash, model_name, model_sha256, model_meta, settings, reasoning, \
             answer, status, stop_reason, prompt_tokens, completion_tokens, ttft_ms, prompt_tps, \
             gen_tps, error, app_version, created_at, finished_at, flagged, review_status, \
             last_review_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        let mut event = tx.prepare_cached(
            "INSERT INTO guard_events (id, generation_id, stage, scanner, category, score, \
             action, spans, policy_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        let mut review = tx.prepare_cached(
            "INSERT INTO reviews (id, generation_id, kind, flag_reason, status, note, \
             corrected_answer, reviewer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        let mut link = tx.prepare_cached(
            "INSERT INTO chain (seq, kind, ref_id, content_hash, prev_hash, hash, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )?;
        for s in batch {
            let g = &s.g;
            let last_review = s
                .reviews
                .iter()
                .filter(|r| r.kind == "review")
                .map(|r| r.id)
                .max();
            gen.execute(rusqlite::params![
                g.id,
                g.conversation_id,
                g.turn_index,
                g.prompt,
                g.rendered_prompt_hash,
                g.model_name,
                g.model_sha256,
                g.model_meta,
                g.settings,
                g.reasoning,
                g.answer,
                g.status,
                g.stop_reason,
                g.prompt_tokens,
                g.completion_tokens,
                g.ttft_ms,
                g.prompt_tps,
                g.gen_tps,
                g.error,
                g.app_version,
                g.created_at,
                g.finished_at,
                g.flagged,
                g.review_status,
                last_review
            ])?;
            for e in &s.events {
                event.execute(rusqlite::params![
                    e.id,
                    e.generation_id,
                    e.stage,
                    e.scanner,
                    e.category,
                    e.score,
                    e.action,
                    e.spans,
                    e.policy_version,
                    e.created_at
                ])?;
            }
            for r in &s.reviews {
                review.execute(rusqlite::params![
                    r.id,
                    r.generation_id,
                    r.kind,
                    r.flag_reason,
                    r.status,
                    r.note,
                    r.corrected_answer,
                    r.reviewer,
                    r.created_at
                ])?;
            }
        }
        for c in chain_rows {
            link.execute(rusqlite::params![
                c.seq,
                c.kind,
                c.ref_id,
                c.content_hash,
                c.prev_hash,
                c.hash,
                c.created_at
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

struct ChainRow {
    seq: i64,
    kind: &'static str,
    ref_id: i64,
    content_hash: String,
    prev_hash: String,
    hash: String,
    created_at: i64,
}

/// Adds `rows` synthetic finalized generations (with guard events, ~5% flagged, ~4%
/// reviewed), `batch` per transaction, spread over the year before now. The chain stays
/// valid. Deterministic for a given `seed`. The next batch is made (text, hashes) while
/// the write connection stores the last one. The rows are queued for the full-text
/// index, not indexed: [`AuditLog::index_pending`] (or the first text search) does that.
pub async fn fill(log: &AuditLog, rows: u64, batch: usize, seed: u64) -> Result<InsertReport> {
    let started = Instant::now();
    let writer = log.writer()?.clone();
    let mut rng = Rng::new(seed);
    let span_ms: i64 = 365 * 24 * 3600 * 1000;
    let start_ms = now_ms() - span_ms;
    let step = (span_ms / rows.max(1) as i64).max(1);
    let (mut seq, mut prev, mut next_gen, mut next_event, mut next_review) = writer
        .run(|db| {
            let (seq, prev) = chain::head_raw(db)?;
            Ok((
                seq,
                prev,
                max_id(db, "generations")?,
                max_id(db, "guard_events")?,
                max_id(db, "reviews")?,
            ))
        })
        .await?;
    let mut written = 0u64;
    let mut in_flight = None;
    while written < rows {
        let n = (rows - written).min(batch.max(1) as u64) as usize;
        let head = (seq, prev.clone());
        let mut synths = Vec::with_capacity(n);
        let mut chain_rows = Vec::with_capacity(n + n / 8);
        for i in 0..n {
            next_gen += 1;
            let created_at = start_ms + (written + i as u64) as i64 * step;
            let s = synth(
                &mut rng,
                next_gen,
                &mut next_event,
                &mut next_review,
                created_at,
            );
            let mut push = |kind: &'static str, ref_id: i64, content: String, at: i64| {
                seq += 1;
                let hash = chain::entry_hash(seq, kind, ref_id, &content, &prev);
                chain_rows.push(ChainRow {
                    seq,
                    kind,
                    ref_id,
                    content_hash: content,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                    created_at: at,
                });
            };
            push(
                "generation",
                s.g.id,
                chain::generation_content_hash(&s.g, &s.events),
                s.g.finished_at.unwrap_or(created_at),
            );
            for r in &s.reviews {
                push("review", r.id, chain::review_content_hash(r), r.created_at);
            }
            synths.push(s);
        }
        if let Some(done) = in_flight.take() {
            done.await?;
        }
        in_flight = Some(writer.spawn(move |db| insert_batch_raw(db, &synths, &chain_rows, &head)));
        written += n as u64;
    }
    if let Some(done) = in_flight {
        done.await?;
    }
    Ok(InsertReport::new(rows, started.elapsed()))
}

/// Writes `rows` generations through the real write path, one at a time:
/// `begin_generation`, one `record_guard_event`, `finish_generation` (three transactions
/// each, the last one appending to the chain).
pub async fn insert_one_per_transaction(
    log: &AuditLog,
    rows: u64,
    seed: u64,
) -> Result<InsertReport> {
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    for _ in 0..rows {
        let prompt_len = rng.range(40, 400) as usize;
        let id = log
            .begin_generation(NewGeneration {
                conversation_id: None,
                turn_index: 0,
                prompt: text(&mut rng, prompt_len),
                rendered_prompt_hash: format!("{:064x}", rng.next_u64()),
                model_name: MODELS[0].to_owned(),
                model_sha256: None,
                model_meta: serde_json::json!({"architecture": "qwen2"}),
                settings: serde_json::json!({"temperature": 0.6}),
                app_version: "0.1.0-bench".to_owned(),
            })
            .await?;
        log.record_guard_event(
            id,
            NewGuardEvent {
                stage: Stage::Input,
                scanner: "rules".to_owned(),
                category: "benign".to_owned(),
                score: 0.01,
                action: Action::Allow,
                spans: Vec::new(),
                policy_version: "policy-1".to_owned(),
            },
        )
        .await?;
        let (r, a) = (rng.range(300, 2000) as usize, rng.range(150, 1200) as usize);
        let finish = Finish::new(Status::Completed, text(&mut rng, r), text(&mut rng, a));
        log.finish_generation(id, finish).await?;
    }
    Ok(InsertReport::new(rows, started.elapsed()))
}

/// Latency percentiles over repeated runs.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Runs.
    pub runs: usize,
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// Slowest.
    pub max: Duration,
}

impl Latency {
    fn from(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        let at = |q: f64| {
            samples
                .get(((samples.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        Latency {
            runs: samples.len(),
            p50: at(0.5),
            p95: at(0.95),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// The filters the list benchmark cycles through: the review queue's everyday views.
pub fn list_filters() -> Vec<Filter> {
    let day = 24 * 3600 * 1000;
    vec![
        Filter::default(),
        Filter {
            flagged: Some(true),
            ..Filter::default()
        },
        Filter {
            review_status: Some(ReviewStatus::Harmful),
            ..Filter::default()
        },
        Filter {
            category: Some("self-harm".into()),
            ..Filter::default()
        },
        Filter {
            action: Some(Action::Block),
            stage: Some(Stage::Output),
            ..Filter::default()
        },
        Filter {
            model: Some(MODELS[1].into()),
            ..Filter::default()
        },
        Filter {
            from: Some(now_ms() - 30 * day),
            to: Some(now_ms() - 20 * day),
            ..Filter::default()
        },
        Filter {
            from: Some(now_ms() - 200 * day),
            category: Some("weapons".into()),
            ..Filter::default()
        },
    ]
}

/// Times `list(filter, page of 50)` over [`list_filters`], `rounds` times each.
pub async fn time_list(log: &AuditLog, rounds: usize) -> Result<Latency> {
    let mut samples = Vec::new();
    for _ in 0..rounds {
        for f in list_filters() {
            let t = Instant::now();
            log.list(&f, Page::first(50)).await?;
            samples.push(t.elapsed());
        }
    }
    Ok(Latency::from(samples))
}

/// Times full-text searches (a page of 50) for common, topical and rare words.
pub async fn time_search(log: &AuditLog, rounds: usize) -> Result<Latency> {
    let queries = [
        "photosynthesis",
        "quantum entropy",
        "compiler python",
        "kalori",
        "the",
        "recip*",
        "galaxy telescope neuron",
        "encryption password",
    ];
    let mut samples = Vec::new();
    for _ in 0..rounds {
        for q in queries {
            let f = Filter {
                text: Some(q.to_owned()),
                ..Filter::default()
            };
            let t = Instant::now();
            log.list(&f, Page::first(50)).await?;
            samples.push(t.elapsed());
        }
    }
    Ok(Latency::from(samples))
}

/// Peak resident memory of this process so far, in bytes (Linux only).
pub fn peak_rss_bytes() -> Option<u64> {
    status_kb("VmHWM:")
}

/// Resident memory of this process now, in bytes (Linux only).
pub fn rss_bytes() -> Option<u64> {
    status_kb("VmRSS:")
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak-RSS counter so the next reading covers only what follows (Linux only;
/// returns false where unsupported).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// What exporting everything cost.
#[derive(Debug, Clone, Serialize)]
pub struct ExportTiming {
    /// Rows written.
    pub rows: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Peak RSS during the export, when measurable. In a process that did other work
    /// first (the bench filled the log), this includes heap kept from that work.
    pub peak_rss_bytes: Option<u64>,
    /// RSS when the export started: `peak_rss_bytes` minus this is what the export added.
    pub rss_at_start_bytes: Option<u64>,
}

/// Exports everything as JSONL to `path` and measures time and peak memory.
pub async fn time_export(log: &AuditLog, path: &Path) -> Result<ExportTiming> {
    let reset = reset_peak_rss();
    let rss_at_start_bytes = rss_bytes();
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let summary = log
        .export_to_path(
            path,
            ExportFormat::Jsonl,
            &Filter::default(),
            |_, _| {},
            &cancel,
        )
        .await?;
    let elapsed = t.elapsed();
    Ok(ExportTiming {
        rows: summary.rows,
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        elapsed,
        peak_rss_bytes: if reset { peak_rss_bytes() } else { None },
        rss_at_start_bytes,
    })
}

/// Everything [`run`] measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Generations in the log when measuring.
    pub generations: u64,
    /// Database file size after filling, bytes.
    pub db_bytes: u64,
    /// Batched synthetic inserts (target ≥ 20,000/s). The rows are queued for the
    /// full-text index, which `index_catch_up` then builds.
    pub insert_batched: InsertReport,
    /// Adding the batched rows to the full-text index afterwards, as
    /// [`AuditLog::index_pending`] (or the first text search) does.
    pub index_catch_up: InsertReport,
    /// The real write path, one generation at a time (target ≥ 2,000/s).
    pub insert_one_per_transaction: InsertReport,
    /// List with a filter, page of 50 (target p95 ≤ 50 ms).
    pub list: Latency,
    /// Full-text search, page of 50 (target p95 ≤ 100 ms).
    pub search: Latency,
    /// Export all to JSONL (target ≤ 15 s at 1M rows, peak RSS ≤ 100 MB).
    pub export: ExportTiming,
    /// Verify the whole chain (target ≤ 10 s at 1M rows).
    pub verify: Duration,
    /// Whether verify passed.
    pub verify_ok: bool,
}

/// Creates a log at `db` (which must not exist yet), fills it with `rows` generations in
/// batches of `batch`, and runs every measurement. `single_rows` generations go through
/// the real write path. The export is written next to the database and removed.
pub async fn run(db: &Path, rows: u64, batch: usize, single_rows: u64) -> Result<BenchReport> {
    let log = AuditLog::open(db).await?;
    let insert_batched = fill(&log, rows, batch, 0x5eed).await?;
    let t = Instant::now();
    let indexed = log.index_pending().await?;
    let index_catch_up = InsertReport::new(indexed, t.elapsed());
    let insert_one = insert_one_per_transaction(&log, single_rows, 7).await?;
    sqlx::query("PRAGMA optimize").execute(&log.pool).await?;
    let db_bytes = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    let list = time_list(&log, 5).await?;
    let search = time_search(&log, 5).await?;
    let out = db.with_extension("bench-export.jsonl");
    let export = time_export(&log, &out).await?;
    let _ = std::fs::remove_file(&out);
    let t = Instant::now();
    let verified = log.verify(None).await?;
    let verify = t.elapsed();
    Ok(BenchReport {
        generations: rows + single_rows,
        db_bytes,
        insert_batched,
        index_catch_up,
        insert_one_per_transaction: insert_one,
        list,
        search,
        export,
        verify,
        verify_ok: verified.ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_filled_log_verifies_and_answers_queries() {
        let dir = tempfile::tempdir().unwrap();
        let report = run(&dir.path().join("bench.db"), 600, 250, 20)
            .await
            .unwrap();
        assert!(report.verify_ok);
        assert_eq!(report.export.rows, 620);
        assert_eq!(report.generations, 620);
        assert_eq!(report.index_catch_up.rows, 600);
    }
}
