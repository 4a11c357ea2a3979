//! `warden guard …` and `warden eval`: the guard from the command line.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use warden_core::Settings;
use warden_guard::{eval, Context, Guard, Stage, Verdict};

#[derive(Subcommand)]
pub enum GuardCmd {
    /// Scan texts: JSON Lines on stdin with --jsonl, else the TEXT arguments.
    Scan {
        /// Texts to scan (without --jsonl).
        text: Vec<String>,
        /// Read `{"id", "text", "expected_lang"?}` lines from stdin; write one verdict per line
        /// (for a line that is not such an object, `{"id", "line", "error"}`; exit status 1).
        #[arg(long)]
        jsonl: bool,
        /// input, reasoning or output.
        #[arg(long, default_value = "input")]
        stage: String,
        /// The expected language (ISO 639-1), for the mixing check.
        #[arg(long)]
        expect_lang: Option<String>,
        /// A policy file instead of the configured one.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Feed each text to the streaming scanner word by word, as the pipeline reads a
        /// model's reasoning or answer (with --stage reasoning or output).
        #[arg(long)]
        stream: bool,
    },
    /// Print the effective policy (TOML).
    Policy {
        /// A policy file instead of the configured one.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Retrain the classifier (its head and English n-gram model), the multilingual n-gram
    /// models and the injection model from the labeled data built into Warden (the guard's
    /// dev set and the training sets, never the held-out set). Deterministic: it reproduces
    /// the built-in models, which this compares them with.
    Train {
        /// Write the new head (JSON, the format of the built-in `head.json`) to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the classifier's new English n-gram model (the format of the built-in
        /// `ngram_en.bin`) to this file.
        #[arg(long)]
        ngram_en_out: Option<PathBuf>,
        /// Write the new document head (JSON, the built-in `head_document.json`: it reads
        /// texts longer than 400 bytes) to this file.
        #[arg(long)]
        document_out: Option<PathBuf>,
        /// Write the new document English n-gram model (the built-in
        /// `ngram_en_document.bin`) to this file.
        #[arg(long)]
        ngram_en_document_out: Option<PathBuf>,
        /// Write the new turn head (JSON, the built-in `head_turn.json`: it tells a chat's
        /// short turns from requests) to this file.
        #[arg(long)]
        turn_out: Option<PathBuf>,
        /// Write the new n-gram model (the format of the built-in `ngram.bin`) to this file.
        #[arg(long)]
        ngram_out: Option<PathBuf>,
        /// Write the new wide n-gram model (eight more languages; the format of the built-in
        /// `ngram_wide.bin`) to this file.
        #[arg(long)]
        ngram_wide_out: Option<PathBuf>,
        /// Write the new multilingual document n-gram model (the built-in
        /// `ngram_document.bin`: it reads non-English texts longer than 400 characters) to
        /// this file.
        #[arg(long)]
        ngram_document_out: Option<PathBuf>,
        /// Write the new injection model (the built-in `injection_ngram.bin`, the learned part
        /// of the injection check) to this file.
        #[arg(long)]
        injection_out: Option<PathBuf>,
        /// Exit with status 1 when a new model differs from the built-in one.
        #[arg(long)]
        check: bool,
    },
}

/// Largest relative weight difference and threshold difference `guard train --check`
/// accepts: rounding across CPUs (the bounds of the classifier's reproduction test).
const TRAIN_TOLERANCE: f32 = 1e-3;
const THRESHOLD_TOLERANCE: f32 = 0.011;

#[derive(Args)]
pub struct EvalArgs {
    /// A labeled set: `{"text", "label": "harmful|benign", "category", "lang", "kind"?}` per line.
    #[arg(long)]
    set: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// A policy file instead of the configured one.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The stage the texts are scanned at: input (prompts), reasoning or output (a model's
    /// words, e.g. `crates/guard/data/answer_probe.jsonl`).
    #[arg(long, default_value = "input")]
    stage: String,
}

#[derive(Deserialize)]
struct ScanLine {
    id: serde_json::Value,
    text: String,
    expected_lang: Option<String>,
}

#[derive(Serialize)]
struct CategoryOut<'a> {
    code: &'a str,
    score: f32,
    scanner: &'a str,
}

#[derive(Serialize)]
struct PiiOut {
    #[serde(rename = "type")]
    kind: &'static str,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct ScanOut<'a> {
    id: serde_json::Value,
    action: &'static str,
    categories: Vec<CategoryOut<'a>>,
    language: Option<&'a warden_guard::LanguageReport>,
    pii: Vec<PiiOut>,
    injection: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    redacted_text: Option<&'a str>,
}

fn scan_out(id: serde_json::Value, v: &Verdict) -> ScanOut<'_> {
    ScanOut {
        id,
        action: v.action.as_str(),
        categories: v
            .hits
            .iter()
            .map(|h| CategoryOut {
                code: h.category.code(),
                score: h.score,
                scanner: &h.scanner,
            })
            .collect(),
        language: v.language.as_ref(),
        pii: v
            .pii
            .iter()
            .map(|p| PiiOut {
                kind: p.kind.as_str(),
                start: p.start,
                end: p.end,
            })
            .collect(),
        injection: v.injection,
        redacted_text: v.redacted_text.as_deref(),
    }
}

/// `guard scan --jsonl`: a verdict for each `{"id", "text", "expected_lang"?}` line of
/// stdin. A malformed line gets an error object in its place and the rest are scanned: a
/// large file's verdicts are not lost to one bad line. Returns how many were malformed.
fn scan_jsonl(
    out: &mut impl Write,
    scan: &impl Fn(&str, &Context) -> Verdict,
    ctx_for: &impl Fn(Option<String>) -> Context,
) -> Result<usize> {
    let (mut lines, mut malformed) = (0usize, 0usize);
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        match serde_json::from_str::<ScanLine>(&line) {
            Ok(item) => {
                let v = scan(&item.text, &ctx_for(item.expected_lang));
                serde_json::to_writer(&mut *out, &scan_out(item.id, &v))?;
            }
            Err(e) => {
                malformed += 1;
                let error = format!("stdin line {}: expected {{\"id\", \"text\"}}: {e}", n + 1);
                eprintln!("warden: {error}");
                serde_json::to_writer(&mut *out, &line_error(&line, n + 1, &error))?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if malformed > 0 {
        eprintln!("warden: {malformed} of {lines} lines were not {{\"id\", \"text\"}} objects");
    }
    Ok(malformed)
}

/// What `guard scan --jsonl` writes for a line it cannot read: its id where the line is a
/// JSON object that has one, its line number and the error.
fn line_error(line: &str, number: usize, error: &str) -> serde_json::Value {
    let id = serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get("id").cloned())
        .unwrap_or(serde_json::Value::Null);
    serde_json::json!({"id": id, "line": number, "error": error})
}

fn guard_for(settings: &Settings, policy: Option<PathBuf>) -> Result<Guard> {
    let mut s = settings.clone();
    if policy.is_some() {
        s.policy_path = policy;
    }
    crate::term::guard(&s)
}

fn parse_stage(s: &str) -> Result<Stage> {
    Ok(match s {
        "input" => Stage::Input,
        "reasoning" => Stage::Reasoning,
        "output" => Stage::Output,
        other => anyhow::bail!("--stage {other:?}: use input, reasoning or output"),
    })
}

pub fn run(cmd: GuardCmd, settings: &Settings) -> Result<i32> {
    match cmd {
        GuardCmd::Scan {
            text,
            jsonl,
            stage,
            expect_lang,
            policy,
            stream,
        } => {
            let guard = guard_for(settings, policy)?;
            let stage = parse_stage(&stage)?;
            if stream && stage == Stage::Input {
                anyhow::bail!(
                    "--stream reads a model's words: use it with --stage reasoning or output"
                );
            }
            let scan = |text: &str, ctx: &Context| {
                if stream {
                    guard.scan_streamed(text, ctx)
                } else {
                    guard.scan(text, ctx)
                }
            };
            let ctx_for = |lang: Option<String>| {
                let c = Context::new(stage);
                match lang.or_else(|| expect_lang.clone()) {
                    Some(l) => c.with_expected_lang(l),
                    None => c,
                }
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            if jsonl {
                let malformed = scan_jsonl(&mut out, &scan, &ctx_for)?;
                if malformed > 0 {
                    return Ok(1);
                }
            } else {
                for (i, t) in text.iter().enumerate() {
                    let v = scan(t, &ctx_for(None));
                    serde_json::to_writer_pretty(&mut out, &scan_out(serde_json::json!(i), &v))?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
        }
        GuardCmd::Policy { policy } => {
            let guard = guard_for(settings, policy)?;
            print!("{}", guard.policy().to_toml_string());
        }
        GuardCmd::Train {
            out,
            ngram_en_out,
            document_out,
            ngram_en_document_out,
            turn_out,
            ngram_out,
            ngram_wide_out,
            ngram_document_out,
            injection_out,
            check,
        } => {
            return train(
                [
                    out,
                    ngram_en_out,
                    document_out,
                    ngram_en_document_out,
                    turn_out,
                    ngram_out,
                    ngram_wide_out,
                    ngram_document_out,
                    injection_out,
                ],
                check,
                settings,
            )
        }
    }
    Ok(0)
}

/// `warden guard train`: retrains the heads, the English and the multilingual n-gram models
/// and the injection model, reports how they compare with the built-in ones, optionally
/// writes them (to `out`:
/// head, English n-gram, document head, document English n-gram, turn head, multilingual
/// n-gram, wide n-gram, multilingual document n-gram, injection model); with `check`, 1 when
/// one differs.
fn train(out: [Option<PathBuf>; 9], check: bool, settings: &Settings) -> Result<i32> {
    let [out, ngram_en_out, document_out, ngram_en_document_out, turn_out, ngram_out, ngram_wide_out, ngram_document_out, injection_out] =
        out;
    use warden_classifier::train::{default_samples, train_head, SEED};
    use warden_guard::ngram;
    let dir = settings.classifier_dir();
    let embedder = warden_classifier::MiniLmEmbedder::load(&dir).with_context(|| {
        format!(
            "loading all-MiniLM-L6-v2 from {} (scripts/fetch-classifier.sh installs it)",
            dir.display()
        )
    })?;
    let samples = default_samples().context("reading the built-in training data")?;
    eprintln!(
        "training the classifier on the English ones of {} labeled samples (~10 min)...",
        samples.len()
    );
    let started = std::time::Instant::now();
    let trained = train_head(&embedder, &samples, SEED).context("training the head")?;
    let secs = started.elapsed().as_secs_f64();
    let (head, english) = (trained.head, trained.ngram);
    let builtin = warden_classifier::Head::builtin().context("reading the built-in head")?;
    let builtin_document = warden_classifier::Head::builtin_document()
        .context("reading the built-in document head")?;
    let head_same = report(
        Retrained::head("head", &head, &builtin, secs),
        out.map(|p| (p, head.to_json().into_bytes())),
    )?;
    let english_same = report(
        Retrained::ngram(
            "English n-gram model",
            &english,
            warden_classifier::english_ngram(),
            secs,
        ),
        ngram_en_out.map(|p| (p, english.to_bytes())),
    )?;
    let document = trained.document_head;
    let document_same = report(
        Retrained::head("document head", &document, &builtin_document, secs),
        document_out.map(|p| (p, document.to_json().into_bytes())),
    )?;
    let english_document_same = report(
        Retrained::ngram(
            "document English n-gram model",
            &trained.document_ngram,
            warden_classifier::english_document_ngram(),
            secs,
        ),
        ngram_en_document_out.map(|p| (p, trained.document_ngram.to_bytes())),
    )?;
    let builtin_turn =
        warden_classifier::Head::builtin_turn().context("reading the built-in turn head")?;
    let turn_same = report(
        Retrained::head("turn head", &trained.turn_head, &builtin_turn, secs),
        turn_out.map(|p| (p, trained.turn_head.to_json().into_bytes())),
    )?;

    let ngram_same = retrain_ngram(
        "multilingual n-gram model",
        "~2 min",
        ngram::default_samples().context("reading the n-gram training data")?,
        ngram::NgramModel::builtin(),
        ngram_out,
        ngram::train,
    )?;
    let wide_same = retrain_ngram(
        "wide n-gram model",
        "~3.5 min",
        ngram::wide_samples().context("reading the wide n-gram training data")?,
        ngram::NgramModel::wide(),
        ngram_wide_out,
        ngram::train,
    )?;
    let document_ngram_same = retrain_ngram(
        "document n-gram model",
        "~5 min",
        ngram::document_samples().context("reading the document n-gram training data")?,
        ngram::NgramModel::document(),
        ngram_document_out,
        ngram::train_document,
    )?;
    let injection_same = retrain_injection(injection_out)?;
    Ok(
        if check
            && !(head_same
                && english_same
                && document_same
                && english_document_same
                && turn_same
                && ngram_same
                && wide_same
                && document_ngram_same
                && injection_same)
        {
            1
        } else {
            0
        },
    )
}

/// Trains a multilingual n-gram model on `samples` with `train`, reports it next to
/// `builtin` and writes it to `out`; true when it reproduces `builtin`.
fn retrain_ngram(
    what: &'static str,
    takes: &str,
    samples: Vec<warden_guard::eval::EvalSample>,
    builtin: &warden_guard::ngram::NgramModel,
    out: Option<PathBuf>,
    train: fn(&[warden_guard::eval::EvalSample], u64) -> warden_guard::ngram::NgramModel,
) -> Result<bool> {
    eprintln!(
        "training the {what} on {} labeled samples ({takes})...",
        samples.len()
    );
    let started = std::time::Instant::now();
    let model = train(&samples, warden_guard::ngram::SEED);
    report(
        Retrained::ngram(what, &model, builtin, started.elapsed().as_secs_f64()),
        out.map(|p| (p, model.to_bytes())),
    )
}

/// Trains the injection model, reports it next to the built-in one and writes it to `out`;
/// true when it reproduces the built-in model.
fn retrain_injection(out: Option<PathBuf>) -> Result<bool> {
    use warden_guard::injection_model::{self, InjectionModel};
    let samples = injection_model::samples().context("reading the injection training data")?;
    eprintln!(
        "training the injection model on {} labeled samples (~20 s)...",
        samples.len()
    );
    let started = std::time::Instant::now();
    let model = injection_model::train(&samples, injection_model::SEED);
    let builtin = InjectionModel::builtin();
    report(
        Retrained {
            what: "injection model",
            trained_on: model.trained_on,
            secs: started.elapsed().as_secs_f64(),
            threshold: (model.threshold, builtin.threshold),
            cv: (model.cv_recall, model.cv_fpr),
            difference: model.max_difference(builtin),
        },
        out.map(|p| (p, model.to_bytes())),
    )
}

/// A freshly trained model, next to its built-in version.
struct Retrained {
    what: &'static str,
    /// Harmful and benign training samples.
    trained_on: (usize, usize),
    secs: f64,
    /// New and built-in.
    threshold: (f32, f32),
    /// Out-of-fold recall and benign FPR at the threshold.
    cv: (f32, f32),
    /// Largest relative weight difference from the built-in model (`None`: other data).
    difference: Option<f32>,
}

impl Retrained {
    /// A retrained classifier head next to its built-in version.
    fn head(
        what: &'static str,
        head: &warden_classifier::Head,
        builtin: &warden_classifier::Head,
        secs: f64,
    ) -> Retrained {
        Retrained {
            what,
            trained_on: head.trained_on,
            secs,
            threshold: (head.threshold, builtin.threshold),
            cv: (head.cv_recall, head.cv_fpr),
            difference: head.max_difference(builtin),
        }
    }

    /// A retrained n-gram model next to its built-in version.
    fn ngram(
        what: &'static str,
        model: &warden_guard::ngram::NgramModel,
        builtin: &warden_guard::ngram::NgramModel,
        secs: f64,
    ) -> Retrained {
        Retrained {
            what,
            trained_on: model.trained_on,
            secs,
            threshold: (model.threshold, builtin.threshold),
            cv: (model.cv_recall, model.cv_fpr),
            difference: model.max_difference(builtin),
        }
    }
}

/// Prints how a retrained model compares with the built-in one and writes it to `out`;
/// true when it reproduces the built-in model.
fn report(r: Retrained, out: Option<(PathBuf, Vec<u8>)>) -> Result<bool> {
    println!(
        "{}: {} harmful + {} benign in {:.1} s: threshold {:.3}, out-of-fold recall {:.3} at benign FPR {:.3}",
        r.what, r.trained_on.0, r.trained_on.1, r.secs, r.threshold.0, r.cv.0, r.cv.1
    );
    let same = match r.difference {
        Some(d) => {
            println!(
                "largest relative weight difference from the built-in {}: {d:.2e}; threshold {:.3} vs {:.3}",
                r.what, r.threshold.0, r.threshold.1
            );
            d < TRAIN_TOLERANCE && (r.threshold.0 - r.threshold.1).abs() < THRESHOLD_TOLERANCE
        }
        None => {
            println!(
                "the built-in {} was trained on other data (shape or sample counts differ)",
                r.what
            );
            false
        }
    };
    let verb = if same { "reproduces" } else { "differs from" };
    println!("{verb} the built-in {}", r.what);
    if let Some((path, bytes)) = out {
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(same)
}

pub fn eval(args: EvalArgs, settings: &Settings) -> Result<i32> {
    let stage = parse_stage(&args.stage)?;
    let guard = guard_for(settings, args.policy)?;
    let text = std::fs::read_to_string(&args.set)
        .with_context(|| format!("reading {}", args.set.display()))?;
    let samples: Vec<eval::EvalSample> =
        eval::parse_jsonl(&text).with_context(|| format!("parsing {}", args.set.display()))?;
    let report = eval::run_at(&guard, &samples, stage);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(0)
}
