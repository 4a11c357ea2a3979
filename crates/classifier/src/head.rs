//! The trained head over 384-d sentence embeddings.

use crate::ClassifierError;
use serde::{Deserialize, Serialize};
use warden_guard::Category;

/// A "harmful" probability (a one-hidden-layer perceptron: ReLU units, then a logistic
/// output) plus a linear softmax over hazard categories, on standardized embeddings.
/// Serialized as `data/head.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// Format tag.
    pub format: String,
    /// Embedding width (384).
    pub dim: usize,
    /// Seed of the cross-validation split that calibrated `threshold`.
    pub seed: u64,
    /// Training samples (harmful, benign).
    pub trained_on: (usize, usize),
    /// Per-dimension mean subtracted before the linear units.
    pub mean: Vec<f32>,
    /// Per-dimension factor applied after the mean (1 / standard deviation).
    pub scale: Vec<f32>,
    /// Hidden ReLU units of the harmful score: one weight row (`dim` long) each.
    pub hidden_w: Vec<Vec<f32>>,
    /// One bias per hidden unit.
    pub hidden_b: Vec<f32>,
    /// Weights of the harmful output unit, one per hidden unit.
    pub harmful_w: Vec<f32>,
    /// Bias of the harmful unit.
    pub harmful_b: f32,
    /// Category codes of the softmax rows (`"S1"`, …).
    pub categories: Vec<String>,
    /// One weight row per category.
    pub category_w: Vec<Vec<f32>>,
    /// One bias per category.
    pub category_b: Vec<f32>,
    /// Whether the harmful probability is the ensemble of this perceptron and the English
    /// character n-gram model (`data/ngram_en.bin`, see [`Head::combine`]); false for heads
    /// from before it.
    #[serde(default)]
    pub ngram: bool,
    /// Harmful probability at which a text counts as harmful.
    pub threshold: f32,
    /// Out-of-fold recall and benign false-positive rate at `threshold` (training data).
    pub cv_recall: f32,
    /// See `cv_recall`.
    pub cv_fpr: f32,
}

/// The head's reading of one embedding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Probability that the text is harmful.
    pub harmful: f32,
    /// The most likely hazard category.
    pub category: Category,
    /// Its softmax probability.
    pub category_p: f32,
}

/// Format tag of [`Head`] JSON.
pub const FORMAT: &str = "warden-minilm-head-3";

pub(crate) fn dot(w: &[f32], x: &[f32]) -> f32 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Log-odds, with `p` kept inside `[1e-6, 1 - 1e-6]`.
fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// [`Head::combine`] in `f64`, as training calibrates the threshold on it.
pub(crate) fn combine_f64(mlp: f64, ngram: f64) -> f64 {
    sigmoid((logit(mlp) + logit(ngram)) / 2.0)
}

impl Head {
    /// The committed head (`data/head.json`).
    pub fn builtin() -> Result<Head, ClassifierError> {
        Head::from_json(crate::HEAD_JSON)
    }

    /// The committed document head (`data/head_document.json`): the one that reads texts
    /// longer than [`FOCUS_MIN_BYTES`](crate::FOCUS_MIN_BYTES) (see [`crate::is_document`]).
    pub fn builtin_document() -> Result<Head, ClassifierError> {
        Head::from_json(crate::HEAD_DOCUMENT_JSON)
    }

    /// The committed turn head (`data/head_turn.json`; see [`crate::TURN_GATE`]).
    pub fn builtin_turn() -> Result<Head, ClassifierError> {
        Head::from_json(crate::HEAD_TURN_JSON)
    }

    /// Parses and checks a head.
    pub fn from_json(s: &str) -> Result<Head, ClassifierError> {
        let h: Head = serde_json::from_str(s).map_err(|e| ClassifierError::Head(e.to_string()))?;
        let ok = h.mean.len() == h.dim
            && h.scale.len() == h.dim
            && !h.hidden_w.is_empty()
            && h.harmful_w.len() == h.hidden_w.len()
            && h.hidden_b.len() == h.hidden_w.len()
            && h.hidden_w.iter().all(|r| r.len() == h.dim)
            && h.categories.len() == h.category_w.len()
            && h.categories.len() == h.category_b.len()
            && !h.categories.is_empty()
            && h.category_w.iter().all(|r| r.len() == h.dim)
            && h.categories
                .iter()
                .all(|c| Category::from_code(c).is_some())
            && (0.0..1.0).contains(&h.threshold);
        if ok {
            Ok(h)
        } else {
            Err(ClassifierError::Head("inconsistent shapes or codes".into()))
        }
    }

    /// One-line JSON with a trailing newline, as committed.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a head serializes") + "\n"
    }

    /// How far this head's weights are from `other`'s: the largest `|a - b| / (1 + |b|)` over
    /// every weight, mean and scale, or `None` when the two differ in shape, training-set
    /// size or categories (a different head, not a rounding difference). Retraining on the
    /// same data gives 0 on the same machine and stays below 1e-3 across CPUs. The threshold
    /// is not included: it moves in steps of the cross-validation grid (compare it apart).
    pub fn max_difference(&self, other: &Head) -> Option<f32> {
        let same_shape = self.dim == other.dim
            && self.trained_on == other.trained_on
            && self.categories == other.categories
            && self.hidden_w.len() == other.hidden_w.len()
            && self.category_w.len() == other.category_w.len();
        if !same_shape {
            return None;
        }
        let rel = |a: &[f32], b: &[f32]| -> Option<f32> {
            (a.len() == b.len()).then(|| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| (x - y).abs() / (1.0 + y.abs()))
                    .fold(0f32, f32::max)
            })
        };
        let mut worst = 0f32;
        let pairs = [
            (&self.mean, &other.mean),
            (&self.scale, &other.scale),
            (&self.hidden_b, &other.hidden_b),
            (&self.harmful_w, &other.harmful_w),
            (&self.category_b, &other.category_b),
        ];
        for (a, b) in pairs {
            worst = worst.max(rel(a, b)?);
        }
        for (a, b) in self.hidden_w.iter().zip(&other.hidden_w) {
            worst = worst.max(rel(a, b)?);
        }
        for (a, b) in self.category_w.iter().zip(&other.category_w) {
            worst = worst.max(rel(a, b)?);
        }
        Some(worst.max(rel(&[self.harmful_b], &[other.harmful_b])?))
    }

    pub(crate) fn empty() -> Head {
        Head {
            format: FORMAT.into(),
            dim: 0,
            seed: 0,
            trained_on: (0, 0),
            mean: vec![],
            scale: vec![],
            hidden_w: vec![],
            hidden_b: vec![],
            harmful_w: vec![],
            harmful_b: 0.0,
            categories: vec![],
            category_w: vec![],
            category_b: vec![],
            ngram: false,
            threshold: 0.5,
            cv_recall: 0.0,
            cv_fpr: 0.0,
        }
    }

    /// Standardizes an embedding.
    pub fn standardize(&self, e: &[f32]) -> Vec<f32> {
        e.iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .map(|((x, m), s)| (x - m) * s)
            .collect()
    }

    /// Reads one embedding.
    pub fn predict(&self, embedding: &[f32]) -> Prediction {
        let x = self.standardize(embedding);
        let h: Vec<f32> = self
            .hidden_w
            .iter()
            .zip(&self.hidden_b)
            .map(|(w, b)| (dot(w, &x) + b).max(0.0))
            .collect();
        let harmful = sigmoid(f64::from(dot(&self.harmful_w, &h) + self.harmful_b)) as f32;
        let logits: Vec<f32> = self
            .category_w
            .iter()
            .zip(&self.category_b)
            .map(|(w, b)| dot(w, &x) + b)
            .collect();
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = logits.iter().map(|l| (l - max).exp()).sum();
        let (best, top) = logits
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, 0.0), |(i, l)| (i, (l - max).exp() / total));
        let category = self
            .categories
            .get(best)
            .and_then(|c| Category::from_code(c))
            .unwrap_or(Category::NonViolentCrimes);
        Prediction {
            harmful,
            category,
            category_p: top,
        }
    }

    /// The ensemble's harmful probability from the perceptron's `mlp` and the English n-gram
    /// model's `ngram`: the mean of their log-odds, back through the logistic function (so
    /// two confident models agree, and one unsure model pulls a confident one toward 0.5).
    pub fn combine(mlp: f32, ngram: f32) -> f32 {
        combine_f64(f64::from(mlp), f64::from(ngram)) as f32
    }

    /// The hit score for a harmful probability: `None` below the threshold, else
    /// `[threshold, 1]` mapped linearly onto `[0.5, 1]` (the policy's hazard threshold is 0.5).
    pub fn hit_score(&self, p: f32) -> Option<f32> {
        (p >= self.threshold)
            .then(|| 0.5 + 0.5 * (p - self.threshold) / (1.0 - self.threshold).max(1e-6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combine_is_the_mean_of_log_odds() {
        // An undecided model leaves the other's odds at their square root.
        assert!((Head::combine(0.9, 0.5) - 0.75).abs() < 1e-6);
        assert!((Head::combine(0.5, 0.9) - 0.75).abs() < 1e-6);
        // Agreement stays put, disagreement of equal strength cancels.
        assert!((Head::combine(0.8, 0.8) - 0.8).abs() < 1e-6);
        assert!((Head::combine(0.99, 0.01) - 0.5).abs() < 1e-6);
        // Certainties are clamped, never NaN.
        let p = Head::combine(1.0, 0.0);
        assert!(p.is_finite() && (p - 0.5).abs() < 1e-6);
        assert!(Head::combine(1.0, 1.0) > 0.999);
    }

    #[test]
    fn the_builtin_head_is_the_ensembles() {
        let h = Head::builtin().unwrap();
        assert!(h.ngram && h.format == FORMAT);
        // Heads written before the ensemble still parse, as perceptron-only heads.
        let mut v: serde_json::Value = serde_json::from_str(crate::HEAD_JSON).unwrap();
        v.as_object_mut().unwrap().remove("ngram");
        assert!(!Head::from_json(&v.to_string()).unwrap().ngram);
    }
}
