//! Streaming exports. Rows are read in id order, a bounded chunk at a time (keyset paging,
//! never the whole result), written through the caller's writer, with progress reports and
//! a cancel flag checked per row. [`AuditLog::export_to_path`] writes a temp file in the
//! target's folder, fsyncs it and renames it over the target: a reader sees the old file or
//! the complete new one, never half an export.

use crate::error::{AuditError, Result};
use crate::pipeline;
use crate::query;
use crate::query::Binder;
use crate::record::{self, Cols, EventRow, GenRef};
use crate::scan;
use crate::types::*;
use crate::AuditLog;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sqlx::{QueryBuilder, Sqlite};
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

/// Rows per read. Bounds memory: a chunk of full texts is a few megabytes at most.
const CHUNK: i64 = 500;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One JSON object per generation per line, guard events and review state nested.
    Jsonl,
    /// RFC 4180 CSV with a header; guard events flattened into `;`-joined columns; text
    /// cells that a spreadsheet would run as a formula get a leading `'`.
    Csv,
    /// Chat-format JSONL for supervised fine-tuning:
    /// `{"messages":[{"role":"user",..},{"role":"assistant",..}]}`, for generations
    /// reviewed `ok` (their answer) or given a corrected answer (the correction).
    Sft,
    /// JSONL `{"prompt","chosen","rejected"}` for generations reviewed `harmful` or
    /// `needs-fix` with a corrected answer: chosen = correction, rejected = original.
    Preference,
}

impl ExportFormat {
    /// The format's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Sft => "sft",
            ExportFormat::Preference => "preference",
        }
    }

    fn condition(self) -> &'static str {
        match self {
            ExportFormat::Jsonl | ExportFormat::Csv => "",
            ExportFormat::Sft => {
                " AND (g.review_status = 'ok' OR COALESCE(r.corrected_answer, '') <> '')"
            }
            ExportFormat::Preference => {
                " AND g.review_status IN ('harmful', 'needs-fix') \
                 AND COALESCE(r.corrected_answer, '') <> ''"
            }
        }
    }
}

impl FromStr for ExportFormat {
    type Err = AuditError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "jsonl" => Ok(ExportFormat::Jsonl),
            "csv" => Ok(ExportFormat::Csv),
            "sft" => Ok(ExportFormat::Sft),
            "preference" => Ok(ExportFormat::Preference),
            other => Err(AuditError::InvalidState(format!(
                "unknown export format {other:?} (jsonl, csv, sft, preference)"
            ))),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// Records written.
    pub rows: u64,
    /// Records the filter matched when the export started.
    pub total: u64,
}

const JOINS: &str = "LEFT JOIN reviews r ON r.id = g.last_review_id";

/// A JSON column as stored: embedded as JSON when it parses, else as a string.
#[derive(Serialize)]
#[serde(untagged)]
enum Json<'a> {
    Raw(&'a RawValue),
    Text(&'a str),
}

fn json(text: &str) -> Json<'_> {
    serde_json::from_str::<&RawValue>(text)
        .map(Json::Raw)
        .unwrap_or(Json::Text(text))
}

#[derive(Serialize)]
struct EventOut<'a> {
    id: i64,
    stage: &'a str,
    scanner: &'a str,
    category: &'a str,
    score: f64,
    action: &'a str,
    spans: Json<'a>,
    policy_version: &'a str,
    created_at: i64,
}

#[derive(Serialize)]
struct ReviewOut<'a> {
    status: &'a str,
    flagged: bool,
    flag_reason: Option<&'a str>,
    note: Option<&'a str>,
    corrected_answer: Option<&'a str>,
    reviewer: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonlOut<'a> {
    id: i64,
    conversation_id: Option<i64>,
    turn_index: i64,
    created_at: i64,
    finished_at: Option<i64>,
    status: &'a str,
    stop_reason: Option<&'a str>,
    model_name: &'a str,
    model_sha256: Option<&'a str>,
    model_meta: Json<'a>,
    settings: Json<'a>,
    app_version: &'a str,
    prompt: &'a str,
    rendered_prompt_hash: &'a str,
    reasoning: &'a str,
    answer: &'a str,
    prompt_tokens: Option<i64>,
    completion_tokens: Option<i64>,
    ttft_ms: Option<f64>,
    prompt_tps: Option<f64>,
    gen_tps: Option<f64>,
    error: Option<&'a str>,
    review: ReviewOut<'a>,
    guard_events: Vec<EventOut<'a>>,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Serialize)]
struct SftOut<'a> {
    messages: [Message<'a>; 2],
}

#[derive(Serialize)]
struct PreferenceOut<'a> {
    prompt: &'a str,
    chosen: &'a str,
    rejected: &'a str,
}

/// One exported row: the generation, its newest review, its newest flag reason.
struct ExportRow<'a> {
    g: GenRef<'a>,
    review_note: Option<&'a str>,
    corrected_answer: Option<&'a str>,
    reviewer: Option<&'a str>,
    flag_reason: Option<&'a str>,
}

const CSV_HEADER: &[&str] = &[
    "id",
    "conversation_id",
    "turn_index",
    "created_at",
    "finished_at",
    "status",
    "stop_reason",
    "model_name",
    "model_sha256",
    "app_version",
    "prompt",
    "reasoning",
    "answer",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "prompt_tps",
    "gen_tps",
    "error",
    "flagged",
    "flag_reason",
    "review_status",
    "review_note",
    "corrected_answer",
    "reviewer",
    "guard_event_count",
    "stages",
    "scanners",
    "categories",
    "actions",
    "worst_action",
    "max_score",
];

/// Appends one CSV cell. Text cells starting with `=`, `+`, `-`, `@`, tab or CR get a
/// leading `'` so spreadsheets show them instead of evaluating them; cells with a comma,
/// quote, CR or LF are quoted with inner quotes doubled (RFC 4180).
pub(crate) fn push_csv_text(out: &mut String, cell: &str) {
    let guard = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

fn push_csv_opt_text(out: &mut String, cell: Option<&str>) {
    if let Some(c) = cell {
        push_csv_text(out, c);
    }
}

fn push_csv_num<T: std::fmt::Display>(out: &mut String, cell: Option<T>) {
    if let Some(c) = cell {
        use std::fmt::Write as _;
        let _ = write!(out, "{c}");
    }
}

fn joined<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.join(";")
}

fn csv_row(out: &mut String, row: &ExportRow<'_>, events: &[EventRow]) {
    let g = &row.g;
    macro_rules! sep {
        () => {
            out.push(',')
        };
    }
    push_csv_num(out, Some(g.id));
    sep!();
    push_csv_num(out, g.conversation_id);
    sep!();
    push_csv_num(out, Some(g.turn_index));
    sep!();
    push_csv_num(out, Some(g.created_at));
    sep!();
    push_csv_num(out, g.finished_at);
    sep!();
    push_csv_text(out, g.status);
    sep!();
    push_csv_opt_text(out, g.stop_reason);
    sep!();
    push_csv_text(out, g.model_name);
    sep!();
    push_csv_opt_text(out, g.model_sha256);
    sep!();
    push_csv_text(out, g.app_version);
    sep!();
    push_csv_text(out, g.prompt);
    sep!();
    push_csv_text(out, g.reasoning);
    sep!();
    push_csv_text(out, g.answer);
    sep!();
    push_csv_num(out, g.prompt_tokens);
    sep!();
    push_csv_num(out, g.completion_tokens);
    sep!();
    push_csv_num(out, g.ttft_ms);
    sep!();
    push_csv_num(out, g.prompt_tps);
    sep!();
    push_csv_num(out, g.gen_tps);
    sep!();
    push_csv_opt_text(out, g.error);
    sep!();
    out.push_str(if g.flagged { "true" } else { "false" });
    sep!();
    push_csv_opt_text(out, row.flag_reason);
    sep!();
    push_csv_text(out, g.review_status);
    sep!();
    push_csv_opt_text(out, row.review_note);
    sep!();
    push_csv_opt_text(out, row.corrected_answer);
    sep!();
    push_csv_opt_text(out, row.reviewer);
    sep!();
    push_csv_num(out, Some(events.len()));
    sep!();
    push_csv_text(out, &joined(events.iter().map(|e| e.stage.as_str())));
    sep!();
    push_csv_text(out, &joined(events.iter().map(|e| e.scanner.as_str())));
    sep!();
    push_csv_text(out, &joined(events.iter().map(|e| e.category.as_str())));
    sep!();
    push_csv_text(out, &joined(events.iter().map(|e| e.action.as_str())));
    sep!();
    let worst = events
        .iter()
        .filter_map(|e| e.action.parse::<Action>().ok())
        .max_by_key(|a| a.severity());
    push_csv_opt_text(out, worst.map(Action::as_str));
    sep!();
    push_csv_num(out, events.iter().map(|e| e.score).reduce(f64::max));
    out.push_str("\r\n");
}

impl AuditLog {
    /// Streams the generations matching `filter` to `out` in `format`, oldest first.
    ///
    /// `progress(done, total)` is called once per chunk and at the end. Setting `cancel`
    /// stops the export with [`AuditError::Cancelled`] (checked before every chunk of
    /// 500 rows is written, and once more at the end: a cancel set before the export
    /// returns always wins). Memory stays bounded by a few chunks of rows whatever the
    /// size of the log. The export runs on this thread (reading) and on worker threads
    /// (formatting, and writing to `out`, hence `Send`): give it a buffered writer to a
    /// local file or memory.
    pub async fn export<W: Write + Send>(
        &self,
        mut out: W,
        format: ExportFormat,
        filter: &Filter,
        mut progress: impl FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<ExportSummary> {
        self.index_for_search(filter).await;
        let mut conn = self.conn().await?;
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT count(*)");
        query::push_from_join_where(&mut qb, filter, JOINS);
        qb.push(format.condition());
        let total: i64 = qb.build_query_scalar().fetch_one(&mut *conn).await?;
        let total = total as u64;
        progress(0, total);

        let with_events = matches!(format, ExportFormat::Jsonl | ExportFormat::Csv);
        if format == ExportFormat::Csv {
            let mut line = String::new();
            for (i, h) in CSV_HEADER.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(h);
            }
            line.push_str("\r\n");
            out.write_all(line.as_bytes())?;
        }

        // Three stages on their own threads: this one steps SQLite (see `scan`, the whole
        // export under one lock of the connection), formatter threads serialize the chunks
        // read before (JSON escaping is a third of an export), and a writer thread writes
        // the formatted chunks in order (copying gigabytes into the page cache is another
        // third).
        let written = AtomicU64::new(0);
        let out = &mut out;
        let written_ref = &written;
        scan::with_raw(&mut conn, |db| {
            std::thread::scope(|s| {
                let (to_writer, formatted) = mpsc::sync_channel::<Formatted>(2);
                let writer = s.spawn(move || -> Result<()> {
                    for chunk in formatted {
                        if cancel.load(Ordering::Relaxed) {
                            return Err(AuditError::Cancelled);
                        }
                        out.write_all(&chunk.bytes)?;
                        written_ref.fetch_add(chunk.rows, Ordering::Relaxed);
                    }
                    out.flush()?;
                    Ok(())
                });
                let read = read_all(db, filter, format, with_events, &to_writer, |n| {
                    progress(n, total.max(n))
                });
                drop(to_writer);
                let wrote = writer.join().unwrap_or_else(|_| {
                    Err(AuditError::InvalidState(
                        "the export writer panicked".into(),
                    ))
                });
                // The writer's error first: when it fails (disk full, cancel) the reader
                // only sees a closed channel and stops. Otherwise the reader's.
                match (read, wrote) {
                    (_, Err(e)) | (Err(e), Ok(())) => Err(e),
                    (Ok(()), Ok(())) => Ok(()),
                }
            })
        })
        .await?;
        let done = written.load(Ordering::Relaxed);
        progress(done, total.max(done));
        // A cancel that came too late to stop a chunk still cancels the export: the
        // caller asked for no file.
        if cancel.load(Ordering::Relaxed) {
            return Err(AuditError::Cancelled);
        }
        Ok(ExportSummary { rows: done, total })
    }

    /// [`export`](Self::export) to a file, atomically: a temp file in the same folder,
    /// fsynced, then renamed over `path`. On error or cancel nothing is left behind and an
    /// existing file at `path` is untouched.
    pub async fn export_to_path(
        &self,
        path: impl AsRef<Path>,
        format: ExportFormat,
        filter: &Filter,
        progress: impl FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<ExportSummary> {
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
        let tmp = tempfile::Builder::new()
            .prefix(".warden-export-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        let summary = {
            #[cfg(unix)]
            let mut writer = crate::direct::ExportFile::new(tmp.as_file(), tmp.path());
            #[cfg(not(unix))]
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file());
            self.export(&mut writer, format, filter, progress, cancel)
                .await?
        };
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| AuditError::Io(e.error))?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(dir) {
            // Make the rename itself durable; best effort (not every filesystem allows it).
            let _ = d.sync_all();
        }
        Ok(summary)
    }
}

/// Reads every row the export selects, a chunk at a time, hands each chunk to formatter
/// threads and their output, in order, to the writer. Calls `progress(rows formatted)`
/// after each chunk. Stops early when the writer is gone (it failed or saw the cancel).
fn read_all(
    db: &rusqlite::Connection,
    filter: &Filter,
    format: ExportFormat,
    with_events: bool,
    to_writer: &mpsc::SyncSender<Formatted>,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let mut formatters: Formatters =
        pipeline::Ordered::start(pipeline::workers(), "warden-export", move |c| {
            format_chunk(format, c)
        })?;
    let mut formatted = 0u64;
    // Hands the oldest formatted chunk to the writer; false when the writer is gone.
    let mut forward = |formatters: &mut Formatters| -> Result<bool> {
        let chunk = formatters.next().ok_or_else(formatter_stopped)??;
        formatted += chunk.rows;
        progress(formatted);
        Ok(to_writer.send(chunk).is_ok())
    };
    let mut after = i64::MIN;
    loop {
        let mut q = query::RawSql::default();
        q.sql(&format!(
            "SELECT {}, r.note, r.corrected_answer, r.reviewer, \
             (SELECT fr.flag_reason FROM reviews fr WHERE fr.generation_id = g.id \
              AND fr.kind = 'flag' ORDER BY fr.id DESC LIMIT 1)",
            record::gen_cols()
        ));
        let id_col = query::push_from_join_where(&mut q, filter, JOINS);
        q.sql(format.condition());
        q.sql(&format!(" AND {id_col} > ")).bind_i64(after);
        q.sql(&format!(" ORDER BY {id_col} LIMIT ")).bind_i64(CHUNK);
        let chunk = read_chunk(db, &q, with_events)?;
        let Some(last) = chunk.rows.last().map(|r| r.id) else {
            break;
        };
        after = last;
        if formatters.is_full() && !forward(&mut formatters)? {
            return Ok(());
        }
        if !formatters.submit(chunk) {
            return Err(formatter_stopped());
        }
    }
    while formatters.in_flight() > 0 {
        if !forward(&mut formatters)? {
            return Ok(());
        }
    }
    Ok(())
}

/// A chunk of rows read from SQLite, on its way to a formatter thread: the rows' text in
/// one string (generations packed, see `record::pack_gen`), their guard events.
#[derive(Default)]
struct ReadChunk {
    text: String,
    rows: Vec<ReadRow>,
    events: HashMap<i64, Vec<EventRow>>,
}

/// One row of a [`ReadChunk`], its text fields as ranges of `ReadChunk::text`.
struct ReadRow {
    id: i64,
    gen: Range<usize>,
    reals: [Option<f64>; 3],
    /// Review note, corrected answer, reviewer, newest flag reason.
    review: [Option<Range<usize>>; 4],
}

fn read_chunk(
    db: &rusqlite::Connection,
    q: &query::RawSql,
    with_events: bool,
) -> Result<ReadChunk> {
    let mut chunk = ReadChunk::default();
    {
        let mut stmt = db.prepare_cached(&q.text)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(q.args.iter()))?;
        let n = record::GEN_COL_COUNT;
        while let Some(r) = rows.next()? {
            let (gen, reals) = record::pack_gen(r, 0, &mut chunk.text)?
                .ok_or_else(|| AuditError::InvalidState("generation row without id".into()))?;
            let mut review: [Option<Range<usize>>; 4] = Default::default();
            for (i, slot) in review.iter_mut().enumerate() {
                *slot = r
                    .opt_str(n + i)?
                    .map(|t| record::push_range(&mut chunk.text, t));
            }
            chunk.rows.push(ReadRow {
                id: r.i64(0)?,
                gen,
                reals,
                review,
            });
        }
    }
    if with_events && !chunk.rows.is_empty() {
        let ids: Vec<i64> = chunk.rows.iter().map(|r| r.id).collect();
        chunk.events = load_events(db, &ids)?;
    }
    Ok(chunk)
}

/// A formatted chunk: the bytes of its rows, back to back.
struct Formatted {
    bytes: Vec<u8>,
    rows: u64,
}

type Formatters = pipeline::Ordered<ReadChunk, Result<Formatted>>;

fn formatter_stopped() -> AuditError {
    AuditError::InvalidState("an export formatter thread stopped".into())
}

/// Formats a chunk's rows (on a formatter thread).
fn format_chunk(format: ExportFormat, mut chunk: ReadChunk) -> Result<Formatted> {
    let mut csv = String::new();
    let mut bytes = Vec::with_capacity(chunk.text.len() + chunk.text.len() / 4);
    let text = chunk.text.as_str();
    let field = |r: &Option<Range<usize>>| r.clone().map(|r| &text[r]);
    for row in &chunk.rows {
        let g = GenRef::from_parts(&text[row.gen.clone()], row.reals)?;
        let [review_note, corrected_answer, reviewer, flag_reason] = &row.review;
        let row_out = ExportRow {
            g,
            review_note: field(review_note),
            corrected_answer: field(corrected_answer),
            reviewer: field(reviewer),
            flag_reason: field(flag_reason),
        };
        let evs = chunk.events.remove(&row.id).unwrap_or_default();
        write_record(&mut bytes, &mut csv, format, &row_out, &evs)?;
    }
    Ok(Formatted {
        bytes,
        rows: chunk.rows.len() as u64,
    })
}

fn load_events(
    db: &rusqlite::Connection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<EventRow>>> {
    let mut out: std::collections::HashMap<i64, Vec<EventRow>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT {} FROM guard_events WHERE generation_id IN (SELECT value FROM json_each(?)) \
         ORDER BY generation_id, id",
        record::EVENT_COLS
    );
    let mut stmt = db.prepare(&sql)?;
    let mut rows = stmt.query([record::id_list(ids)])?;
    while let Some(r) = rows.next()? {
        let e = EventRow::from_row(r)?;
        out.entry(e.generation_id).or_default().push(e);
    }
    Ok(out)
}

fn json_line<T: Serialize>(buf: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *buf, value)?;
    buf.push(b'\n');
    Ok(())
}

/// Appends one record to `buf`.
fn write_record(
    buf: &mut Vec<u8>,
    csv: &mut String,
    format: ExportFormat,
    row: &ExportRow<'_>,
    events: &[EventRow],
) -> Result<()> {
    let g = &row.g;
    match format {
        ExportFormat::Csv => {
            csv.clear();
            csv_row(csv, row, events);
            buf.extend_from_slice(csv.as_bytes());
        }
        ExportFormat::Jsonl => {
            let rec = JsonlOut {
                id: g.id,
                conversation_id: g.conversation_id,
                turn_index: g.turn_index,
                created_at: g.created_at,
                finished_at: g.finished_at,
                status: g.status,
                stop_reason: g.stop_reason,
                model_name: g.model_name,
                model_sha256: g.model_sha256,
                model_meta: json(g.model_meta),
                settings: json(g.settings),
                app_version: g.app_version,
                prompt: g.prompt,
                rendered_prompt_hash: g.rendered_prompt_hash,
                reasoning: g.reasoning,
                answer: g.answer,
                prompt_tokens: g.prompt_tokens,
                completion_tokens: g.completion_tokens,
                ttft_ms: g.ttft_ms,
                prompt_tps: g.prompt_tps,
                gen_tps: g.gen_tps,
                error: g.error,
                review: ReviewOut {
                    status: g.review_status,
                    flagged: g.flagged,
                    flag_reason: row.flag_reason,
                    note: row.review_note,
                    corrected_answer: row.corrected_answer,
                    reviewer: row.reviewer,
                },
                guard_events: events
                    .iter()
                    .map(|e| EventOut {
                        id: e.id,
                        stage: &e.stage,
                        scanner: &e.scanner,
                        category: &e.category,
                        score: e.score,
                        action: &e.action,
                        spans: json(&e.spans),
                        policy_version: &e.policy_version,
                        created_at: e.created_at,
                    })
                    .collect(),
            };
            json_line(buf, &rec)?;
        }
        ExportFormat::Sft => {
            let content = row
                .corrected_answer
                .filter(|c| !c.is_empty())
                .unwrap_or(g.answer);
            let rec = SftOut {
                messages: [
                    Message {
                        role: "user",
                        content: g.prompt,
                    },
                    Message {
                        role: "assistant",
                        content,
                    },
                ],
            };
            json_line(buf, &rec)?;
        }
        ExportFormat::Preference => {
            let rec = PreferenceOut {
                prompt: g.prompt,
                chosen: row.corrected_answer.unwrap_or_default(),
                rejected: g.answer,
            };
            json_line(buf, &rec)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::push_csv_text;

    #[test]
    fn csv_cells_that_look_like_formulas_get_a_leading_quote() {
        for (cell, want) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("plain", "plain"),
        ] {
            let mut out = String::new();
            push_csv_text(&mut out, cell);
            assert_eq!(out, want, "cell {cell:?}");
        }
    }

    #[test]
    fn csv_cells_with_separators_are_quoted_with_doubled_quotes() {
        let mut out = String::new();
        push_csv_text(&mut out, "a,\"b\"\nc");
        assert_eq!(out, "\"a,\"\"b\"\"\nc\"");
        let mut out = String::new();
        push_csv_text(&mut out, "\r=x");
        assert_eq!(out, "\"'\r=x\"");
    }
}
