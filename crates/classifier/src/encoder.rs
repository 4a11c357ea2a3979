//! The BERT encoder of all-MiniLM-L6-v2, written for what the guard does with it: one short,
//! unpadded sequence at a time on a CPU.
//!
//! `candle-transformers`' general `BertModel` runs ~20 tensor ops per layer, each a parallel
//! section on candle's thread pool with its own allocation; for a 60-token prompt those
//! sections cost more than the matrix products themselves. Here a layer is:
//! - four linear layers (a fused Q/K/V projection, the attention output, the feed-forward
//!   up and down projections) as int8 products ([`crate::qgemm`]: AVX-512 VNNI, AVX2 or
//!   plain, same bits), or f32 through candle's `gemm` at [`Precision::F32`], the reference;
//! - attention fused per head and query row ([`crate::attn`]: no `n × n` score matrix);
//! - bias, residual, layer norm, softmax and GELU as plain loops, compiled again for AVX2
//!   and AVX-512 ([`crate::simd`]).
//!
//! At f32 the output matches `BertModel` to ~1e-6; at int8 the embeddings stay within a
//! cosine of 0.995 of f32 on the dev set (both checked by `tests/model.rs`).

use crate::attn;
use crate::qgemm::QMatrix;
use crate::simd::multiversion;
use crate::ClassifierError;
use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;
use std::path::Path;

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

/// How the linear layers multiply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// int8 weights and activations ([`crate::qgemm`]): ~3× faster, what the guard runs.
    #[default]
    Int8,
    /// f32 through candle's `gemm`: the reference the int8 path is checked against.
    F32,
}

/// A linear layer's weight, `(in, out)`.
#[derive(Debug)]
enum Weight {
    F32(Tensor),
    Int8(QMatrix),
}

#[derive(Debug)]
struct Layer {
    /// `(hidden, 3 * hidden)`: query, key and value projections side by side.
    qkv_t: Weight,
    qkv_b: Vec<f32>,
    out_t: Weight,
    out_b: Vec<f32>,
    ln1: Norm,
    up_t: Weight,
    up_b: Vec<f32>,
    down_t: Weight,
    down_b: Vec<f32>,
    ln2: Norm,
}

/// One sequence's rows in a batch.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    len: usize,
}

/// The word-embedding table: one row of `d` floats per token id (30,522 × 384 for MiniLM,
/// 47 MB).
///
/// Read row by row from the weights file when the file holds it as little-endian f32: a text
/// needs one row per token (a 512-token text: 512 reads of 1.5 KB from the page cache, well
/// under a millisecond against a forward pass of tens), and the process does not carry 47 MB
/// of which a chat uses a few thousand rows. (Mapping the file instead was measured: the
/// kernel maps 64 KB around each row touched, so a dev set's worth of prompts made the whole
/// table resident again.) Otherwise (another dtype, weights from a buffer) it is copied.
#[derive(Debug)]
pub(crate) struct WordTable(Table);

#[derive(Debug)]
enum Table {
    Owned(Vec<f32>),
    /// The open weights file and the byte offset of row 0 in it.
    File(std::fs::File, u64),
}

impl WordTable {
    /// Row `id` (`d` floats): borrowed from the table, or read into `scratch` (at least
    /// `d` floats; `bytes` at least `4 d`) from the file.
    fn row<'s>(
        &'s self,
        id: usize,
        d: usize,
        scratch: &'s mut [f32],
        bytes: &mut [u8],
    ) -> Result<&'s [f32], ClassifierError> {
        match &self.0 {
            Table::Owned(w) => Ok(&w[id * d..(id + 1) * d]),
            Table::File(file, offset) => {
                use std::os::unix::fs::FileExt;
                let bytes = &mut bytes[..d * 4];
                file.read_exact_at(bytes, offset + (id * d * 4) as u64)
                    .map_err(|e| {
                        ClassifierError::Model(format!("reading word embedding {id}: {e}"))
                    })?;
                for (o, b) in scratch.iter_mut().zip(bytes.chunks_exact(4)) {
                    *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                Ok(&scratch[..d])
            }
        }
    }
}

/// Byte range in a safetensors file of the tensor called one of `names`, if it is an f32
/// tensor of `rows × d` that lies within the file.
fn f32_tensor(file: &[u8], names: &[&str], rows: usize, d: usize) -> Option<(usize, usize)> {
    let n = usize::try_from(u64::from_le_bytes(file.get(..8)?.try_into().ok()?)).ok()?;
    let header: serde_json::Value =
        serde_json::from_slice(file.get(8..8usize.checked_add(n)?)?).ok()?;
    let t = names.iter().find_map(|name| header.get(*name))?;
    let shape: Vec<usize> = serde_json::from_value(t.get("shape")?.clone()).ok()?;
    let [start, end]: [usize; 2] = serde_json::from_value(t.get("data_offsets")?.clone()).ok()?;
    let (offset, len) = (8 + n + start, end.checked_sub(start)?);
    let fits = t.get("dtype")?.as_str()? == "F32"
        && shape == [rows, d]
        && len == rows.checked_mul(d)?.checked_mul(4)?
        && offset.checked_add(len)? <= file.len();
    fits.then_some((offset, len))
}

/// The encoder: token ids in, one hidden state per token out.
#[derive(Debug)]
pub struct Encoder {
    word: WordTable,
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

fn weight(t: Tensor, precision: Precision) -> Result<Weight, ClassifierError> {
    Ok(match precision {
        Precision::F32 => Weight::F32(t),
        Precision::Int8 => {
            let (k, n) = t.dims2()?;
            Weight::Int8(QMatrix::new(&t.flatten_all()?.to_vec1()?, k, n))
        }
    })
}

impl Encoder {
    /// Whether the word-embedding table is read from the weights file (see [`WordTable`]),
    /// not held in memory.
    pub fn word_table_on_disk(&self) -> bool {
        matches!(self.word.0, Table::File(..))
    }

    /// Loads the weights of a (sentence-transformers style) BERT checkpoint, with int8
    /// linear layers.
    pub fn load(vb: VarBuilder, config: &Config) -> Result<Encoder, ClassifierError> {
        Encoder::load_with(vb, config, Precision::Int8)
    }

    /// [`load`](Self::load) at a chosen precision.
    pub fn load_with(
        vb: VarBuilder,
        config: &Config,
        precision: Precision,
    ) -> Result<Encoder, ClassifierError> {
        Encoder::load_parts(vb, config, precision, None)
    }

    /// Loads a safetensors file. The word-embedding table, when stored as f32, stays in the
    /// file and is read a row at a time (see [`WordTable`]).
    pub fn load_file(
        path: &Path,
        config: &Config,
        precision: Precision,
    ) -> Result<Encoder, ClassifierError> {
        let missing = |e: std::io::Error| ClassifierError::Missing {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut file = std::fs::File::open(path).map_err(missing)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(missing)?;
        let names = [
            "embeddings.word_embeddings.weight",
            "bert.embeddings.word_embeddings.weight",
        ];
        let word = f32_tensor(&bytes, &names, config.vocab_size, config.hidden_size)
            .map(|(offset, _)| WordTable(Table::File(file, offset as u64)));
        let vb =
            VarBuilder::from_buffered_safetensors(bytes, candle_core::DType::F32, &Device::Cpu)?;
        Encoder::load_parts(vb, config, precision, word)
    }

    /// [`load_with`](Self::load_with), the word-embedding table taken from `word` when given
    /// (read from the file `vb` came from) instead of copied out of `vb`.
    pub(crate) fn load_parts(
        vb: VarBuilder,
        config: &Config,
        precision: Precision,
        word: Option<WordTable>,
    ) -> Result<Encoder, ClassifierError> {
        if config.hidden_act != "gelu" {
            return Err(ClassifierError::Model(format!(
                "unsupported activation {:?} (only gelu)",
                config.hidden_act
            )));
        }
        let d = config.hidden_size;
        let heads = config.num_attention_heads;
        if heads == 0 || !d.is_multiple_of(heads) {
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
        let word = match word {
            Some(w) => w,
            None => WordTable(Table::Owned(
                emb.get((config.vocab_size, d), "word_embeddings.weight")?
                    .flatten_all()?
                    .to_vec1()?,
            )),
        };
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
            let w = |t| weight(t, precision);
            layers.push(Layer {
                qkv_t: w(qkv_t)?,
                qkv_b,
                out_t: w(weight_t(&out.pp("dense"), d, d)?)?,
                out_b: vec1(&out.pp("dense"), d, "bias")?,
                ln1: norm(&out.pp("LayerNorm"), d)?,
                up_t: w(weight_t(&up, ff, d)?)?,
                up_b: vec1(&up, ff, "bias")?,
                down_t: w(weight_t(&down.pp("dense"), d, ff)?)?,
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
        self.forward_many(&[ids])
    }

    /// Hidden states of several sequences run as one batch, their rows one after another:
    /// the linear layers take every row at once (one parallel product per layer instead of
    /// one per sequence), attention stays within each sequence. Rows are independent in
    /// everything but attention, so the bits are those of one [`forward`](Self::forward) per
    /// sequence.
    ///
    /// With several sequences and as many threads, whole sequences go to each thread
    /// (balanced by tokens) and run through every layer there with no synchronization; one
    /// sequence, or an uneven few, split each layer's rows between the threads instead.
    pub fn forward_many(&self, seqs: &[&[u32]]) -> Result<Vec<f32>, ClassifierError> {
        // Inside candle's rayon pool, so the calling thread is one of its workers and takes
        // part in every parallel loop of the pass.
        self.device.with_context(|| self.forward_many_in_pool(seqs))
    }

    fn forward_many_in_pool(&self, seqs: &[&[u32]]) -> Result<Vec<f32>, ClassifierError> {
        let groups = groups(seqs, crate::par::threads());
        if groups.len() < 2 {
            return self.forward_batch(seqs);
        }
        let parts = crate::par::map(groups, |g| self.forward_batch(&seqs[g]));
        let total = seqs.iter().map(|s| s.len()).sum::<usize>();
        let mut h = Vec::with_capacity(total * self.d);
        for part in parts {
            let part = part?;
            h.extend_from_slice(&part);
            recycle(part);
        }
        Ok(h)
    }

    /// [`forward_many`](Self::forward_many) of one batch: every layer over all its rows.
    fn forward_batch(&self, seqs: &[&[u32]]) -> Result<Vec<f32>, ClassifierError> {
        let d = self.d;
        let mut spans = Vec::with_capacity(seqs.len());
        let mut total = 0;
        for ids in seqs {
            let n = ids.len();
            if n == 0 || n > self.max_pos {
                return Err(ClassifierError::Model(format!(
                    "sequence of {n} tokens (1..={} supported)",
                    self.max_pos
                )));
            }
            spans.push(Span {
                start: total,
                len: n,
            });
            total += n;
        }
        let mut h = buffer(total * d);
        let (mut scratch, mut bytes) = (vec![0f32; d], vec![0u8; d * 4]);
        for (span, ids) in spans.iter().zip(seqs) {
            let rows = h[span.start * d..(span.start + span.len) * d].chunks_exact_mut(d);
            for (i, (&id, row)) in ids.iter().zip(rows).enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    return Err(ClassifierError::Model(format!(
                        "token id {id} out of range"
                    )));
                }
                let w = self.word.row(id, d, &mut scratch, &mut bytes)?;
                let p = &self.pos[i * d..(i + 1) * d];
                for (((o, w), p), t) in row.iter_mut().zip(w).zip(p).zip(&self.type0) {
                    *o = w + p + t;
                }
            }
        }
        if total == 0 {
            return Ok(h);
        }
        self.layer_norm(&mut h, &self.ln);
        for layer in &self.layers {
            h = self.layer(layer, h, total, &spans)?;
        }
        Ok(h)
    }

    fn layer(
        &self,
        l: &Layer,
        h: Vec<f32>,
        n: usize,
        spans: &[Span],
    ) -> Result<Vec<f32>, ClassifierError> {
        let d = self.d;
        let qkv = self.linear(&h, n, &l.qkv_t, &l.qkv_b)?;
        let ctx = self.attention(&qkv, spans);
        recycle(qkv);
        let mut a = self.linear(&ctx, n, &l.out_t, &l.out_b)?;
        recycle(ctx);
        self.add_norm(&mut a, &h, &l.ln1);
        recycle(h);
        let mut up = self.linear(&a, n, &l.up_t, &l.up_b)?;
        let per = rows_per_job(n) * up.len() / n;
        crate::par::for_each(up.chunks_mut(per).collect(), gelu_all);
        let mut out = self.linear(&up, n, &l.down_t, &l.down_b)?;
        recycle(up);
        self.add_norm(&mut out, &a, &l.ln2);
        recycle(a);
        debug_assert_eq!(out.len(), n * d);
        Ok(out)
    }

    /// Multi-head self-attention over the fused `(n, 3d)` projections of every sequence;
    /// returns `(n, d)`. Each (sequence, head) pair is a parallel job, one pass over its
    /// query rows ([`head_attention`]).
    fn attention(&self, qkv: &[f32], spans: &[Span]) -> Vec<f32> {
        let (d, heads) = (self.d, self.heads);
        let hd = d / heads;
        let scale = 1.0 / (hd as f32).sqrt();
        let total = spans.iter().map(|s| s.len).sum::<usize>();
        // Sequence by sequence, head by head: `(len, hd)` per pair.
        let mut per_head = buffer(total * d);
        let mut jobs = Vec::with_capacity(spans.len() * heads);
        let mut rest = per_head.as_mut_slice();
        for span in spans {
            for h in 0..heads {
                let (ctx, r) = rest.split_at_mut(span.len * hd);
                jobs.push((span, h, ctx));
                rest = r;
            }
        }
        crate::par::for_each(jobs, |(span, h, ctx)| {
            let qkv = &qkv[span.start * 3 * d..(span.start + span.len) * 3 * d];
            head_attention(qkv, span.len, d, h * hd, hd, scale, ctx);
        });
        let mut out = buffer(total * d);
        for span in spans {
            let (lo, hi) = (span.start * d, (span.start + span.len) * d);
            for (h, ctx) in per_head[lo..hi].chunks_exact(span.len * hd).enumerate() {
                for (row, c) in out[lo..hi].chunks_exact_mut(d).zip(ctx.chunks_exact(hd)) {
                    row[h * hd..(h + 1) * hd].copy_from_slice(c);
                }
            }
        }
        recycle(per_head);
        out
    }

    fn linear(
        &self,
        x: &[f32],
        n: usize,
        w_t: &Weight,
        b: &[f32],
    ) -> Result<Vec<f32>, ClassifierError> {
        let w_t = match w_t {
            Weight::Int8(q) => {
                let mut y = buffer(n * q.shape().1);
                q.forward_into(crate::qgemm::kernel(), x, n, b, &mut y);
                return Ok(y);
            }
            Weight::F32(t) => t,
        };
        let k = x.len() / n;
        let y = Tensor::from_slice(x, (n, k), &self.device)?.matmul(w_t)?;
        let mut y: Vec<f32> = y.flatten_all()?.to_vec1()?;
        for row in y.chunks_exact_mut(b.len()) {
            row.iter_mut().zip(b).for_each(|(y, b)| *y += b);
        }
        Ok(y)
    }

    /// `x = layer_norm(x + residual)`, rows in parallel.
    fn add_norm(&self, x: &mut [f32], residual: &[f32], ln: &Norm) {
        let per = rows_per_job(x.len() / self.d) * self.d;
        let jobs: Vec<_> = x.chunks_mut(per).zip(residual.chunks(per)).collect();
        crate::par::for_each(jobs, |(x, r)| {
            x.iter_mut().zip(r).for_each(|(x, r)| *x += r);
            self.layer_norm(x, ln);
        });
    }

    fn layer_norm(&self, x: &mut [f32], ln: &Norm) {
        layer_norm_rows(x, &ln.w, &ln.b, self.eps);
    }
}

thread_local! {
    /// Activation buffers a pass hands back for the next step or pass on this thread.
    static SPARE: std::cell::RefCell<Vec<Vec<f32>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A buffer of `len` floats, reused from this thread's spares where one is big enough (its
/// pages already mapped: fresh buffers of a few MB come from `mmap`, and faulting their
/// pages in cost ~1 ms a layer). Its contents are unspecified: every user overwrites all of
/// it.
fn buffer(len: usize) -> Vec<f32> {
    let mut v = SPARE
        .with_borrow_mut(|spare| {
            let fit = (0..spare.len())
                .filter(|&i| spare[i].capacity() >= len)
                .min_by_key(|&i| spare[i].capacity());
            let any = (!spare.is_empty()).then(|| spare.len() - 1);
            fit.or(any).map(|i| spare.swap_remove(i))
        })
        .unwrap_or_default();
    v.resize(len, 0.0);
    v
}

/// Gives a buffer back to this thread's spares (at most a pass's worth are kept).
pub(crate) fn recycle(v: Vec<f32>) {
    SPARE.with_borrow_mut(|spare| {
        if spare.len() < 6 {
            spare.push(v);
        }
    });
}

/// Consecutive runs of `seqs` for `threads` threads to encode one run each, or a single run
/// when splitting would not pay: when the longest run would hold more than 1.25× a fair
/// share of the tokens (three equal windows on two threads: 2:1), splitting each layer's
/// rows is the faster way to use the threads.
fn groups(seqs: &[&[u32]], threads: usize) -> Vec<std::ops::Range<usize>> {
    let total = seqs.iter().map(|s| s.len()).sum::<usize>();
    let whole = std::iter::once(0..seqs.len()).collect::<Vec<_>>();
    if threads < 2 || seqs.len() < 2 {
        return whole;
    }
    let share = total.div_ceil(threads);
    let mut out = Vec::with_capacity(threads);
    let (mut start, mut tokens) = (0, 0);
    for (i, s) in seqs.iter().enumerate() {
        // Close the run before a sequence that would take it further from a fair share.
        if tokens > 0
            && (tokens + s.len()).abs_diff(share) > tokens.abs_diff(share)
            && out.len() + 1 < threads
        {
            out.push(start..i);
            (start, tokens) = (i, 0);
        }
        tokens += s.len();
    }
    out.push(start..seqs.len());
    let longest = out
        .iter()
        .map(|r| seqs[r.clone()].iter().map(|s| s.len()).sum::<usize>())
        .max()
        .unwrap_or(0);
    if out.len() < 2 || longest * 4 > share * 5 {
        return whole;
    }
    out
}

/// Rows per parallel job of the element-wise steps: two jobs a thread.
fn rows_per_job(rows: usize) -> usize {
    rows.div_ceil(2 * crate::par::threads()).max(1)
}

multiversion!(fn head_attention(qkv: &[f32], n: usize, d: usize, off: usize, hd: usize, scale: f32, ctx: &mut [f32]) = head_attention_body;);
multiversion!(fn gelu_all(x: &mut [f32]) = gelu_all_body;);
multiversion!(fn layer_norm_rows(x: &mut [f32], w: &[f32], b: &[f32], eps: f32) = layer_norm_body;);

/// One head of attention: for each query row `i`, `softmax(scale · q_i Kᵀ) V` into row `i`
/// of `ctx` (`(n, hd)`). `q`, `k` and `v` are read in place from the fused projections
/// (`(n, 3d)`, this head's columns at `off`); only `K` is copied, transposed and padded to a
/// multiple of 16 keys. One score row at a time: nothing of size `n²` is allocated. The two
/// products are [`crate::attn`]'s kernels.
#[inline(always)]
fn head_attention_body(
    qkv: &[f32],
    n: usize,
    d: usize,
    off: usize,
    hd: usize,
    scale: f32,
    ctx: &mut [f32],
) {
    let stride = 3 * d;
    let np = n.div_ceil(16) * 16;
    let mut kt = vec![0f32; hd * np];
    for j in 0..n {
        let k = &qkv[j * stride + d + off..][..hd];
        for (e, &k) in k.iter().enumerate() {
            kt[e * np + j] = k;
        }
    }
    // The head's values, contiguous: in place they are 3d floats apart (4.6 KB), a stride
    // that maps every row to the same few L1 sets, so each pass over them came from L2.
    let mut v = vec![0f32; n * hd];
    for (j, row) in v.chunks_exact_mut(hd).enumerate() {
        row.copy_from_slice(&qkv[j * stride + 2 * d + off..][..hd]);
    }
    let v = v.as_slice();
    // Query rows go through the kernels a few at a time (see `attn::ROWS`); each row's
    // arithmetic is the same as one at a time.
    let mut scores = vec![0f32; attn::ROWS * np];
    for (i0, ctx) in ctx.chunks_mut(attn::ROWS * hd).enumerate() {
        let i0 = i0 * attn::ROWS;
        let rows = ctx.len() / hd;
        let qs: [&[f32]; attn::ROWS] =
            std::array::from_fn(|r| &qkv[(i0 + r.min(rows - 1)) * stride + off..][..hd]);
        attn::scores_rows(&qs[..rows], &kt, np, &mut scores[..rows * np]);
        let mut inv = [0f32; attn::ROWS];
        for (p, inv) in scores.chunks_exact_mut(np).zip(&mut inv).take(rows) {
            let p = &mut p[..n];
            let max = max(p);
            p.iter_mut().for_each(|x| *x = exp_neg((*x - max) * scale));
            *inv = 1.0 / sum(p);
        }
        for (k, c) in ctx.chunks_mut(2 * hd).enumerate() {
            let r = 2 * k;
            if c.len() == 2 * hd {
                let (c0, c1) = c.split_at_mut(hd);
                let p0 = &scores[r * np..][..n];
                let p1 = &scores[(r + 1) * np..][..n];
                attn::weighted_sum_rows([p0, p1], v, hd, [inv[r], inv[r + 1]], [c0, c1]);
            } else {
                attn::weighted_sum(&scores[r * np..][..n], v, hd, inv[r], c);
            }
        }
    }
}

#[inline(always)]
fn gelu_all_body(x: &mut [f32]) {
    x.iter_mut().for_each(|x| *x = gelu(*x));
}

#[inline(always)]
fn layer_norm_body(x: &mut [f32], w: &[f32], b: &[f32], eps: f32) {
    let d = w.len();
    for row in x.chunks_exact_mut(d) {
        let mean = sum(row) / d as f32;
        row.iter_mut().for_each(|x| *x -= mean);
        let var = sum_sq(row) / d as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((x, w), b) in row.iter_mut().zip(w).zip(b) {
            *x = *x * inv * w + b;
        }
    }
}

/// The largest of `x` in eight lanes (vectorizes, unlike a fold over `f32::max`).
#[inline(always)]
fn max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        acc.iter_mut()
            .zip(c)
            .for_each(|(a, &x)| *a = if x > *a { x } else { *a });
    }
    let tail = chunks.remainder().iter().copied();
    acc.into_iter()
        .chain(tail)
        .fold(f32::NEG_INFINITY, f32::max)
}

/// A sum in eight independent lanes, so the compiler can keep it in one SIMD register
/// (a plain `iter().sum()` is a serial chain of dependent adds).
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        acc.iter_mut().zip(c).for_each(|(a, x)| *a += x);
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

#[inline(always)]
fn sum_sq(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        acc.iter_mut().zip(c).for_each(|(a, x)| *a += x * x);
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().map(|x| x * x).sum::<f32>()
}

/// `e^x` for `x <= 0` (softmax after subtracting the maximum), to ~2 ulp: `2^n · e^r` with
/// `|r| <= ln 2 / 2` and a degree-6 polynomial. Plain arithmetic and bit casts, so a loop over
/// it vectorizes (the libm `expf` is a call per element).
#[inline(always)]
fn exp_neg(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 × 2^23: adding it rounds to an integer
    let x = x.max(-87.0);
    let t = x * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    // r = x - n ln 2, with ln 2 split in two (Cephes): n × 0.693359375 is exact in f32.
    // (No `mul_add`: without FMA in the target it is a libm call.)
    let r = x - n * 0.693_359_4;
    let r = r + n * 2.121_944_4e-4;
    let mut p = 1.0 / 720.0;
    for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = p * r + c;
    }
    // t's low mantissa bits hold n (two's complement): 2^n's exponent field without a
    // float-to-int conversion (a saturating `as` is a scalar compare-and-branch).
    p * f32::from_bits(t.to_bits().wrapping_sub(0x4B40_0000 - 127) << 23)
}

/// The exact GELU, `x * Φ(x)`, with the error function below.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function as a rational approximation on `[-4, 4]` (Eigen's
/// `generic_fast_erf_float`; |error| < 1e-7, outside that range erf is ±1 in f32).
#[inline(always)]
#[allow(clippy::manual_clamp)] // `clamp` keeps NaN apart and blocks vectorizing the loop
fn erf(x: f32) -> f32 {
    let x = x.max(-4.0).min(4.0);
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
    use super::{erf, exp_neg, groups};

    #[test]
    fn windows_split_between_threads_only_when_even_enough() {
        let ids = [1u32; 128];
        let w = |lens: &[usize]| -> Vec<&[u32]> { lens.iter().map(|&n| &ids[..n]).collect() };
        assert_eq!(groups(&w(&[128, 128, 128, 128]), 2), vec![0..2, 2..4]);
        assert_eq!(groups(&w(&[128, 128]), 2), vec![0..1, 1..2]);
        assert_eq!(groups(&w(&[128, 128, 100]), 2), vec![0..3]); // 256 : 100
        assert_eq!(groups(&w(&[128, 2]), 2), vec![0..2]);
        assert_eq!(groups(&w(&[128]), 2), vec![0..1]);
        assert_eq!(groups(&w(&[128, 128, 128, 128]), 1), vec![0..4]);
        assert_eq!(
            groups(&w(&[128, 128, 128, 128]), 4),
            vec![0..1, 1..2, 2..3, 3..4]
        );
        assert_eq!(groups(&w(&[128, 128, 128, 110]), 2), vec![0..2, 2..4]);
    }

    #[test]
    fn exp_neg_matches_libm() {
        let mut worst = 0f32;
        for i in 0..=170_000 {
            let x = -(i as f32) * 0.000_5;
            let (got, want) = (exp_neg(x), x.exp());
            worst = worst.max((got - want).abs() / want.max(f32::MIN_POSITIVE));
        }
        assert!(worst < 5e-7, "max relative error {worst:e}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(-1000.0) >= 0.0 && exp_neg(-1000.0) < 1e-37);
    }

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
