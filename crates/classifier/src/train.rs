//! Deterministic training of the [`Head`].
//!
//! Full-batch optimization in `f64` over the samples in the order given, so the same
//! embeddings and seed always give the same weights; the seed drives the shuffle of the
//! 5-fold cross-validation that picks the decision threshold and the initial weights of the
//! hidden layer. The English n-gram model is trained on the same samples
//! ([`warden_guard::ngram::train_with_oof`]) and the threshold is calibrated on the two
//! models' combined out-of-fold probabilities. The document head and n-gram model
//! ([`crate::is_document`]) are trained the same way on the prompts plus
//! [`document_readings`]. Regenerate the committed models with `warden guard train --out …
//! --ngram-en-out … --document-out … --ngram-en-document-out …` or
//! `cargo run --release -p warden-classifier --example train_head`.

use crate::head::{combine_f64, sigmoid, Head, FORMAT};
use crate::{hazards, ClassifierError, Embed};
use warden_guard::eval::{EvalSample, Label};
use warden_guard::ngram::NgramModel;
use warden_guard::{Category, Normalized};

/// Seed used for the committed head.
pub const SEED: u64 = 20250101;
/// Target out-of-fold benign false-positive rate when picking the threshold. The benign
/// training samples are mostly look-alikes, 152 of them near twins of a harmful request
/// (contrast pairs, since 2026-12-02), far harder than what users send: at 0.04 the twins
/// raised the threshold from 0.78 to 0.84, which cost recall on every fresh set (HarmBench
/// 0.705 → 0.620) while their look-alikes' FPR had already fallen; 0.05 gives 0.80.
pub const TARGET_FPR: f64 = 0.05;
const FOLDS: usize = 5;
const ITERS: usize = 800;
const LR: f64 = 0.2;
const L2: f64 = 0.1;
/// Hidden ReLU units of the harmful score. In a comparison on the training data's 5-fold
/// out-of-fold predictions (recall at 4% benign FPR), logistic regression reached 0.63-0.72
/// depending on regularization, one hidden layer of 64 units 0.82 (32 units: 0.81).
pub const HIDDEN: usize = 64;
const MLP_ITERS: usize = 200;
const MLP_LR: f64 = 0.003;
/// L2 penalty `MLP_ALPHA / (2 n) * |W|^2` (scikit-learn's `alpha`).
const MLP_ALPHA: f64 = 3.0;

/// The training samples: `warden-guard`'s `data/dev.jsonl` plus this crate's
/// `data/train.jsonl` (prompts), `data/turns.jsonl` (a chat's short turns, which only the
/// [turn head](Trained::turn_head) learns from), `data/long_texts.jsonl` (pasted
/// documents, emails and stories, some with a request at the end; see
/// [`document_readings`]) and the technical answers of `data/answers.jsonl` and
/// `warden-guard`'s `data/answer_probe_tech.jsonl` ([`ANSWER`]). Never the held-out sets.
pub fn default_samples() -> Result<Vec<EvalSample>, ClassifierError> {
    let mut v: Vec<EvalSample> =
        warden_guard::eval::parse_jsonl(include_str!("../../guard/data/dev.jsonl"))
            .map_err(|e| ClassifierError::Head(format!("dev.jsonl: {e}")))?;
    v.extend(
        warden_guard::eval::parse_jsonl::<EvalSample>(include_str!("../data/train.jsonl"))
            .map_err(|e| ClassifierError::Head(format!("train.jsonl: {e}")))?,
    );
    v.extend(
        warden_guard::eval::parse_jsonl::<EvalSample>(include_str!("../data/turns.jsonl"))
            .map_err(|e| ClassifierError::Head(format!("turns.jsonl: {e}")))?,
    );
    v.extend(
        warden_guard::eval::parse_jsonl::<EvalSample>(include_str!("../data/long_texts.jsonl"))
            .map_err(|e| ClassifierError::Head(format!("long_texts.jsonl: {e}")))?,
    );
    for (name, text) in [
        ("answers.jsonl", include_str!("../data/answers.jsonl")),
        (
            "answer_probe_tech.jsonl",
            include_str!("../../guard/data/answer_probe_tech.jsonl"),
        ),
    ] {
        let answers = warden_guard::eval::parse_jsonl::<EvalSample>(text)
            .map_err(|e| ClassifierError::Head(format!("{name}: {e}")))?;
        v.extend(answers.into_iter().map(|s| EvalSample {
            kind: Some(ANSWER.to_owned()),
            ..s
        }));
    }
    Ok(v)
}

/// The kind of a model's technical answer in `data/answers.jsonl` and `warden-guard`'s
/// `data/answer_probe_tech.jsonl` (code, math, a table, a log, with or without prose around
/// it): only the document models learn from them, in [pieces](warden_guard::document::pieces)
/// labeled as the answer. The prompt models learned requests; trained on these as well, they
/// blocked one of the default model's short answers and flagged two more chat turns, while
/// a text over 400 bytes (most answers with code) is the document models' to read.
pub const ANSWER: &str = "answer";

/// Whether `s` is a technical answer ([`ANSWER`]).
fn is_answer_line(s: &EvalSample) -> bool {
    s.kind.as_deref() == Some(ANSWER)
}

/// A technical answer's pieces, each with the answer's label: what the classifier reads of
/// a long one, window by window.
fn answer_pieces(answers: &[EvalSample]) -> Vec<EvalSample> {
    answers
        .iter()
        .flat_map(|s| {
            warden_guard::document::pieces(&s.text)
                .into_iter()
                .map(|p| EvalSample {
                    text: p.to_owned(),
                    kind: Some(LONG.to_owned()),
                    ..s.clone()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// True for the samples the head learns from: English ones (no `lang` counts as English).
/// all-MiniLM-L6-v2 is an English model; other languages embed as noise that blurs the
/// English decision boundary (5-fold recall at 4% FPR: 0.38 with them, 0.78 without). The
/// rules cover the other languages, and the scanner only runs on English text.
pub fn is_training_sample(s: &EvalSample) -> bool {
    s.lang.as_deref().is_none_or(|l| l == "en")
}

/// What the document models learn from besides the prompts: what the classifier reads of
/// each document in `samples` ([`crate::is_document`], longer than
/// [`FOCUS_MIN_BYTES`](crate::FOCUS_MIN_BYTES)) at run time
/// ([`warden_guard::document::readings`]): a benign one's pieces of about a window and its
/// [sentences](crate::sentences), a harmful one's tail (its embedding whole would be its
/// first window's).
pub fn document_readings(samples: &[EvalSample]) -> Vec<EvalSample> {
    warden_guard::document::readings(samples, crate::is_document, |t| {
        crate::sentences(t).collect()
    })
}

pub use warden_guard::document::LONG;

/// The kind of a chat's short turns in `data/turns.jsonl`: follow-ups and small talk
/// ("thanks", "tell me more", "make it a table"), benign, and harmful follow-ups that lean on
/// the conversation ("ok, now the dose for a 70 kg man"), harmful.
pub const TURN: &str = "turn";
/// The kind of a small or broken model's degenerate text in `data/turns.jsonl` (ASCII art,
/// runs of function words, stray special tokens), benign.
pub const DEGENERATE: &str = "degenerate";

/// Whether `s` is a line of `data/turns.jsonl`: the turn head's to learn, never the
/// ensembles' (trained on them, the perceptron learned that plain short English is benign
/// and caught 40 fewer requests of the public sets; see `crates/guard/README.md`).
fn is_turn_line(s: &EvalSample) -> bool {
    matches!(s.kind.as_deref(), Some(TURN | DEGENERATE))
}

/// Whether the turn head should read `s` as a turn rather than a request: a benign
/// [`TURN`] or [`DEGENERATE`] line. A harmful follow-up is a request.
fn is_benign_turn(s: &EvalSample) -> bool {
    is_turn_line(s) && s.label == Label::Benign
}

/// Embeds the guard's canonical form of each sample (what the scanner sees at run time).
pub fn embed_samples(
    embedder: &dyn Embed,
    samples: &[EvalSample],
) -> Result<Vec<Vec<f32>>, ClassifierError> {
    samples
        .iter()
        .map(|s| embedder.embed(Normalized::new(&s.text).as_str()))
        .collect()
}

/// The trained ensembles: the prompt head and the English n-gram model its threshold was
/// calibrated with, and the same pair for documents.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The perceptron, the category softmax and the ensemble's threshold.
    pub head: Head,
    /// The English character n-gram model (`data/ngram_en.bin`).
    pub ngram: NgramModel,
    /// The document head (`data/head_document.json`).
    pub document_head: Head,
    /// The document English n-gram model (`data/ngram_en_document.bin`).
    pub document_ngram: NgramModel,
    /// The turn head (`data/head_turn.json`): a perceptron whose "harmful" output is the
    /// probability that a prompt is a chat's benign turn or degenerate text rather than a
    /// request or a look-alike (see [`crate::MiniLmClassifier`]'s turn gate).
    pub turn_head: Head,
}

/// Trains the ensembles on the English ones of `samples` (embedded with `embedder`): the
/// English n-gram model, then the head, whose threshold is calibrated on both models'
/// out-of-fold probabilities combined, on the prompts; then the document pair the same way
/// on the prompts plus the [`document_readings`] and the technical answers' pieces
/// ([`ANSWER`]); then the [turn head](Trained::turn_head) on
/// the prompts and the turns of `data/turns.jsonl`. `seed` drives the cross-validation splits.
pub fn train_head(
    embedder: &dyn Embed,
    samples: &[EvalSample],
    seed: u64,
) -> Result<Trained, ClassifierError> {
    let english: Vec<EvalSample> = samples
        .iter()
        .filter(|s| is_training_sample(s))
        .cloned()
        .collect();
    let (answers, english): (Vec<EvalSample>, Vec<EvalSample>) =
        english.into_iter().partition(is_answer_line);
    let (turns, english): (Vec<EvalSample>, Vec<EvalSample>) =
        english.into_iter().partition(is_turn_line);
    let prompts: Vec<EvalSample> = english
        .iter()
        .filter(|s| !crate::is_document(Normalized::new(&s.text).as_str()))
        .cloned()
        .collect();
    let (ngram, ngram_oof) = warden_guard::ngram::train_with_oof(&prompts, seed);
    let mut emb = embed_samples(embedder, &prompts)?;
    let turn_head = train_turn_head(embedder, &prompts, &emb, &turns, seed)?;
    let head = train_head_on(&emb, &prompts, seed, Some(&ngram_oof))?;

    let mut readings = document_readings(&english);
    readings.extend(answer_pieces(&answers));
    emb.extend(embed_samples(embedder, &readings)?);
    let all: Vec<EvalSample> = prompts.into_iter().chain(readings).collect();
    let (document_ngram, document_oof) = warden_guard::ngram::train_with_oof(&all, seed);
    let document_head = train_head_on(&emb, &all, seed, Some(&document_oof))?;
    Ok(Trained {
        head,
        ngram,
        document_head,
        document_ngram,
        turn_head,
    })
}

/// The turn head: the [`train_head_on`] perceptron learning, from the `prompts` (requests and
/// look-alikes, all "not a turn", embedded as `prompt_emb`) and the `turns`, whether a short
/// text is a benign turn. Its threshold is not used: the classifier gates on
/// [`crate::TURN_GATE`].
fn train_turn_head(
    embedder: &dyn Embed,
    prompts: &[EvalSample],
    prompt_emb: &[Vec<f32>],
    turns: &[EvalSample],
    seed: u64,
) -> Result<Head, ClassifierError> {
    let samples: Vec<EvalSample> = prompts
        .iter()
        .chain(turns)
        .map(|s| EvalSample {
            label: if is_benign_turn(s) {
                Label::Harmful
            } else {
                Label::Benign
            },
            category: None,
            kind: None,
            ..s.clone()
        })
        .collect();
    let mut emb = prompt_emb.to_vec();
    emb.extend(embed_samples(embedder, turns)?);
    train_head_on(&emb, &samples, seed, None)
}

/// The head alone on precomputed embeddings (one per sample), without the language filter.
/// With `ngram_oof` (the n-gram model's out-of-fold probabilities, one per sample), the
/// threshold is the ensemble's ([`Head::combine`]); without, the perceptron's. The threshold
/// is calibrated on the samples whose kind is not [`LONG`]: the readings of long texts shape
/// a document head, while the prompts (mostly hard look-alikes) keep the threshold's
/// meaning.
pub fn train_head_on(
    emb: &[Vec<f32>],
    samples: &[EvalSample],
    seed: u64,
    ngram_oof: Option<&[f64]>,
) -> Result<Head, ClassifierError> {
    if ngram_oof.is_some_and(|o| o.len() != samples.len()) {
        return Err(ClassifierError::Head(
            "one n-gram probability per sample".into(),
        ));
    }
    if emb.len() != samples.len() || emb.is_empty() {
        return Err(ClassifierError::Head("one embedding per sample".into()));
    }
    let dim = emb[0].len();
    let n = emb.len() as f64;
    let mut mean = vec![0f64; dim];
    for e in emb {
        for (m, x) in mean.iter_mut().zip(e) {
            *m += f64::from(*x) / n;
        }
    }
    let mut var = vec![0f64; dim];
    for e in emb {
        for ((v, x), m) in var.iter_mut().zip(e).zip(&mean) {
            *v += (f64::from(*x) - m).powi(2) / n;
        }
    }
    let mean: Vec<f32> = mean.iter().map(|m| *m as f32).collect();
    let scale: Vec<f32> = var
        .iter()
        .map(|v| (1.0 / v.sqrt().max(1e-6)) as f32)
        .collect();
    let x: Vec<Vec<f64>> = emb
        .iter()
        .map(|e| {
            e.iter()
                .zip(&mean)
                .zip(&scale)
                .map(|((x, m), s)| f64::from((x - m) * s))
                .collect()
        })
        .collect();
    let y: Vec<bool> = samples.iter().map(|s| s.label == Label::Harmful).collect();
    let all: Vec<usize> = (0..x.len()).collect();

    // Threshold from out-of-fold probabilities.
    let mut order = all.clone();
    shuffle(&mut order, seed);
    let mut oof = vec![0f64; x.len()];
    for f in 0..FOLDS {
        let test: Vec<usize> = order.iter().copied().skip(f).step_by(FOLDS).collect();
        let train: Vec<usize> = all.iter().copied().filter(|i| !test.contains(i)).collect();
        let mlp = fit_mlp(&x, &y, &train, seed ^ (f as u64 + 1));
        for &i in &test {
            oof[i] = mlp.predict(&x[i]);
        }
    }
    if let Some(ng) = ngram_oof {
        for (p, q) in oof.iter_mut().zip(ng) {
            *p = combine_f64(*p, *q);
        }
    }
    let prompts: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| samples[i].kind.as_deref() != Some(LONG))
        .collect();
    let (threshold, cv_recall, cv_fpr) = pick_threshold(
        &prompts.iter().map(|&i| oof[i]).collect::<Vec<_>>(),
        &prompts.iter().map(|&i| y[i]).collect::<Vec<_>>(),
    );

    let mlp = fit_mlp(&x, &y, &all, seed);
    let cats = hazards();
    let labels: Vec<Option<usize>> = samples
        .iter()
        .map(|s| {
            (s.label == Label::Harmful)
                .then(|| s.category.as_deref().and_then(Category::from_code))
                .flatten()
                .and_then(|c| cats.iter().position(|k| *k == c))
        })
        .collect();
    let (cw, cb) = fit_softmax(&x, &labels, cats.len());
    let harmful = y.iter().filter(|h| **h).count();
    Ok(Head {
        format: FORMAT.into(),
        dim,
        seed,
        trained_on: (harmful, y.len() - harmful),
        mean,
        scale,
        hidden_w: mlp
            .w1
            .iter()
            .map(|r| r.iter().map(|v| *v as f32).collect())
            .collect(),
        hidden_b: mlp.b1.iter().map(|v| *v as f32).collect(),
        harmful_w: mlp.w2.iter().map(|v| *v as f32).collect(),
        harmful_b: mlp.b2 as f32,
        categories: cats.iter().map(|c| c.code().to_string()).collect(),
        category_w: cw
            .iter()
            .map(|r| r.iter().map(|v| *v as f32).collect())
            .collect(),
        category_b: cb.iter().map(|v| *v as f32).collect(),
        ngram: ngram_oof.is_some(),
        threshold: threshold as f32,
        cv_recall: cv_recall as f32,
        cv_fpr: cv_fpr as f32,
    })
}

fn dotf(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// splitmix64-driven Fisher–Yates.
fn shuffle(v: &mut [usize], seed: u64) {
    let mut rng = SplitMix(seed);
    for i in (1..v.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// The harmful score's perceptron, in `f64`.
struct Mlp {
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

impl Mlp {
    fn hidden(&self, x: &[f64], h: &mut [f64]) {
        for ((hj, w), b) in h.iter_mut().zip(&self.w1).zip(&self.b1) {
            *hj = (dotf(w, x) + b).max(0.0);
        }
    }

    fn predict(&self, x: &[f64]) -> f64 {
        let mut h = vec![0f64; self.b1.len()];
        self.hidden(x, &mut h);
        sigmoid(dotf(&self.w2, &h) + self.b2)
    }
}

/// Adam moments for one parameter vector.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    fn step(&mut self, w: &mut [f64], g: &[f64], t: i32) {
        let (b1, b2) = (0.9f64, 0.999f64);
        let lr = MLP_LR * (1.0 - b2.powi(t)).sqrt() / (1.0 - b1.powi(t));
        for (((w, g), m), v) in w.iter_mut().zip(g).zip(&mut self.m).zip(&mut self.v) {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *w -= lr * *m / (v.sqrt() + 1e-8);
        }
    }
}

/// One hidden layer of [`HIDDEN`] ReLU units and a logistic output, fitted to the rows `idx`
/// by full-batch Adam on the mean log-loss plus an L2 penalty on the weights. Glorot-uniform
/// initial weights from `seed`.
fn fit_mlp(x: &[Vec<f64>], y: &[bool], idx: &[usize], seed: u64) -> Mlp {
    let dim = x[0].len();
    let mut rng = SplitMix(seed);
    let bound1 = (6.0 / (dim + HIDDEN) as f64).sqrt();
    let bound2 = (2.0 / (HIDDEN + 1) as f64).sqrt();
    let mut mlp = Mlp {
        w1: (0..HIDDEN)
            .map(|_| (0..dim).map(|_| rng.uniform(bound1)).collect())
            .collect(),
        b1: (0..HIDDEN).map(|_| rng.uniform(bound1)).collect(),
        w2: (0..HIDDEN).map(|_| rng.uniform(bound2)).collect(),
        b2: rng.uniform(bound2),
    };
    let n = idx.len().max(1) as f64;
    let l2 = MLP_ALPHA / n;
    let mut adam_w1: Vec<Adam> = (0..HIDDEN).map(|_| Adam::new(dim)).collect();
    let mut adam_b1 = Adam::new(HIDDEN);
    let mut adam_w2 = Adam::new(HIDDEN);
    let mut adam_b2 = Adam::new(1);
    let mut h = vec![0f64; HIDDEN];
    let mut g_w1 = vec![vec![0f64; dim]; HIDDEN];
    for t in 1..=MLP_ITERS as i32 {
        g_w1.iter_mut()
            .for_each(|r| r.iter_mut().for_each(|g| *g = 0.0));
        let mut g_b1 = vec![0f64; HIDDEN];
        let mut g_w2 = vec![0f64; HIDDEN];
        let mut g_b2 = 0f64;
        for &i in idx {
            mlp.hidden(&x[i], &mut h);
            let p = sigmoid(dotf(&mlp.w2, &h) + mlp.b2);
            let d = (p - f64::from(u8::from(y[i]))) / n;
            g_b2 += d;
            for j in 0..HIDDEN {
                g_w2[j] += d * h[j];
                if h[j] > 0.0 {
                    let dh = d * mlp.w2[j];
                    g_b1[j] += dh;
                    for (g, xv) in g_w1[j].iter_mut().zip(&x[i]) {
                        *g += dh * xv;
                    }
                }
            }
        }
        for j in 0..HIDDEN {
            for (g, w) in g_w1[j].iter_mut().zip(&mlp.w1[j]) {
                *g += l2 * w;
            }
            adam_w1[j].step(&mut mlp.w1[j], &g_w1[j], t);
        }
        for (g, w) in g_w2.iter_mut().zip(&mlp.w2) {
            *g += l2 * w;
        }
        adam_b1.step(&mut mlp.b1, &g_b1, t);
        adam_w2.step(&mut mlp.w2, &g_w2, t);
        let mut b2 = [mlp.b2];
        adam_b2.step(&mut b2, &[g_b2], t);
        mlp.b2 = b2[0];
    }
    mlp
}

/// splitmix64: a tiny seeded generator for the initial weights.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-bound, bound)`.
    fn uniform(&mut self, bound: f64) -> f64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (2.0 * u - 1.0) * bound
    }
}

/// Softmax regression over the rows with a label.
fn fit_softmax(x: &[Vec<f64>], labels: &[Option<usize>], k: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    let dim = x[0].len();
    let rows: Vec<(usize, usize)> = labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|c| (i, c)))
        .collect();
    let n = rows.len().max(1) as f64;
    let mut w = vec![vec![0f64; dim]; k];
    let mut b = vec![0f64; k];
    let mut p = vec![0f64; k];
    for _ in 0..ITERS {
        let mut gw = vec![vec![0f64; dim]; k];
        let mut gb = vec![0f64; k];
        for &(i, c) in &rows {
            for (j, pj) in p.iter_mut().enumerate() {
                *pj = dotf(&w[j], &x[i]) + b[j];
            }
            let max = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for pj in p.iter_mut() {
                *pj = (*pj - max).exp();
                sum += *pj;
            }
            for (j, pj) in p.iter().enumerate() {
                let d = (pj / sum - if j == c { 1.0 } else { 0.0 }) / n;
                if d != 0.0 {
                    for (g, xv) in gw[j].iter_mut().zip(&x[i]) {
                        *g += d * xv;
                    }
                }
                gb[j] += d;
            }
        }
        for j in 0..k {
            for (wv, g) in w[j].iter_mut().zip(&gw[j]) {
                *wv -= LR * (g + L2 * *wv);
            }
            b[j] -= LR * gb[j];
        }
    }
    (w, b)
}

/// The lowest threshold (most recall) whose out-of-fold benign FPR is within
/// [`TARGET_FPR`], never below 0.5. Returns (threshold, recall, fpr).
fn pick_threshold(p: &[f64], y: &[bool]) -> (f64, f64, f64) {
    let rates = |t: f64| {
        let (mut tp, mut pos, mut fp, mut neg) = (0.0, 0.0, 0.0, 0.0);
        for (pi, yi) in p.iter().zip(y) {
            if *yi {
                pos += 1.0;
                tp += f64::from(u8::from(*pi >= t));
            } else {
                neg += 1.0;
                fp += f64::from(u8::from(*pi >= t));
            }
        }
        (tp / f64::max(pos, 1.0), fp / f64::max(neg, 1.0))
    };
    for step in 50..99 {
        let t = f64::from(step) / 100.0;
        let (r, f) = rates(t);
        if f <= TARGET_FPR {
            return (t, r, f);
        }
    }
    let (r, f) = rates(0.99);
    (0.99, r, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_guard::document::{pieces, tail, PIECE_BYTES};

    fn sample(text: &str, harmful: bool, cat: &str) -> EvalSample {
        EvalSample {
            text: text.into(),
            label: if harmful {
                Label::Harmful
            } else {
                Label::Benign
            },
            category: Some(cat.into()),
            lang: Some("en".into()),
            kind: None,
        }
    }

    #[test]
    fn training_is_deterministic_and_separates_a_toy_set() {
        // Two clusters in 4-d: harmful near +e0, benign near -e0.
        let mut emb = Vec::new();
        let mut samples = Vec::new();
        for i in 0..40 {
            let j = f32::from(u8::try_from(i % 7).unwrap()) / 20.0;
            let harmful = i % 2 == 0;
            let s = if harmful { 1.0 } else { -1.0 };
            emb.push(vec![s + j, j, 1.0 - j, 0.5]);
            samples.push(sample("x", harmful, if i % 4 == 0 { "S1" } else { "S9" }));
        }
        let a = train_head_on(&emb, &samples, 7, None).unwrap();
        let b = train_head_on(&emb, &samples, 7, None).unwrap();
        assert_eq!(a, b);
        assert!(a.predict(&[1.1, 0.1, 0.9, 0.5]).harmful > 0.7);
        assert!(a.predict(&[-1.1, 0.1, 0.9, 0.5]).harmful < 0.3);
        assert_eq!(a.cv_fpr, 0.0);
        let parsed = Head::from_json(&a.to_json()).unwrap();
        assert_eq!(parsed, a);
    }

    #[test]
    fn a_document_is_learned_as_its_pieces_and_sentences() {
        let sentence = "The committee met on Tuesday to review the budget for next year. ";
        let long = sentence.repeat(12) + "Then we talked about the picnic. Cake, anyone?";
        let short = sample("How do I bake bread?", false, "S1");
        let derived = document_readings(&[
            short,
            sample(&long, false, "S1"),
            sample(
                &(long.clone() + " Now tell me how to hurt him."),
                true,
                "S1",
            ),
        ]);
        assert!(derived.iter().all(|s| s.kind.as_deref() == Some(LONG)));
        let benign: Vec<&str> = derived
            .iter()
            .filter(|s| s.label == Label::Benign)
            .map(|s| s.text.as_str())
            .collect();
        // Two pieces (cut after a sentence, none longer than a window, together the whole
        // text), then each distinct sentence of three words or more once ("Cake, anyone?"
        // is too short).
        assert_eq!(benign.len(), 2 + 2, "{benign:?}");
        assert_eq!(benign[0], sentence.repeat(9).trim());
        assert!(benign[1].starts_with("The committee") && benign[1].ends_with("anyone?"));
        assert_eq!(benign[0].len() + 1 + benign[1].len(), long.len());
        assert!(benign[..2].iter().all(|p| p.len() <= PIECE_BYTES));
        assert_eq!(benign[2], sentence.trim());
        assert_eq!(benign[3], "Then we talked about the picnic.");
        // A harmful long text is its tail, the request, however the pieces fall.
        let harmful: Vec<&EvalSample> = derived
            .iter()
            .filter(|s| s.label == Label::Harmful)
            .collect();
        assert_eq!(harmful.len(), 1);
        assert!(harmful[0].text.ends_with("how to hurt him."));
        assert!(harmful[0].text.len() <= PIECE_BYTES && harmful[0].text.len() > 500);
        let signed = sentence.repeat(9) + "Now tell me how to hurt him. Thanks!";
        assert_eq!(
            pieces(&signed).last().copied(),
            Some("Now tell me how to hurt him. Thanks!")
        );
        assert!(tail(&signed).starts_with("The committee"));
        assert!(tail(&signed).ends_with("how to hurt him. Thanks!"));
        assert!(tail(&run_on_words()).len() <= PIECE_BYTES);
        assert!(tail(&run_on_words()).starts_with("word"));
        // A sentence longer than a piece is cut anyway.
        let run_on = run_on_words();
        assert!(pieces(&run_on).iter().all(|p| p.len() <= PIECE_BYTES));
        assert_eq!(pieces(&run_on).join(" ").split_whitespace().count(), 300);
        let unspaced = "é".repeat(700);
        assert!(pieces(&unspaced).iter().all(|p| p.len() <= PIECE_BYTES));
        assert_eq!(pieces(&unspaced).concat(), unspaced);
    }

    fn run_on_words() -> String {
        "word ".repeat(300)
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<usize> = (0..50).collect();
        let mut b = a.clone();
        shuffle(&mut a, 3);
        shuffle(&mut b, 3);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        let mut c: Vec<usize> = (0..50).collect();
        shuffle(&mut c, 4);
        assert_ne!(a, c);
    }
}
