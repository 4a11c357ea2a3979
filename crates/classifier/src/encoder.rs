//! The BERT encoder of all-MiniLM-L6-v2, written for what the guard does with it: one short,
//! unpadded sequence at a time on a CPU.
//!
//! `candle-transformers`' general `BertModel` runs ~20 tensor ops per layer, each a parallel
//! section on candle's thread pool with its own allocation; for a 60-token prompt those
//! sections cost more than the matrix products themselves (measured: ~25 ms per prompt, of
//! which ~11 ms are the products). Here the four products per layer (a fused Q/K/V
//! projection with the weights stored pre-transposed, the attention's two batched products,
//! the output and feed-forward projections) stay on candle's `gemm`, and everything between them
//! (bias, residual, layer norm, softmax, GELU) is a plain loop over a `Vec<f32>`. The output
//! matches `BertModel` to ~1e-6 (checked by `tests/model.rs`).

use crate::ClassifierError;
use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;

/// The fields of a BERT `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Width of the hidden states.
    pub hidden_size: usize,
    /// Encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Longest sequence the position embeddings cover.
    pub max_position_embeddings: usize,
    /// Layer-norm epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Activation; only `gelu` (the exact, erf-based one) is supported.
    #[serde(default = "default_act")]
    pub hidden_act: String,
}

fn default_eps() -> f64 {
    1e-12
}

fn default_act() -> String {
    "gelu".into()
}

#[derive(Debug)]
struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
}

#[derive(Debug)]
struct Layer {
    /// `(hidden, 3 * hidden)`: query, key and value projections side by side.
    qkv_t: Tensor,
    qkv_b: Vec<f32>,
    out_t: Tensor,
    out_b: Vec<f32>,
    ln1: Norm,
    up_t: Tensor,
    up_b: Vec<f32>,
    down_t: Tensor,
    down_b: Vec<f32>,
    ln2: Norm,
}

/// The encoder: token ids in, one hidden state per token out.
#[derive(Debug)]
pub struct Encoder {
    word: Vec<f32>,
    pos: Vec<f32>,
    type0: Vec<f32>,
    ln: Norm,
    layers: Vec<Layer>,
    d: usize,
    heads: usize,
    eps: f32,
    vocab: usize,
    max_pos: usize,
    device: Device,
}

fn vec1(vb: &VarBuilder, n: usize, name: &str) -> Result<Vec<f32>, ClassifierError> {
    Ok(vb.get(n, name)?.to_vec1()?)
}

fn norm(vb: &VarBuilder, d: usize) -> Result<Norm, ClassifierError> {
    Ok(Norm {
        w: vec1(vb, d, "weight")?,
        b: vec1(vb, d, "bias")?,
    })
}

/// A `(out, in)` linear weight, stored as the contiguous `(in, out)` matrix `x @ w` wants.
fn weight_t(vb: &VarBuilder, out: usize, inp: usize) -> Result<Tensor, ClassifierError> {
    Ok(vb.get((out, inp), "weight")?.t()?.contiguous()?)
}

impl Encoder {
    /// Loads the weights of a (sentence-transformers style) BERT checkpoint.
    pub fn load(vb: VarBuilder, config: &Config) -> Result<Encoder, ClassifierError> {
        if config.hidden_act != "gelu" {
            return Err(ClassifierError::Model(format!(
                "unsupported activation {:?} (only gelu)",
                config.hidden_act
            )));
        }
        let d = config.hidden_size;
        let heads = config.num_attention_heads;
        if heads == 0 || d % heads != 0 {
            return Err(ClassifierError::Model(format!(
                "hidden size {d} does not split into {heads} heads"
            )));
        }
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let device = vb.device().clone();
        let emb = vb.pp("embeddings");
        let word: Vec<f32> = emb
            .get((config.vocab_size, d), "word_embeddings.weight")?
            .flatten_all()?
            .to_vec1()?;
        let pos: Vec<f32> = emb
            .get(
                (config.max_position_embeddings, d),
                "position_embeddings.weight",
            )?
            .flatten_all()?
            .to_vec1()?;
        let type0: Vec<f32> = emb
            .get((2, d), "token_type_embeddings.weight")?
            .get(0)?
            .to_vec1()?;
        let ln = norm(&emb.pp("LayerNorm"), d)?;
        let ff = config.intermediate_size;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{i}"));
            let att = l.pp("attention.self");
            let (q, k, v) = (att.pp("query"), att.pp("key"), att.pp("value"));
            let qkv_t = Tensor::cat(
                &[
                    weight_t(&q, d, d)?,
                    weight_t(&k, d, d)?,
                    weight_t(&v, d, d)?,
                ],
                1,
            )?
            .contiguous()?;
            let mut qkv_b = vec1(&q, d, "bias")?;
            qkv_b.extend(vec1(&k, d, "bias")?);
            qkv_b.extend(vec1(&v, d, "bias")?);
            let out = l.pp("attention.output");
            let up = l.pp("intermediate.dense");
            let down = l.pp("output");
            layers.push(Layer {
                qkv_t,
                qkv_b,
                out_t: weight_t(&out.pp("dense"), d, d)?,
                out_b: vec1(&out.pp("dense"), d, "bias")?,
                ln1: norm(&out.pp("LayerNorm"), d)?,
                up_t: weight_t(&up, ff, d)?,
                up_b: vec1(&up, ff, "bias")?,
                down_t: weight_t(&down.pp("dense"), d, ff)?,
                down_b: vec1(&down.pp("dense"), d, "bias")?,
                ln2: norm(&down.pp("LayerNorm"), d)?,
            });
        }
        Ok(Encoder {
            word,
            pos,
            type0,
            ln,
            layers,
            d,
            heads,
            eps: config.layer_norm_eps as f32,
            vocab: config.vocab_size,
            max_pos: config.max_position_embeddings,
            device,
        })
    }

    /// Width of a hidden state.
    pub fn hidden_size(&self) -> usize {
        self.d
    }

    /// Hidden states of `ids` (one unpadded sequence, every token attending to every other),
    /// row-major `(ids.len(), hidden)`.
    pub fn forward(&self, ids: &[u32]) -> Result<Vec<f32>, ClassifierError> {
        let n = ids.len();
        if n == 0 || n > self.max_pos {
            return Err(ClassifierError::Model(format!(
                "sequence of {n} tokens (1..={} supported)",
                self.max_pos
            )));
        }
        let d = self.d;
        let mut h = vec![0f32; n * d];
        for (i, (&id, row)) in ids.iter().zip(h.chunks_exact_mut(d)).enumerate() {
            let id = id as usize;
            if id >= self.vocab {
                return Err(ClassifierError::Model(format!(
                    "token id {id} out of range"
                )));
            }
            let w = &self.word[id * d..(id + 1) * d];
            let p = &self.pos[i * d..(i + 1) * d];
            for (((o, w), p), t) in row.iter_mut().zip(w).zip(p).zip(&self.type0) {
                *o = w + p + t;
            }
        }
        self.layer_norm(&mut h, &self.ln);
        // Inside candle's own pool: its workers stay warm across the products of a pass.
        self.device.with_context(|| {
            for layer in &self.layers {
                h = self.layer(layer, h, n)?;
            }
            Ok(h)
        })
    }

    fn layer(&self, l: &Layer, h: Vec<f32>, n: usize) -> Result<Vec<f32>, ClassifierError> {
        let d = self.d;
        let ctx = self.attention(&self.linear(&h, n, &l.qkv_t, &l.qkv_b)?, n)?;
        let mut a = self.linear(&ctx, n, &l.out_t, &l.out_b)?;
        a.iter_mut().zip(&h).for_each(|(a, h)| *a += h);
        self.layer_norm(&mut a, &l.ln1);
        let mut up = self.linear(&a, n, &l.up_t, &l.up_b)?;
        up.iter_mut().for_each(|x| *x = gelu(*x));
        let mut out = self.linear(&up, n, &l.down_t, &l.down_b)?;
        out.iter_mut().zip(&a).for_each(|(o, a)| *o += a);
        self.layer_norm(&mut out, &l.ln2);
        debug_assert_eq!(out.len(), n * d);
        Ok(out)
    }

    /// Multi-head self-attention over the fused `(n, 3d)` projections; returns `(n, d)`.
    fn attention(&self, qkv: &[f32], n: usize) -> Result<Vec<f32>, ClassifierError> {
        let (d, heads) = (self.d, self.heads);
        let hd = d / heads;
        let scale = 1.0 / (hd as f32).sqrt();
        let mut q = vec![0f32; heads * n * hd];
        let mut kt = vec![0f32; heads * hd * n];
        let mut v = vec![0f32; heads * n * hd];
        for (i, row) in qkv.chunks_exact(3 * d).enumerate() {
            for h in 0..heads {
                for e in 0..hd {
                    let c = h * hd + e;
                    q[(h * n + i) * hd + e] = row[c] * scale;
                    kt[(h * hd + e) * n + i] = row[d + c];
                    v[(h * n + i) * hd + e] = row[2 * d + c];
                }
            }
        }
        let dev = &self.device;
        let scores = Tensor::from_vec(q, (heads, n, hd), dev)?.matmul(&Tensor::from_vec(
            kt,
            (heads, hd, n),
            dev,
        )?)?;
        let mut p: Vec<f32> = scores.flatten_all()?.to_vec1()?;
        for row in p.chunks_exact_mut(n) {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0f32;
            for x in row.iter_mut() {
                *x = (*x - max).exp();
                sum += *x;
            }
            let inv = 1.0 / sum;
            row.iter_mut().for_each(|x| *x *= inv);
        }
        let ctx: Vec<f32> = Tensor::from_vec(p, (heads, n, n), dev)?
            .matmul(&Tensor::from_vec(v, (heads, n, hd), dev)?)?
            .flatten_all()?
            .to_vec1()?;
        let mut out = vec![0f32; n * d];
        for h in 0..heads {
            for i in 0..n {
                let src = &ctx[(h * n + i) * hd..(h * n + i + 1) * hd];
                out[i * d + h * hd..i * d + (h + 1) * hd].copy_from_slice(src);
            }
        }
        Ok(out)
    }

    /// `x @ w_t + b` for `n` rows.
    fn linear(
        &self,
        x: &[f32],
        n: usize,
        w_t: &Tensor,
        b: &[f32],
    ) -> Result<Vec<f32>, ClassifierError> {
        let k = x.len() / n;
        let y = Tensor::from_slice(x, (n, k), &self.device)?.matmul(w_t)?;
        let mut y: Vec<f32> = y.flatten_all()?.to_vec1()?;
        for row in y.chunks_exact_mut(b.len()) {
            row.iter_mut().zip(b).for_each(|(y, b)| *y += b);
        }
        Ok(y)
    }

    fn layer_norm(&self, x: &mut [f32], ln: &Norm) {
        let d = self.d as f32;
        for row in x.chunks_exact_mut(self.d) {
            let mean = sum(row) / d;
            row.iter_mut().for_each(|x| *x -= mean);
            let var = sum_sq(row) / d;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((x, w), b) in row.iter_mut().zip(&ln.w).zip(&ln.b) {
                *x = *x * inv * w + b;
            }
        }
    }
}

/// A sum in eight independent lanes, so the compiler can keep it in one SIMD register
/// (a plain `iter().sum()` is a serial chain of dependent adds).
fn sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        acc.iter_mut().zip(c).for_each(|(a, x)| *a += x);
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

fn sum_sq(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        acc.iter_mut().zip(c).for_each(|(a, x)| *a += x * x);
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().map(|x| x * x).sum::<f32>()
}

/// The exact GELU, `x * Φ(x)`, with the error function below.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function as a rational approximation on `[-4, 4]` (Eigen's
/// `generic_fast_erf_float`; |error| < 1e-7, outside that range erf is ±1 in f32).
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10_f32;
    for c in [
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_6e-3,
        -1.609_603_3e-2,
    ] {
        p = p * x2 + c;
    }
    let mut q = -1.456_607_2e-5_f32;
    for c in [
        -2.133_740_6e-4,
        -1.682_827e-3,
        -7.373_329e-3,
        -1.426_473_9e-2,
    ] {
        q = q * x2 + c;
    }
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::erf;

    #[test]
    fn erf_matches_the_series_to_single_precision() {
        // erf by its Maclaurin series in f64 (converges fast enough on [-4, 4] with 80 terms).
        fn reference(x: f64) -> f64 {
            let (mut term, mut sum) = (x, x);
            for n in 1..120 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        }
        let mut worst = 0f64;
        for i in -3500..=3500 {
            let x = f64::from(i) / 1000.0;
            worst = worst.max((f64::from(erf(x as f32)) - reference(x)).abs());
        }
        assert!(worst < 5e-7, "max |erf error| {worst}");
        assert!((erf(9.0) - 1.0).abs() < 1e-6);
        assert!((erf(-9.0) + 1.0).abs() < 1e-6);
        assert_eq!(erf(0.0), 0.0);
    }
}
