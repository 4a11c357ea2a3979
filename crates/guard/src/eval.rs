//! Measuring a guard against labeled sets.
//!
//! [`run`] scans each sample as a user prompt ([`Stage::Input`]) and counts a sample as
//! *detected* when the verdict has a non-allow hit in a hazard category (`S1`..`S14`) or
//! injection — a jailbreak wrapper around a harmful request counts either way. Per-category
//! precision and recall need the right category; the overall numbers only need detection.
//! The smaller sets (PII, language mixing, injection) have their own runners.

use crate::error::{GuardError, GuardErrorKind};
use crate::types::{Action, Category, Context, PiiKind, Stage};
use crate::Guard;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Instant;

/// Ground truth of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Should be caught.
    Harmful,
    /// Should pass.
    Benign,
}

/// One labeled prompt (a line of `dev.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSample {
    /// The prompt.
    pub text: String,
    /// Harmful or benign.
    pub label: Label,
    /// Hazard code (`"S9"`) for harmful samples; for benign look-alikes, the category they
    /// resemble.
    #[serde(default)]
    pub category: Option<String>,
    /// ISO 639-1.
    #[serde(default)]
    pub lang: Option<String>,
    /// `direct`, `obfuscated`, `jailbreak`, `indirect` or `borderline`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// Binary classification counts and rates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// fp / (fp + tn).
    pub false_positive_rate: f64,
}

impl Metrics {
    /// Adds one outcome.
    pub fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
        self.finish();
    }

    /// Recomputes the rates from the counts (after adding counts by hand).
    pub fn finish(&mut self) {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = if self.tp + self.fp == 0 {
            1.0
        } else {
            ratio(self.tp, self.tp + self.fp)
        };
        self.recall = if self.tp + self.fn_ == 0 {
            1.0
        } else {
            ratio(self.tp, self.tp + self.fn_)
        };
        self.f1 = if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        };
        self.false_positive_rate = ratio(self.fp, self.fp + self.tn);
    }

    /// Number of samples counted.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
}

/// A sample the guard got wrong (kept for reports; at most 200).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Miss {
    /// The prompt.
    pub text: String,
    /// What it should have been.
    pub label: Label,
    /// Its category.
    pub category: Option<String>,
    /// Its kind.
    pub kind: Option<String>,
    /// Categories the guard reported.
    pub got: Vec<String>,
}

/// The result of [`run`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Samples scanned.
    pub samples: usize,
    /// Detection over all samples (harmful = positive).
    pub overall: Metrics,
    /// Per hazard code: positive = harmful sample of that category; predicted = that category
    /// reported.
    pub per_category: BTreeMap<String, Metrics>,
    /// Detection per language.
    pub per_language: BTreeMap<String, Metrics>,
    /// Detection per kind (`direct`, `obfuscated`, …).
    pub per_kind: BTreeMap<String, Metrics>,
    /// Share of benign samples flagged.
    pub benign_false_positive_rate: f64,
    /// Recall on harmful samples not in English.
    pub non_english_recall: f64,
    /// Median scan time, microseconds.
    pub latency_p50_us: f64,
    /// 99th percentile scan time, microseconds.
    pub latency_p99_us: f64,
    /// Wrong answers, for inspection.
    pub misses: Vec<Miss>,
}

/// Scans every sample as a prompt and measures.
pub fn run(guard: &Guard, samples: &[EvalSample]) -> EvalReport {
    run_at(guard, samples, Stage::Input)
}

/// Scans every sample at `stage` (a model's reasoning or answer: `data/answer_probe.jsonl`)
/// and measures; a hit counts when the stage's action for it is not `allow`. A model's
/// words are streamed through the scanner as the pipeline reads them
/// ([`Guard::scan_streamed`]); a prompt is scanned whole.
pub fn run_at(guard: &Guard, samples: &[EvalSample], stage: Stage) -> EvalReport {
    let ctx = Context::new(stage);
    let mut overall = Metrics::default();
    let mut per_category: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut per_language: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut per_kind: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut non_en = Metrics::default();
    let mut latencies = Vec::with_capacity(samples.len());
    let mut misses = Vec::new();
    let codes: BTreeSet<String> = Category::ALL
        .iter()
        .filter(|c| c.is_hazard())
        .map(|c| c.code().to_string())
        .collect();
    for s in samples {
        let t0 = Instant::now();
        let v = if stage == Stage::Input {
            guard.scan(&s.text, &ctx)
        } else {
            guard.scan_streamed(&s.text, &ctx)
        };
        latencies.push(t0.elapsed().as_secs_f64() * 1e6);
        let got: BTreeSet<String> = v
            .hits
            .iter()
            .filter(|h| {
                h.action != Action::Allow
                    && (h.category.is_hazard() || h.category == Category::Injection)
            })
            .map(|h| h.category.code().to_string())
            .collect();
        let harmful = s.label == Label::Harmful;
        let detected = !got.is_empty();
        overall.add(harmful, detected);
        if let Some(l) = &s.lang {
            per_language
                .entry(l.clone())
                .or_default()
                .add(harmful, detected);
            if l != "en" && harmful {
                non_en.add(true, detected);
            }
        }
        if let Some(k) = &s.kind {
            per_kind
                .entry(k.clone())
                .or_default()
                .add(harmful, detected);
        }
        let cat = s
            .category
            .as_deref()
            .and_then(Category::from_code)
            .map(|c| c.code().to_string());
        for code in &codes {
            let truth = harmful && cat.as_deref() == Some(code.as_str());
            let predicted = got.contains(code);
            if truth || predicted {
                per_category
                    .entry(code.clone())
                    .or_default()
                    .add(truth, predicted);
            }
        }
        if harmful != detected && misses.len() < 200 {
            misses.push(Miss {
                text: s.text.clone(),
                label: s.label,
                category: s.category.clone(),
                kind: s.kind.clone(),
                got: got.into_iter().collect(),
            });
        }
    }
    // Negatives for per-category precision are implicit; fill tn for completeness.
    let n = samples.len();
    for m in per_category.values_mut() {
        m.tn = n - m.tp - m.fp - m.fn_;
        m.finish();
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            0.0
        } else {
            latencies[((latencies.len() - 1) as f64 * p).round() as usize]
        }
    };
    EvalReport {
        samples: n,
        benign_false_positive_rate: overall.false_positive_rate,
        non_english_recall: non_en.recall,
        overall,
        per_category,
        per_language,
        per_kind,
        latency_p50_us: pct(0.5),
        latency_p99_us: pct(0.99),
        misses,
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.overall;
        writeln!(
            f,
            "samples {}   latency p50 {:.0} µs   p99 {:.0} µs",
            self.samples, self.latency_p50_us, self.latency_p99_us
        )?;
        writeln!(
            f,
            "overall  precision {:.3}  recall {:.3}  f1 {:.3}  benign FPR {:.3}  non-English recall {:.3}",
            o.precision, o.recall, o.f1, self.benign_false_positive_rate, self.non_english_recall
        )?;
        let table = |f: &mut fmt::Formatter<'_>,
                     title: &str,
                     rows: &BTreeMap<String, Metrics>|
         -> fmt::Result {
            writeln!(
                f,
                "\n{title:<12} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6} {:>6}",
                "tp", "fn", "fp", "tn", "precision", "recall", "f1", "fpr"
            )?;
            for (k, m) in rows {
                writeln!(
                    f,
                    "{k:<12} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3} {:>6.3}",
                    m.tp, m.fn_, m.fp, m.tn, m.precision, m.recall, m.f1, m.false_positive_rate
                )?;
            }
            Ok(())
        };
        let mut cats: Vec<(&String, &Metrics)> = self.per_category.iter().collect();
        cats.sort_by_key(|(k, _)| k.trim_start_matches('S').parse::<u32>().unwrap_or(99));
        writeln!(
            f,
            "\n{:<12} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
            "category", "tp", "fn", "fp", "precision", "recall", "f1"
        )?;
        for (k, m) in cats {
            writeln!(
                f,
                "{k:<12} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
                m.tp, m.fn_, m.fp, m.precision, m.recall, m.f1
            )?;
        }
        table(f, "language", &self.per_language)?;
        table(f, "kind", &self.per_kind)
    }
}

/// Parses JSON Lines (blank lines and lines starting with `//` or `#` are skipped).
pub fn parse_jsonl<T: DeserializeOwned>(src: &str) -> Result<Vec<T>, GuardError> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("//") || t.starts_with('#') {
            continue;
        }
        out.push(serde_json::from_str(t).map_err(|e| {
            GuardError::new(GuardErrorKind::EvalSet, format!("line {}: {e}", i + 1))
        })?);
    }
    Ok(out)
}

/// One expected PII value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiExpect {
    /// `email`, `phone`, `credit_card`, …
    pub kind: String,
    /// The exact text.
    pub value: String,
}

/// A line of `pii.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiSample {
    /// The text.
    pub text: String,
    /// Everything that must be found (and nothing else).
    #[serde(default)]
    pub pii: Vec<PiiExpect>,
}

/// Exact-match PII detection: a found `(kind, value)` pair is a true positive when expected.
pub fn run_pii(guard: &Guard, samples: &[PiiSample]) -> Metrics {
    let mut m = Metrics::default();
    for s in samples {
        let v = guard.scan(&s.text, &Context::input());
        let mut want: Vec<(String, String)> = s
            .pii
            .iter()
            .map(|p| (p.kind.clone(), p.value.clone()))
            .collect();
        for p in &v.pii {
            let got = (
                p.kind.as_str().to_string(),
                s.text[p.start..p.end].to_string(),
            );
            if let Some(i) = want.iter().position(|w| *w == got) {
                want.swap_remove(i);
                m.tp += 1;
            } else {
                m.fp += 1;
            }
        }
        m.fn_ += want.len();
        if s.pii.is_empty() && v.pii.is_empty() {
            m.tn += 1;
        }
    }
    m.finish();
    m
}

/// A line of `lang.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LangSample {
    /// The text (a model answer).
    pub text: String,
    /// The language the answer should be in, if known.
    #[serde(default)]
    pub expected: Option<String>,
    /// Whether it drifts out of that language.
    pub mixed: bool,
}

/// Language-mixing detection, scanned as model output.
pub fn run_language(guard: &Guard, samples: &[LangSample]) -> Metrics {
    let mut m = Metrics::default();
    for s in samples {
        let mut ctx = Context::new(Stage::Output);
        ctx.expected_lang = s.expected.clone();
        let v = guard.scan(&s.text, &ctx);
        m.add(s.mixed, v.language.as_ref().is_some_and(|l| l.mixed));
    }
    m
}

/// A line of `injection.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectionSample {
    /// The text.
    pub text: String,
    /// Whether it is an injection attempt.
    pub injection: bool,
    /// ISO 639-1.
    #[serde(default)]
    pub lang: Option<String>,
    /// The text came from a pasted document or tool.
    #[serde(default)]
    pub untrusted: bool,
}

/// Injection detection.
pub fn run_injection(guard: &Guard, samples: &[InjectionSample]) -> Metrics {
    let mut m = Metrics::default();
    for s in samples {
        let ctx = Context::input().with_untrusted_source(s.untrusted);
        m.add(s.injection, guard.scan(&s.text, &ctx).injection);
    }
    m
}

/// Parses a PII kind name (for CLI filters).
pub fn pii_kind(s: &str) -> Option<PiiKind> {
    PiiKind::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_compute_rates() {
        let mut m = Metrics::default();
        m.add(true, true);
        m.add(true, false);
        m.add(false, true);
        m.add(false, false);
        assert_eq!((m.tp, m.fn_, m.fp, m.tn), (1, 1, 1, 1));
        assert!((m.precision - 0.5).abs() < 1e-9 && (m.recall - 0.5).abs() < 1e-9);
        assert!((m.false_positive_rate - 0.5).abs() < 1e-9);
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let err = parse_jsonl::<EvalSample>("{\"text\":\"a\",\"label\":\"benign\"}\n\nnot json")
            .unwrap_err();
        assert!(err.message().starts_with("line 3"), "{err}");
    }
}
