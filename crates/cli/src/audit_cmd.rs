//! `warden audit …`: review, verify and export the audit log.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use warden_audit::{ExportFormat, Filter, GenerationId, Page, ReviewInput, ReviewStatus};
use warden_core::{Audit, Settings};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// List generations, newest first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// Rows per page.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Rows to skip.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one generation: prompt, reasoning, answer, verdicts, reviews.
    Show {
        /// Generation id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Flag a generation for review.
    Flag {
        /// Generation id.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record a reviewer's verdict.
    Review {
        /// Generation id.
        id: i64,
        /// ok, harmful or needs-fix.
        #[arg(long)]
        status: String,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// A file holding the corrected answer (feeds SFT and preference exports).
        #[arg(long)]
        correct_answer_file: Option<PathBuf>,
        /// Who reviewed.
        #[arg(long, env = "USER")]
        reviewer: Option<String>,
    },
    /// Counts by category, action, stage and day; flag rate.
    Stats {
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Walk the hash chain; exit code 1 at the first broken link.
    Verify {
        /// Also check the chain against a head hash kept elsewhere (`warden audit anchor`).
        #[arg(long)]
        anchor: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the chain's head hash, to keep somewhere else.
    Anchor,
    /// Export generations (atomically, with progress).
    Export {
        /// jsonl, csv, sft or preference.
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Give the space a prune freed back to the disk (rewrites the database file; close the
    /// desktop app first).
    Compact,
    /// Delete finalized generations older than a duration (e.g. 90d), keeping the chain verifiable.
    Prune {
        /// Age, like 90d or 12h (default: the configured retention).
        #[arg(long)]
        older_than: Option<String>,
    },
}

#[derive(Args, Default)]
pub struct FilterArgs {
    /// Only flagged generations.
    #[arg(long)]
    flagged: bool,
    /// unreviewed, ok, harmful or needs-fix.
    #[arg(long)]
    review_status: Option<String>,
    /// A category code (S1…S14, injection, pii, language, r1).
    #[arg(long)]
    category: Option<String>,
    /// input, reasoning or output.
    #[arg(long)]
    stage: Option<String>,
    /// allow, flag, redact or block.
    #[arg(long)]
    action: Option<String>,
    /// Model file name.
    #[arg(long)]
    model: Option<String>,
    /// running, completed, cancelled, blocked, failed or interrupted.
    #[arg(long)]
    status: Option<String>,
    /// From this date (YYYY-MM-DD, UTC) or age (7d).
    #[arg(long)]
    from: Option<String>,
    /// Up to this date (YYYY-MM-DD, UTC, exclusive) or age.
    #[arg(long)]
    to: Option<String>,
    /// Full-text search over prompt, reasoning and answer.
    #[arg(long)]
    text: Option<String>,
}

impl FilterArgs {
    fn build(&self) -> Result<Filter> {
        fn parse<T: FromStr>(v: &Option<String>, what: &str) -> Result<Option<T>>
        where
            T::Err: std::fmt::Display,
        {
            v.as_deref()
                .map(|s| T::from_str(s).map_err(|e| anyhow::anyhow!("--{what}: {e}")))
                .transpose()
        }
        Ok(Filter {
            flagged: self.flagged.then_some(true),
            review_status: parse(&self.review_status, "review-status")?,
            category: self.category.clone(),
            stage: parse(&self.stage, "stage")?,
            action: parse(&self.action, "action")?,
            model: self.model.clone(),
            status: parse(&self.status, "status")?,
            conversation_id: None,
            from: self.from.as_deref().map(parse_when).transpose()?,
            to: self.to.as_deref().map(parse_when).transpose()?,
            text: self.text.clone(),
        })
    }
}

/// `YYYY-MM-DD` (UTC midnight) or an age like `7d` / `12h`, as Unix milliseconds.
fn parse_when(s: &str) -> Result<i64> {
    if let Some(ms) = parse_age(s) {
        return Ok(warden_audit::now_ms() - ms);
    }
    let parts: Vec<&str> = s.split('-').collect();
    if let [y, m, d] = parts[..] {
        let (y, m, d): (i64, i64, i64) = (y.parse()?, m.parse()?, d.parse()?);
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            // Days from civil (Howard Hinnant).
            let y = if m <= 2 { y - 1 } else { y };
            let era = y.div_euclid(400);
            let yoe = y - era * 400;
            let mp = (m + 9) % 12;
            let doy = (153 * mp + 2) / 5 + d - 1;
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            let days = era * 146_097 + doe - 719_468;
            return Ok(days * 86_400_000);
        }
    }
    bail!("{s:?} is neither a date (YYYY-MM-DD) nor an age (like 7d or 12h)")
}

fn parse_age(s: &str) -> Option<i64> {
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return None,
    };
    Some(n * ms)
}

fn fmt_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

pub fn run(cmd: AuditCmd, settings: &Settings) -> Result<i32> {
    if let AuditCmd::Compact = cmd {
        // Before opening the log: compacting needs the file to itself.
        let path = settings.db_path();
        let pb = crate::term::spinner("compacting");
        let r = Audit::compact_configured(settings);
        pb.finish_and_clear();
        let r = r.with_context(|| format!("compacting the audit log {}", path.display()))?;
        let mb = |b: u64| b as f64 / 1e6;
        println!(
            "compacted {}: {:.1} MB -> {:.1} MB (page size {} -> {})",
            path.display(),
            mb(r.bytes_before),
            mb(r.bytes_after),
            r.page_size_before,
            r.page_size_after
        );
        return Ok(0);
    }
    let audit = Audit::open_configured(settings)
        .with_context(|| format!("opening the audit log {}", settings.db_path().display()))?;
    match cmd {
        AuditCmd::List {
            filter,
            limit,
            offset,
            json,
        } => {
            let f = filter.build()?;
            let page = Page {
                limit,
                offset,
                before: None,
            };
            let rows = audit.call(|a| a.list(&f, page))?;
            if json {
                for r in &rows {
                    println!("{}", serde_json::to_string(r)?);
                }
            } else if rows.is_empty() {
                println!("No generations match. Chat with `warden chat` and every turn is recorded here.");
            } else {
                println!(
                    "{:>6}  {:<16}  {:<11} {:<10} {:<4} {:<18}  prompt",
                    "id", "when", "status", "review", "flag", "categories"
                );
                for r in rows {
                    println!(
                        "{:>6}  {:<16}  {:<11} {:<10} {:<4} {:<18}  {}",
                        r.id.0,
                        fmt_time(r.created_at),
                        r.status.as_str(),
                        r.review_status.as_str(),
                        if r.flagged { "yes" } else { "" },
                        r.categories.join(","),
                        r.prompt_preview
                            .replace('\n', " ")
                            .chars()
                            .take(60)
                            .collect::<String>()
                    );
                }
            }
        }
        AuditCmd::Show { id, json } => {
            let d = audit.call(|a| a.show(GenerationId(id)))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                println!(
                    "generation {}  ·  {}  ·  {}",
                    d.id.0,
                    d.status.as_str(),
                    fmt_time(d.created_at)
                );
                println!("model      {}", d.model_name);
                if let Some(r) = &d.stop_reason {
                    println!("stopped    {r}");
                }
                println!(
                    "review     {}{}",
                    d.review_status.as_str(),
                    if d.flagged { " (flagged)" } else { "" }
                );
                println!("\n── prompt ──\n{}", d.prompt);
                if !d.reasoning.is_empty() {
                    println!("\n── reasoning ──\n{}", d.reasoning);
                }
                println!("\n── answer ──\n{}", d.answer);
                if !d.guard_events.is_empty() {
                    println!("\n── verdicts ──");
                    for e in &d.guard_events {
                        println!(
                            "{:<9} {:<6} {:<10} {:<28} score {:.2}  spans {:?}",
                            e.stage.as_str(),
                            e.action.as_str(),
                            e.category,
                            e.scanner,
                            e.score,
                            e.spans.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>()
                        );
                    }
                }
                if !d.reviews.is_empty() {
                    println!("\n── review history ──");
                    for r in &d.reviews {
                        println!(
                            "{}  {:?}  {}{}{}",
                            fmt_time(r.created_at),
                            r.kind,
                            r.status
                                .map(|s| s.as_str())
                                .or(r.flag_reason.as_deref())
                                .unwrap_or(""),
                            r.note
                                .as_deref()
                                .map(|n| format!(" — {n}"))
                                .unwrap_or_default(),
                            r.reviewer
                                .as_deref()
                                .map(|n| format!(" ({n})"))
                                .unwrap_or_default(),
                        );
                    }
                }
            }
        }
        AuditCmd::Flag { id, reason } => {
            audit.call(|a| a.flag(GenerationId(id), &reason))?;
            println!("flagged generation {id}");
        }
        AuditCmd::Review {
            id,
            status,
            note,
            correct_answer_file,
            reviewer,
        } => {
            let status = ReviewStatus::from_str(&status)?;
            let corrected_answer = correct_answer_file
                .map(|p| {
                    std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))
                })
                .transpose()?;
            let input = ReviewInput {
                status,
                note,
                corrected_answer,
                reviewer,
            };
            audit.call(|a| a.review(GenerationId(id), input))?;
            println!("reviewed generation {id}: {}", status.as_str());
        }
        AuditCmd::Stats { filter, json } => {
            let f = filter.build()?;
            let s = audit.call(|a| a.stats(&f))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "{} generations, {} flagged ({:.1}%)",
                    s.total,
                    s.flagged,
                    s.flag_rate * 100.0
                );
                for (title, counts) in [
                    ("status", &s.by_status),
                    ("review", &s.by_review_status),
                    ("category", &s.by_category),
                    ("action", &s.by_action),
                    ("stage", &s.by_stage),
                ] {
                    if !counts.is_empty() {
                        let parts: Vec<String> = counts
                            .iter()
                            .map(|c| format!("{} {}", c.key, c.count))
                            .collect();
                        println!("{title:<9} {}", parts.join(" · "));
                    }
                }
                for d in &s.by_day {
                    let cats: Vec<String> = s
                        .by_day_category
                        .iter()
                        .filter(|c| c.day == d.day)
                        .map(|c| format!("{} {}", c.category, c.count))
                        .collect();
                    println!(
                        "{}  {:>6} generations  {:>5} flagged  {:>5} guarded  {:>5} language-mixed{}",
                        d.day,
                        d.count,
                        d.flagged,
                        d.guarded,
                        d.language_mixed,
                        if cats.is_empty() {
                            String::new()
                        } else {
                            format!("  ({})", cats.join(", "))
                        }
                    );
                }
            }
        }
        AuditCmd::Verify { anchor, json } => {
            let pb = crate::term::rows_bar("verify");
            let r = audit
                .call(|a| a.verify_with_progress(anchor.as_deref(), crate::term::track(&pb)))?;
            pb.finish_and_clear();
            let anchor_ok = r.anchor.as_ref().is_none_or(|a| a.found);
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else if let Some(b) = &r.first_break {
                println!(
                    "BROKEN at chain entry {} ({} {}): {}",
                    b.seq.map_or("-".into(), |i| i.to_string()),
                    b.table,
                    b.row_id.map_or("-".into(), |i| i.to_string()),
                    b.message
                );
            } else {
                println!(
                    "ok: {} entries ({} generations, {} reviews), head {}",
                    r.entries,
                    r.generations,
                    r.reviews,
                    r.head.as_ref().map_or("(empty)", |h| h.hash.as_str())
                );
                if let Some(a) = &r.anchor {
                    println!("anchor: {}", a.message);
                }
            }
            return Ok(if r.ok && anchor_ok { 0 } else { 1 });
        }
        AuditCmd::Anchor => match audit.call(|a| a.head_hash())? {
            Some(h) => println!("{h}"),
            None => println!("(empty chain)"),
        },
        AuditCmd::Export {
            format,
            out,
            filter,
        } => {
            let format = ExportFormat::from_str(&format)?;
            let f = filter.build()?;
            let pb = crate::term::rows_bar("export");
            let cancel = AtomicBool::new(false);
            let summary = audit
                .call(|a| a.export_to_path(&out, format, &f, crate::term::track(&pb), &cancel))?;
            pb.finish_and_clear();
            println!(
                "exported {} of {} generations to {} ({})",
                summary.rows,
                summary.total,
                out.display(),
                format.as_str()
            );
        }
        AuditCmd::Compact => unreachable!("handled before the log is opened"),
        AuditCmd::Prune { older_than } => {
            let older_than = match (older_than, settings.audit.retention_days) {
                (Some(a), _) => a,
                (None, Some(days)) => format!("{days}d"),
                (None, None) => bail!("give --older-than (like 90d) or set audit.retention_days"),
            };
            let age = parse_age(&older_than)
                .with_context(|| format!("--older-than {older_than:?}: use an age like 90d"))?;
            let r = audit.call(|a| a.prune(warden_audit::now_ms() - age))?;
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    std::io::stdout().flush()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages_parse() {
        assert_eq!(parse_when("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(parse_when("2026-11-28").unwrap(), 1_795_824_000_000);
        assert!(parse_when("yesterday").is_err());
        assert_eq!(parse_age("2d"), Some(172_800_000));
        assert_eq!(
            fmt_time(1_795_824_000_000 + 3_600_000 * 13 + 60_000 * 5),
            "2026-11-28 13:05"
        );
    }
}
