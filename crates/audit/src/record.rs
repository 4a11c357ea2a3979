//! Raw rows as stored, shared by the chain (which hashes them exactly as stored), `show` and
//! the exports. Enum columns stay text here so that a hand-edited value is hashed, not lost.

use crate::error::{AuditError, Result};
use crate::scan;
use crate::types::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// Columns of `generations` (aliased `g`) in [`GenRow::from_row`]'s order.
pub(crate) const GEN_COLS: &str = "g.id, g.conversation_id, g.turn_index, g.prompt, \
    g.rendered_prompt_hash, g.model_name, g.model_sha256, g.model_meta, g.settings, \
    g.reasoning, g.answer, g.status, g.stop_reason, g.prompt_tokens, g.completion_tokens, \
    g.ttft_ms, g.prompt_tps, g.gen_tps, g.error, g.app_version, g.created_at, g.finished_at, \
    g.flagged, g.review_status";

/// Columns of `guard_events` in [`EventRow::from_row`]'s order.
pub(crate) const EVENT_COLS: &str = "id, generation_id, stage, scanner, category, score, \
    action, spans, policy_version, created_at";

/// Columns of `reviews` in [`ReviewRow::from_row`]'s order.
pub(crate) const REVIEW_COLS: &str =
    "id, generation_id, kind, flag_reason, status, note, corrected_answer, reviewer, created_at";

// Packed rows, for long scans (verify, export).
//
// sqlx hands every value of every row from its SQLite thread to ours as a separately
// allocated copy; at 24 columns that per-value cost, not SQLite, dominated a full scan
// (2.2 s for 100k generations against 0.6 s for the same bytes in two columns). Long scans
// therefore step SQLite directly (see [`crate::scan`]) and keep a generation as one packed
// string, each field `N` for NULL or `<byte length>:<text>` (integers as their exact
// decimal text), with the REAL columns beside it (their text form is not exact). The scan
// packs the rows of a chunk into one buffer ([`pack_gen`]: one allocation per chunk, which
// a worker thread can take whole) and [`Unpack`] reads them back without copying. Guard
// events, a few per generation, are read as plain columns (verify copies them into the
// same buffer as ranges).

/// Column access shared by sqlx's rows and rows read directly from SQLite (see
/// [`crate::scan`]), so the packed readers serve both.
pub(crate) trait Cols {
    fn opt_str(&self, i: usize) -> Result<Option<&str>>;
    fn opt_f64(&self, i: usize) -> Result<Option<f64>>;
    fn i64(&self, i: usize) -> Result<i64>;
    fn str(&self, i: usize) -> Result<&str> {
        self.opt_str(i)?
            .ok_or_else(|| AuditError::InvalidState(format!("column {i} is NULL")))
    }
    fn f64(&self, i: usize) -> Result<f64> {
        self.opt_f64(i)?
            .ok_or_else(|| AuditError::InvalidState(format!("column {i} is NULL")))
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>>;
}

impl Cols for SqliteRow {
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        Ok(self.try_get(i)?)
    }
    fn opt_f64(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.try_get(i)?)
    }
    fn i64(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.try_get(i)?)
    }
}

impl Cols for rusqlite::Row<'_> {
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        Ok(self.get_ref(i)?.as_str_or_null()?)
    }
    fn opt_f64(&self, i: usize) -> Result<Option<f64>> {
        Ok(self.get_ref(i)?.as_f64_or_null()?)
    }
    fn i64(&self, i: usize) -> Result<i64> {
        Ok(self.get_ref(i)?.as_i64()?)
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get_ref(i)?.as_i64_or_null()?)
    }
}

/// SQL for one packed string of `cols` (see [`Unpack`]): the format's definition in SQL,
/// which the test of [`Unpack`] reads back.
#[cfg(test)]
fn packed_sql(cols: &[&str]) -> String {
    cols.iter()
        .map(|c| format!("ifnull(octet_length({c}) || ':' || {c}, 'N')"))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// Reads fields back from a packed string (`N`, or `<byte length>:<text>`, per field).
pub(crate) struct Unpack<'a> {
    rest: &'a str,
}

impl<'a> Unpack<'a> {
    pub(crate) fn new(packed: &'a str) -> Self {
        Unpack { rest: packed }
    }

    fn bad() -> AuditError {
        AuditError::InvalidState("malformed packed row".into())
    }

    pub(crate) fn opt_str(&mut self) -> Result<Option<&'a str>> {
        if let Some(rest) = self.rest.strip_prefix('N') {
            self.rest = rest;
            return Ok(None);
        }
        let colon = self.rest.find(':').ok_or_else(Self::bad)?;
        let len: usize = self.rest[..colon].parse().map_err(|_| Self::bad())?;
        let start = colon + 1;
        let field = self.rest.get(start..start + len).ok_or_else(Self::bad)?;
        self.rest = &self.rest[start + len..];
        Ok(Some(field))
    }

    pub(crate) fn str(&mut self) -> Result<&'a str> {
        self.opt_str()?.ok_or_else(Self::bad)
    }

    pub(crate) fn opt_i64(&mut self) -> Result<Option<i64>> {
        self.opt_str()?
            .map(|t| t.parse().map_err(|_| Self::bad()))
            .transpose()
    }

    pub(crate) fn i64(&mut self) -> Result<i64> {
        self.opt_i64()?.ok_or_else(Self::bad)
    }
}

/// The packed columns of `generations` (aliased `g`), in [`GenRef::from_packed`]'s order;
/// the REAL columns `ttft_ms, prompt_tps, gen_tps` follow as plain columns.
const GEN_PACKED: &[&str] = &[
    "g.id",
    "g.conversation_id",
    "g.turn_index",
    "g.prompt",
    "g.rendered_prompt_hash",
    "g.model_name",
    "g.model_sha256",
    "g.model_meta",
    "g.settings",
    "g.reasoning",
    "g.answer",
    "g.status",
    "g.stop_reason",
    "g.prompt_tokens",
    "g.completion_tokens",
    "g.error",
    "g.app_version",
    "g.created_at",
    "g.finished_at",
    "g.flagged",
    "g.review_status",
];

/// Select list for the same generation columns unpacked (plain columns, then the three
/// REAL ones), for scans that step SQLite directly and pack the row themselves with
/// [`pack_gen`]: packing in SQL concatenates the fields one by one, copying the row's
/// text once per field.
pub(crate) fn gen_cols() -> String {
    format!(
        "{}, g.ttft_ms, g.prompt_tps, g.gen_tps",
        GEN_PACKED.join(", ")
    )
}

/// Appends `text` to a chunk's buffer and returns where it lies: the scans keep a chunk's
/// text in one `String` (one allocation a worker thread can take whole) and its fields as
/// ranges of it.
pub(crate) fn push_range(out: &mut String, text: &str) -> std::ops::Range<usize> {
    let start = out.len();
    out.push_str(text);
    start..out.len()
}

/// How many columns [`gen_cols`] selects.
pub(crate) const GEN_COL_COUNT: usize = GEN_PACKED.len() + 3;

/// Appends the generation selected with [`gen_cols`] from column `at` to `out`, packed as
/// [`Unpack`] reads it, and returns where it lies in `out` and its REAL columns (the
/// arguments of [`GenRef::from_parts`]). `None` when there is no row (a LEFT JOIN that
/// matched nothing).
#[allow(clippy::type_complexity)]
pub(crate) fn pack_gen(
    r: &rusqlite::Row<'_>,
    at: usize,
    out: &mut String,
) -> Result<Option<(std::ops::Range<usize>, [Option<f64>; 3])>> {
    use rusqlite::types::ValueRef;
    if r.get_ref(at)? == ValueRef::Null {
        return Ok(None);
    }
    let mut num = itoa::Buffer::new();
    let mut field = |out: &mut String, text: &str| {
        out.push_str(num.format(text.len()));
        out.push(':');
        out.push_str(text);
    };
    let start = out.len();
    for i in at..at + GEN_PACKED.len() {
        match r.get_ref(i)? {
            ValueRef::Null => out.push('N'),
            ValueRef::Integer(v) => field(out, itoa::Buffer::new().format(v)),
            v @ ValueRef::Text(_) => field(out, v.as_str()?),
            ValueRef::Real(_) | ValueRef::Blob(_) => {
                return Err(AuditError::InvalidState(format!(
                    "generation column {} has an unexpected type",
                    GEN_PACKED[i - at]
                )))
            }
        }
    }
    let n = at + GEN_PACKED.len();
    let reals = [r.opt_f64(n)?, r.opt_f64(n + 1)?, r.opt_f64(n + 2)?];
    Ok(Some((start..out.len(), reals)))
}

/// A generation borrowed from a packed row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GenRef<'a> {
    pub id: i64,
    pub conversation_id: Option<i64>,
    pub turn_index: i64,
    pub prompt: &'a str,
    pub rendered_prompt_hash: &'a str,
    pub model_name: &'a str,
    pub model_sha256: Option<&'a str>,
    pub model_meta: &'a str,
    pub settings: &'a str,
    pub reasoning: &'a str,
    pub answer: &'a str,
    pub status: &'a str,
    pub stop_reason: Option<&'a str>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub ttft_ms: Option<f64>,
    pub prompt_tps: Option<f64>,
    pub gen_tps: Option<f64>,
    pub error: Option<&'a str>,
    pub app_version: &'a str,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub flagged: bool,
    pub review_status: &'a str,
}

impl<'a> GenRef<'a> {
    /// Reads a generation packed by [`pack_gen`]: the packed string and the REAL columns
    /// `[ttft_ms, prompt_tps, gen_tps]`.
    pub(crate) fn from_parts(packed: &'a str, reals: [Option<f64>; 3]) -> Result<Self> {
        let [ttft_ms, prompt_tps, gen_tps] = reals;
        let mut u = Unpack::new(packed);
        Ok(GenRef {
            id: u.i64()?,
            conversation_id: u.opt_i64()?,
            turn_index: u.i64()?,
            prompt: u.str()?,
            rendered_prompt_hash: u.str()?,
            model_name: u.str()?,
            model_sha256: u.opt_str()?,
            model_meta: u.str()?,
            settings: u.str()?,
            reasoning: u.str()?,
            answer: u.str()?,
            status: u.str()?,
            stop_reason: u.opt_str()?,
            prompt_tokens: u.opt_i64()?,
            completion_tokens: u.opt_i64()?,
            error: u.opt_str()?,
            app_version: u.str()?,
            created_at: u.i64()?,
            finished_at: u.opt_i64()?,
            flagged: u.i64()? != 0,
            review_status: u.str()?,
            ttft_ms,
            prompt_tps,
            gen_tps,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct GenRow {
    pub id: i64,
    pub conversation_id: Option<i64>,
    pub turn_index: i64,
    pub prompt: String,
    pub rendered_prompt_hash: String,
    pub model_name: String,
    pub model_sha256: Option<String>,
    pub model_meta: String,
    pub settings: String,
    pub reasoning: String,
    pub answer: String,
    pub status: String,
    pub stop_reason: Option<String>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub ttft_ms: Option<f64>,
    pub prompt_tps: Option<f64>,
    pub gen_tps: Option<f64>,
    pub error: Option<String>,
    pub app_version: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub flagged: bool,
    pub review_status: String,
}

impl GenRow {
    /// Reads a row selected with [`GEN_COLS`], through sqlx or directly.
    pub(crate) fn from_row<R: Cols>(r: &R) -> Result<Self> {
        let owned = |v: Option<&str>| v.map(str::to_owned);
        Ok(GenRow {
            id: r.i64(0)?,
            conversation_id: r.opt_i64(1)?,
            turn_index: r.i64(2)?,
            prompt: r.str(3)?.to_owned(),
            rendered_prompt_hash: r.str(4)?.to_owned(),
            model_name: r.str(5)?.to_owned(),
            model_sha256: owned(r.opt_str(6)?),
            model_meta: r.str(7)?.to_owned(),
            settings: r.str(8)?.to_owned(),
            reasoning: r.str(9)?.to_owned(),
            answer: r.str(10)?.to_owned(),
            status: r.str(11)?.to_owned(),
            stop_reason: owned(r.opt_str(12)?),
            prompt_tokens: r.opt_i64(13)?,
            completion_tokens: r.opt_i64(14)?,
            ttft_ms: r.opt_f64(15)?,
            prompt_tps: r.opt_f64(16)?,
            gen_tps: r.opt_f64(17)?,
            error: owned(r.opt_str(18)?),
            app_version: r.str(19)?.to_owned(),
            created_at: r.i64(20)?,
            finished_at: r.opt_i64(21)?,
            flagged: r.i64(22)? != 0,
            review_status: r.str(23)?.to_owned(),
        })
    }

    pub(crate) fn into_detail(
        self,
        events: Vec<EventRow>,
        reviews: Vec<ReviewRow>,
        chain: Option<ChainHead>,
    ) -> Result<GenerationDetail> {
        Ok(GenerationDetail {
            id: GenerationId(self.id),
            conversation_id: self.conversation_id,
            turn_index: self.turn_index,
            model_meta: parse_json_lenient(&self.model_meta),
            settings: parse_json_lenient(&self.settings),
            prompt: self.prompt,
            rendered_prompt_hash: self.rendered_prompt_hash,
            model_name: self.model_name,
            model_sha256: self.model_sha256,
            reasoning: self.reasoning,
            answer: self.answer,
            status: self.status.parse()?,
            stop_reason: self.stop_reason,
            prompt_tokens: self.prompt_tokens.map(clamp_u32),
            completion_tokens: self.completion_tokens.map(clamp_u32),
            ttft_ms: self.ttft_ms,
            prompt_tps: self.prompt_tps,
            gen_tps: self.gen_tps,
            error: self.error,
            app_version: self.app_version,
            created_at: self.created_at,
            finished_at: self.finished_at,
            flagged: self.flagged,
            review_status: self.review_status.parse()?,
            guard_events: events
                .into_iter()
                .map(EventRow::into_public)
                .collect::<Result<_>>()?,
            reviews: reviews
                .into_iter()
                .map(ReviewRow::into_public)
                .collect::<Result<_>>()?,
            chain,
        })
    }
}

pub(crate) fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, u32::MAX as i64) as u32
}

/// JSON text as a value; text that is not JSON (only possible by hand-editing) becomes a
/// string rather than an error, so a damaged row can still be shown.
pub(crate) fn parse_json_lenient(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub id: i64,
    pub generation_id: i64,
    pub stage: String,
    pub scanner: String,
    pub category: String,
    pub score: f64,
    pub action: String,
    pub spans: String,
    pub policy_version: String,
    pub created_at: i64,
}

impl EventRow {
    /// Reads a row selected with [`EVENT_COLS`], through sqlx or directly.
    pub(crate) fn from_row<R: Cols>(r: &R) -> Result<Self> {
        Ok(EventRow {
            id: r.i64(0)?,
            generation_id: r.i64(1)?,
            stage: r.str(2)?.to_owned(),
            scanner: r.str(3)?.to_owned(),
            category: r.str(4)?.to_owned(),
            score: r.f64(5)?,
            action: r.str(6)?.to_owned(),
            spans: r.str(7)?.to_owned(),
            policy_version: r.str(8)?.to_owned(),
            created_at: r.i64(9)?,
        })
    }

    pub(crate) fn into_public(self) -> Result<GuardEvent> {
        Ok(GuardEvent {
            id: self.id,
            generation_id: GenerationId(self.generation_id),
            stage: self.stage.parse()?,
            scanner: self.scanner,
            category: self.category,
            score: self.score,
            action: self.action.parse()?,
            spans: serde_json::from_str(&self.spans)?,
            policy_version: self.policy_version,
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ReviewRow {
    pub id: i64,
    pub generation_id: i64,
    pub kind: String,
    pub flag_reason: Option<String>,
    pub status: Option<String>,
    pub note: Option<String>,
    pub corrected_answer: Option<String>,
    pub reviewer: Option<String>,
    pub created_at: i64,
}

impl ReviewRow {
    /// Reads a row selected with [`REVIEW_COLS`], through sqlx or directly.
    pub(crate) fn from_row<R: Cols>(r: &R) -> Result<Self> {
        let owned = |v: Option<&str>| v.map(str::to_owned);
        Ok(ReviewRow {
            id: r.i64(0)?,
            generation_id: r.i64(1)?,
            kind: r.str(2)?.to_owned(),
            flag_reason: owned(r.opt_str(3)?),
            status: owned(r.opt_str(4)?),
            note: owned(r.opt_str(5)?),
            corrected_answer: owned(r.opt_str(6)?),
            reviewer: owned(r.opt_str(7)?),
            created_at: r.i64(8)?,
        })
    }

    pub(crate) fn into_public(self) -> Result<Review> {
        Ok(Review {
            id: self.id,
            generation_id: GenerationId(self.generation_id),
            kind: match self.kind.as_str() {
                "flag" => ReviewKind::Flag,
                "review" => ReviewKind::Review,
                other => {
                    return Err(AuditError::InvalidState(format!(
                        "unknown review kind {other:?}"
                    )))
                }
            },
            flag_reason: self.flag_reason,
            status: self.status.map(|s| s.parse()).transpose()?,
            note: self.note,
            corrected_answer: self.corrected_answer,
            reviewer: self.reviewer,
            created_at: self.created_at,
        })
    }
}

/// A JSON array of ids, for `IN (SELECT value FROM json_each(?))`: one bind however many.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

/// Loads generations with their guard events, keyed by id.
pub(crate) async fn load_generations(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (GenRow, Vec<EventRow>)>> {
    scan::with_raw(conn, |db| load_generations_raw(db, ids)).await
}

/// [`load_generations`] on a connection already in hand.
pub(crate) fn load_generations_raw(
    db: &rusqlite::Connection,
    ids: &[i64],
) -> Result<HashMap<i64, (GenRow, Vec<EventRow>)>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let list = id_list(ids);
    let sql = format!(
        "SELECT {GEN_COLS} FROM generations g WHERE g.id IN (SELECT value FROM json_each(?))"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let mut rows = stmt.query([&list])?;
    while let Some(row) = rows.next()? {
        let g = GenRow::from_row(row)?;
        out.insert(g.id, (g, Vec::new()));
    }
    let sql = format!(
        "SELECT {EVENT_COLS} FROM guard_events \
         WHERE generation_id IN (SELECT value FROM json_each(?)) ORDER BY generation_id, id"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let mut rows = stmt.query([&list])?;
    while let Some(row) = rows.next()? {
        let e = EventRow::from_row(row)?;
        if let Some((_, events)) = out.get_mut(&e.generation_id) {
            events.push(e);
        }
    }
    Ok(out)
}

/// Loads one generation with its guard events.
pub(crate) async fn load_generation(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<(GenRow, Vec<EventRow>)>> {
    Ok(load_generations(conn, &[id]).await?.remove(&id))
}

/// Loads reviews by id.
pub(crate) fn load_review_raw(db: &rusqlite::Connection, id: i64) -> Result<Option<ReviewRow>> {
    let mut stmt = db.prepare_cached(&format!("SELECT {REVIEW_COLS} FROM reviews WHERE id = ?"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(ReviewRow::from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn packed_fields_round_trip_text_nulls_and_integers() {
        let log = crate::AuditLog::open_in_memory().await.unwrap();
        let sql = format!(
            "SELECT {} AS p",
            packed_sql(&["'héllo: N 12:x\n'", "NULL", "''", "-42", "'N'"])
        );
        let row = sqlx::query(&sql).fetch_one(&log.pool).await.unwrap();
        let mut u = Unpack::new(row.try_get(0).unwrap());
        assert_eq!(u.str().unwrap(), "héllo: N 12:x\n");
        assert_eq!(u.opt_str().unwrap(), None);
        assert_eq!(u.str().unwrap(), "");
        assert_eq!(u.i64().unwrap(), -42);
        assert_eq!(u.str().unwrap(), "N");
        assert!(u.opt_str().is_err(), "nothing left");
    }
}
