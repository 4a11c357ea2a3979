//! Warden's audit log: every generation, every guard verdict and every review, in one
//! SQLite file, hash-chained so that later edits show.
//!
//! This is the only crate that speaks SQL. [`AuditLog`] keeps its connection pool private;
//! callers see typed values ([`NewGeneration`], [`Finish`], [`GenerationDetail`]...) and typed
//! errors ([`AuditError`], with a stable [`code`](AuditError::code) for the UI).
//!
//! # The write path, and why it fails closed
//!
//! The core pipeline calls, in order:
//!
//! 1. [`begin_generation`](AuditLog::begin_generation) *before decoding starts*: the prompt,
//!    model and settings are on disk with status `running`. If this fails (disk full, file
//!    locked, read-only) the pipeline must not generate: nothing runs unrecorded.
//! 2. [`record_guard_event`](AuditLog::record_guard_event) for each scanner finding, and
//!    [`save_partial`](AuditLog::save_partial) every few hundred milliseconds while streaming,
//!    so a crash keeps the text produced so far.
//! 3. [`finish_generation`](AuditLog::finish_generation): the final text, status, token counts
//!    and timings, and the chain entry, in one transaction.
//!
//! A row still `running` when the log is next opened was cut off by a crash or kill: it is
//! marked `interrupted`, keeping its partial text, and chained like any other. Finalized
//! rows are immutable through this API (`InvalidState` otherwise). Reviews
//! ([`flag`](AuditLog::flag), [`review`](AuditLog::review)) are append-only history rows,
//! chained too; the newest verdict is cached on the generation for fast filtering.
//!
//! Transactions follow one pattern: a private function does the work inside the caller's
//! transaction (`*_raw(db, …)`, on the write connection) and the public method opens, calls
//! and commits. Writes that
//! touch the chain open with `BEGIN IMMEDIATE`, so reading the chain head and appending
//! after it is atomic even with two processes writing to the same file; a writer that
//! cannot get the lock within the busy timeout (5 s by default) gets
//! [`AuditError::Locked`] rather than a half-done write.
//!
//! ```no_run
//! # async fn demo() -> warden_audit::Result<()> {
//! use warden_audit::*;
//! let log = AuditLog::open("/home/me/.local/share/warden/audit.db").await?;
//! let id = log
//!     .begin_generation(NewGeneration {
//!         conversation_id: None,
//!         turn_index: 0,
//!         prompt: "Why is the sky blue?".into(),
//!         rendered_prompt_hash: "…".into(),
//!         model_name: "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf".into(),
//!         model_sha256: None,
//!         model_meta: serde_json::json!({}),
//!         settings: serde_json::json!({"temperature": 0.6}),
//!         app_version: env!("CARGO_PKG_VERSION").into(),
//!     })
//!     .await?;
//! // ... decode, scan, save_partial ...
//! log.finish_generation(id, Finish::new(Status::Completed, "<think>…", "Rayleigh scattering."))
//!     .await?;
//! assert!(log.verify(None).await?.ok);
//! # Ok(()) }
//! ```
//!
//! # The chain: what it protects, and what it does not
//!
//! Each finalized generation (with its guard events), each review and each prune
//! checkpoint gets a chain entry: the SHA-256 of a canonical JSON serialization of the row
//! as stored, linked to the previous entry's hash. [`verify`](AuditLog::verify) walks the
//! chain and names the first broken link: a row edited after it was finalized (including
//! two rows' contents swapped, or a guard event changed or deleted), a row deleted, chain
//! entries deleted or reordered, a finalized row that never went through the write path,
//! or review flags edited by hand. [`prune`](AuditLog::prune) deletes old generations with
//! the chain prefix that covered them and keeps the last pruned hash as a checkpoint, so a
//! pruned log still verifies.
//!
//! This is tamper *evidence*, not tamper *proofing*, and it holds against edits made with
//! a SQLite tool or a stray script. It does not hold against someone who can write the
//! file and recomputes the chain from the edited row onward (the algorithm is public and
//! there is no secret key), nor against truncating the newest entries together with
//! their rows. The anchor closes most of that: `warden audit anchor` prints
//! [`head_hash`](AuditLog::head_hash); keep it somewhere the attacker can't write (a note,
//! a ticket, a commit) and pass it to [`verify`](AuditLog::verify): a chain rewritten or
//! truncated before that point no longer contains it. Take a new anchor after each prune.
//! Running generations are not chained until they finish; their text can still change.
//!
//! # Reading
//!
//! [`list`](AuditLog::list) (a page of summaries, newest first, keyset or offset paging),
//! [`show`](AuditLog::show) (everything about one generation), [`stats`](AuditLog::stats),
//! all driven by one [`Filter`] (flagged, verdict, guard category / stage / action, model,
//! status, date range, full-text search through FTS5). The full-text index is built behind
//! the write path: finalizing a row queues it (in the same transaction), and the log
//! indexes the queue in batches, in the background after every few hundred generations,
//! before any text search and on [`close`](AuditLog::close), so searches see every
//! finalized generation (a log opened read-only sees what was indexed). One row indexed in
//! its own transaction cost ~0.6 ms; a thousand at once cost ~0.06 ms each.
//! [`export`](AuditLog::export) streams
//! the same filter to JSONL, CSV, SFT or preference JSONL in bounded memory;
//! [`export_to_path`](AuditLog::export_to_path) does it atomically. [`bench`](mod@bench) fills a log
//! with synthetic data and times all of this for `warden bench audit`.
//!
//! # Storage
//!
//! Reads use a pool of sqlx connections; writes one `rusqlite` connection of their own,
//! kept for the life of the log (warm statement and page caches), which runs a short write
//! on the caller's thread when no other writer holds the lock and waits for the lock on a
//! blocking thread when one does (see `writer.rs`).
//! SQLite in WAL mode (readers never block the writer), `synchronous=NORMAL` (a commit
//! survives a process crash; a power cut may lose the last commits but never corrupts),
//! foreign keys on. The schema lives in the workspace's `migrations/` folder, applied by
//! `sqlx::migrate!` on open; migrations are append-only. Times are Unix milliseconds (UTC).

#![warn(missing_docs)]

pub mod bench;
mod canon_json;
mod chain;
mod compact;
#[cfg(unix)]
mod direct;
mod error;
mod export;
mod log;
mod pipeline;
mod query;
mod record;
mod scan;
mod types;
mod writer;

pub use chain::{AnchorCheck, BreakKind, ChainBreak, PruneReport, VerifyReport, GENESIS_HASH};
pub use compact::{compact, CompactReport};
pub use error::{AuditError, Result};
pub use export::{ExportFormat, ExportSummary};
pub use log::{AuditLog, AuditOptions, NEW_PAGE_SIZE};
pub use types::*;
