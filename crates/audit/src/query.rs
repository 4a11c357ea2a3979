//! Review queries: list, show, stats. One filter builder serves these and the exports, so a
//! filter means the same thing everywhere.

use crate::error::{AuditError, Result};
use crate::record::{self, ReviewRow, REVIEW_COLS};
use crate::types::*;
use crate::AuditLog;
use sqlx::{QueryBuilder, Row, Sqlite};

/// Turns plain words into an FTS5 query: each word a quoted phrase (so punctuation and
/// FTS5 operators in user text are literal), all required; a trailing `*` keeps prefix
/// matching.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter_map(|word| {
            let (word, prefix) = match word.strip_suffix('*') {
                Some(w) => (w, true),
                None => (word, false),
            };
            if word.is_empty() {
                return None;
            }
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            Some(if prefix { quoted + "*" } else { quoted })
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The id column [`push_from_where`] will order and page by for this filter.
fn id_col_of(f: &Filter) -> &'static str {
    if f.text.as_deref().and_then(fts_query).is_some() {
        "generations_fts.rowid"
    } else {
        "g.id"
    }
}

/// Pushes ` FROM ... WHERE ...` for the filter and returns the id column to order and page
/// by. With text search the FTS table drives the query, so "newest matches first" walks
/// the full-text index backwards and stops after one page instead of collecting every match.
pub(crate) fn push_from_where(qb: &mut QueryBuilder<'_, Sqlite>, f: &Filter) -> &'static str {
    push_from_join_where(qb, f, "")
}

/// Where the filter SQL goes: sqlx's `QueryBuilder`, or [`RawSql`] for a scan read straight
/// from SQLite (see [`crate::scan`]).
pub(crate) trait Binder {
    fn sql(&mut self, text: &str) -> &mut Self;
    fn bind_i64(&mut self, v: i64) -> &mut Self;
    fn bind_text(&mut self, v: String) -> &mut Self;
}

impl Binder for QueryBuilder<'_, Sqlite> {
    fn sql(&mut self, text: &str) -> &mut Self {
        self.push(text)
    }
    fn bind_i64(&mut self, v: i64) -> &mut Self {
        self.push_bind(v);
        self
    }
    fn bind_text(&mut self, v: String) -> &mut Self {
        self.push_bind(v);
        self
    }
}

/// SQL text with `?` placeholders and their values, for `rusqlite`.
#[derive(Debug, Default)]
pub(crate) struct RawSql {
    pub text: String,
    pub args: Vec<rusqlite::types::Value>,
}

impl Binder for RawSql {
    fn sql(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    fn bind_i64(&mut self, v: i64) -> &mut Self {
        self.text.push('?');
        self.args.push(rusqlite::types::Value::Integer(v));
        self
    }
    fn bind_text(&mut self, v: String) -> &mut Self {
        self.text.push('?');
        self.args.push(rusqlite::types::Value::Text(v));
        self
    }
}

/// [`push_from_where`] with extra joins (which may refer to `g`) before the `WHERE`.
pub(crate) fn push_from_join_where(qb: &mut impl Binder, f: &Filter, joins: &str) -> &'static str {
    let id_col = match f.text.as_deref().and_then(fts_query) {
        Some(q) => {
            qb.sql(&format!(
                " FROM generations_fts JOIN generations g ON g.id = generations_fts.rowid {joins} \
                 WHERE generations_fts MATCH "
            ));
            qb.bind_text(q);
            "generations_fts.rowid"
        }
        None => {
            qb.sql(&format!(" FROM generations g {joins} WHERE 1 = 1"));
            "g.id"
        }
    };
    if let Some(flagged) = f.flagged {
        qb.sql(if flagged {
            " AND g.flagged = 1"
        } else {
            " AND g.flagged = 0"
        });
    }
    if let Some(s) = f.review_status {
        qb.sql(" AND g.review_status = ")
            .bind_text(s.as_str().to_owned());
    }
    if let Some(m) = &f.model {
        qb.sql(" AND g.model_name = ").bind_text(m.clone());
    }
    if let Some(s) = f.status {
        qb.sql(" AND g.status = ").bind_text(s.as_str().to_owned());
    }
    if let Some(c) = f.conversation_id {
        qb.sql(" AND g.conversation_id = ").bind_i64(c);
    }
    if let Some(from) = f.from {
        qb.sql(" AND g.created_at >= ").bind_i64(from);
    }
    if let Some(to) = f.to {
        qb.sql(" AND g.created_at < ").bind_i64(to);
    }
    if f.category.is_some() || f.stage.is_some() || f.action.is_some() {
        qb.sql(" AND EXISTS (SELECT 1 FROM guard_events e WHERE e.generation_id = g.id");
        if let Some(c) = &f.category {
            qb.sql(" AND e.category = ").bind_text(c.clone());
        }
        if let Some(s) = f.stage {
            qb.sql(" AND e.stage = ").bind_text(s.as_str().to_owned());
        }
        if let Some(a) = f.action {
            qb.sql(" AND e.action = ").bind_text(a.as_str().to_owned());
        }
        qb.sql(")");
    }
    id_col
}

fn action_from_rank(rank: Option<i64>) -> Option<Action> {
    match rank? {
        3 => Some(Action::Block),
        2 => Some(Action::Redact),
        1 => Some(Action::Flag),
        _ => Some(Action::Allow),
    }
}

pub(crate) const ACTION_RANK: &str =
    "CASE action WHEN 'block' THEN 3 WHEN 'redact' THEN 2 WHEN 'flag' THEN 1 ELSE 0 END";

impl AuditLog {
    /// One page of generations matching `filter`, newest first, with short previews.
    pub async fn list(&self, filter: &Filter, page: Page) -> Result<Vec<GenerationSummary>> {
        // Two steps in one statement: the inner query finds the page's ids (often from an
        // index alone, e.g. a date range over `generations_created`), the outer one reads
        // the previews and guard summaries for those rows only. Selecting the columns in
        // one flat query made SQLite read and sort every row in a date range before keeping 50.
        self.index_for_search(filter).await;
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT g.id, g.conversation_id, g.created_at, g.finished_at, g.model_name, \
             g.status, g.stop_reason, substr(g.prompt, 1, 200), substr(g.answer, 1, 200), \
             g.flagged, g.review_status, \
             (SELECT group_concat(DISTINCT category) FROM guard_events e \
              WHERE e.generation_id = g.id), \
             (SELECT max({ACTION_RANK}) FROM guard_events e WHERE e.generation_id = g.id) \
             FROM (SELECT "
        ));
        qb.push(format!("{} AS page_id", id_col_of(filter)));
        let id_col = push_from_where(&mut qb, filter);
        if let Some(before) = page.before {
            qb.push(format!(" AND {id_col} < ")).push_bind(before.0);
        }
        qb.push(format!(" ORDER BY {id_col} DESC LIMIT "))
            .push_bind(i64::from(page.limit))
            .push(" OFFSET ")
            .push_bind(i64::from(page.offset))
            .push(") page JOIN generations g ON g.id = page.page_id ORDER BY page.page_id DESC");
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let categories: Option<String> = r.try_get(11)?;
                Ok(GenerationSummary {
                    id: GenerationId(r.try_get(0)?),
                    conversation_id: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    finished_at: r.try_get(3)?,
                    model_name: r.try_get(4)?,
                    status: r.try_get::<String, _>(5)?.parse()?,
                    stop_reason: r.try_get(6)?,
                    prompt_preview: r.try_get(7)?,
                    answer_preview: r.try_get(8)?,
                    flagged: r.try_get(9)?,
                    review_status: r.try_get::<String, _>(10)?.parse()?,
                    categories: categories
                        .map(|c| c.split(',').map(str::to_owned).collect())
                        .unwrap_or_default(),
                    worst_action: action_from_rank(r.try_get(12)?),
                })
            })
            .collect()
    }

    /// How many generations match `filter`.
    pub async fn count(&self, filter: &Filter) -> Result<u64> {
        self.index_for_search(filter).await;
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT count(*)");
        push_from_where(&mut qb, filter);
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Everything about one generation: full text, guard events, review history and its
    /// chain entry.
    pub async fn show(&self, id: GenerationId) -> Result<GenerationDetail> {
        let mut conn = self.conn().await?;
        let (g, events) =
            record::load_generation(&mut conn, id.0)
                .await?
                .ok_or(AuditError::NotFound {
                    what: "generation",
                    id: id.0,
                })?;
        let sql = format!("SELECT {REVIEW_COLS} FROM reviews WHERE generation_id = ? ORDER BY id");
        let reviews = sqlx::query(&sql)
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(ReviewRow::from_row)
            .collect::<Result<Vec<_>>>()?;
        let chain =
            sqlx::query("SELECT seq, hash FROM chain WHERE kind = 'generation' AND ref_id = ?")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| -> Result<ChainHead> {
                    Ok(ChainHead {
                        seq: r.try_get(0)?,
                        hash: r.try_get(1)?,
                    })
                })
                .transpose()?;
        g.into_detail(events, reviews, chain)
    }

    /// Counts over the generations matching `filter`: by status, verdict, guard category,
    /// action, stage and day, and the flag rate.
    ///
    /// Every count is read from an index where the filter allows (migration
    /// `20261129000002`): on a 1M-generation log the whole set took ~12 s when the day
    /// counts read the rows themselves.
    pub async fn stats(&self, filter: &Filter) -> Result<Stats> {
        self.index_for_search(filter).await;
        let mut conn = self.conn().await?;
        let mut stats = Stats::default();
        // Without a filter the guard-event counts need no generation at all; with one they
        // count the events of the matching generations.
        let unfiltered = *filter == Filter::default();
        let events_of = |select: &str| {
            let mut qb = QueryBuilder::<Sqlite>::new(select);
            qb.push(" FROM guard_events e");
            if !unfiltered {
                qb.push(" WHERE e.generation_id IN (SELECT g.id");
                push_from_where(&mut qb, filter);
                qb.push(")");
            }
            qb
        };

        // Generations with a language verdict per day come from the per-category counts
        // below; here, the ones with any non-allow verdict.
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT date(g.created_at / 1000, 'unixepoch'), count(*), sum(g.flagged), \
             sum(EXISTS (SELECT 1 FROM guard_events e WHERE e.generation_id = g.id \
                         AND e.action <> 'allow'))",
        );
        push_from_where(&mut qb, filter);
        qb.push(" GROUP BY 1 ORDER BY 1");
        let n = |r: &sqlx::sqlite::SqliteRow, i: usize| -> Result<u64> {
            Ok(r.try_get::<Option<i64>, _>(i)?.unwrap_or(0) as u64)
        };
        for r in qb.build().fetch_all(&mut *conn).await? {
            let day = DayCount {
                day: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
                count: n(&r, 1)?,
                flagged: n(&r, 2)?,
                guarded: n(&r, 3)?,
                language_mixed: 0,
            };
            stats.total += day.count;
            stats.flagged += day.flagged;
            stats.by_day.push(day);
        }
        stats.flag_rate = if stats.total == 0 {
            0.0
        } else {
            stats.flagged as f64 / stats.total as f64
        };

        for (column, out) in [
            ("g.status", &mut stats.by_status),
            ("g.review_status", &mut stats.by_review_status),
        ] {
            let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {column}, count(*)"));
            push_from_where(&mut qb, filter);
            qb.push(" GROUP BY 1 ORDER BY 2 DESC, 1");
            *out = counts(qb.build().fetch_all(&mut *conn).await?)?;
        }

        for (column, out) in [
            ("e.category", &mut stats.by_category),
            ("e.action", &mut stats.by_action),
            ("e.stage", &mut stats.by_stage),
        ] {
            let mut qb = events_of(&format!("SELECT {column}, count(*)"));
            qb.push(" GROUP BY 1 ORDER BY 2 DESC, 1");
            *out = counts(qb.build().fetch_all(&mut *conn).await?)?;
        }

        // Generations (in a day's order) joined to their non-allow verdicts: the dates come
        // from the date index, the verdicts from the (generation, action, category) index.
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT date(g.created_at / 1000, 'unixepoch'), e.category, count(DISTINCT g.id)",
        );
        push_from_join_where(
            &mut qb,
            filter,
            "CROSS JOIN guard_events e ON e.generation_id = g.id",
        );
        qb.push(" AND e.action <> 'allow' GROUP BY 1, 2 ORDER BY 1, 2");
        for r in qb.build().fetch_all(&mut *conn).await? {
            let c = DayCategoryCount {
                day: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
                category: r.try_get(1)?,
                count: n(&r, 2)?,
            };
            if c.category == "language" {
                if let Some(d) = stats.by_day.iter_mut().find(|d| d.day == c.day) {
                    d.language_mixed = c.count;
                }
            }
            stats.by_day_category.push(c);
        }

        // One row per stage with a column per action (the schema allows these four): the
        // grouping follows the stage index's order, where grouping by (stage, action) sorted
        // every event first.
        const ACTIONS: [&str; 4] = ["allow", "block", "flag", "redact"];
        let sums: Vec<String> = ACTIONS
            .iter()
            .map(|a| format!("sum(e.action = '{a}')"))
            .collect();
        let mut qb = events_of(&format!("SELECT e.stage, {}", sums.join(", ")));
        qb.push(" GROUP BY 1 ORDER BY 1");
        for r in qb.build().fetch_all(&mut *conn).await? {
            let stage: String = r.try_get(0)?;
            for (i, action) in ACTIONS.iter().enumerate() {
                let count = n(&r, i + 1)?;
                if count > 0 {
                    stats.by_stage_action.push(StageActionCount {
                        stage: stage.clone(),
                        action: (*action).to_owned(),
                        count,
                    });
                }
            }
        }
        Ok(stats)
    }
}

fn counts(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<Count>> {
    rows.iter()
        .map(|r| {
            Ok(Count {
                key: r.try_get(0)?,
                count: r.try_get::<i64, _>(1)? as u64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn plain_words_become_quoted_phrases() {
        assert_eq!(
            fts_query("hello world").as_deref(),
            Some("\"hello\" \"world\"")
        );
    }

    #[test]
    fn fts_operators_in_user_text_are_literal() {
        assert_eq!(
            fts_query("a\"b OR NEAR(").as_deref(),
            Some("\"a\"\"b\" \"OR\" \"NEAR(\"")
        );
    }

    #[test]
    fn a_trailing_star_keeps_prefix_search() {
        assert_eq!(fts_query("chem*").as_deref(), Some("\"chem\"*"));
        assert_eq!(fts_query("  * ").as_deref(), None);
    }
}
