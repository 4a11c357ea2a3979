//! In-process llama.cpp: loading a model and the token loop.
//!
//! This is the code the worker process runs. It follows llama-cpp-rs's `simple` example:
//! tokenize, check the context budget, decode the prompt in `n_batch` chunks (a larger batch
//! trips a `GGML_ASSERT` and aborts the process), then sample, stop on end-of-generation, and
//! detokenize without ever splitting a UTF-8 character.

use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use crate::protocol::{GenerateParams, GenerationStats, LoadParams, LoadedModel, StopReason};
use crate::sampling::SamplingParams;

/// Most context Warden allocates when the caller leaves it to the model (0).
const DEFAULT_CTX_CAP: u32 = 8192;

/// An error inside the runner, with a stable code for the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// Stable code (`load_failed`, `prompt_too_long`, `decode_failed`, …).
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl RunError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

/// The process-wide llama.cpp backend (initialised once; a second init fails in llama.cpp).
/// llama.cpp logs to stderr: in the worker, that is the log tail kept to explain a crash.
pub fn backend() -> Result<&'static LlamaBackend, RunError> {
    init_backend(false)
}

/// The backend with llama.cpp's logs silenced, for in-process use in a terminal (the bench).
/// Only the first call in a process decides.
pub fn backend_quiet() -> Result<&'static LlamaBackend, RunError> {
    init_backend(true)
}

fn init_backend(quiet: bool) -> Result<&'static LlamaBackend, RunError> {
    BACKEND
        .get_or_init(|| {
            let mut b = LlamaBackend::init().map_err(|e| e.to_string())?;
            if quiet {
                b.void_logs();
            }
            Ok(b)
        })
        .as_ref()
        .map_err(|e| RunError::new("backend_failed", format!("llama.cpp backend: {e}")))
}

fn threads(requested: i32) -> i32 {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get() as i32)
            .unwrap_or(4)
    }
}

/// Loads a model. `progress` gets 0..=1 as tensors load; returning `false` cancels.
///
/// The file must already have passed [`crate::gguf::inspect`].
pub fn load_model(
    params: &LoadParams,
    progress: impl FnMut(f32) -> bool + 'static,
) -> Result<LlamaModel, RunError> {
    let backend = backend()?;
    let mp = LlamaModelParams::default()
        .with_n_gpu_layers(params.n_gpu_layers)
        .with_progress_callback(progress);
    if !std::path::Path::new(&params.path).is_file() {
        return Err(RunError::new(
            "load_failed",
            format!("model file not found: {}", params.path),
        ));
    }
    LlamaModel::load_from_file(backend, &params.path, &mp).map_err(|e| {
        RunError::new(
            "load_failed",
            format!(
                "llama.cpp could not load {}: {e} (see the worker log for the reason)",
                params.path
            ),
        )
    })
}

/// A loaded model with its context, ready to generate; the KV cache is reused across calls.
pub struct Runner<'m> {
    model: &'m LlamaModel,
    ctx: LlamaContext<'m>,
    info: LoadedModel,
    /// The tokens whose cells are in the KV cache (sequence 0), in order. A new prompt that
    /// starts with them (the next turn of a chat) decodes only what is new.
    kv: Vec<LlamaToken>,
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("info", &self.info).finish()
    }
}

impl<'m> Runner<'m> {
    /// Creates the context for `model`.
    pub fn new(model: &'m LlamaModel, params: &LoadParams, load_ms: u64) -> Result<Self, RunError> {
        let n_ctx_train = model.n_ctx_train();
        let n_ctx = match params.n_ctx {
            0 => n_ctx_train.min(DEFAULT_CTX_CAP),
            n => n.min(n_ctx_train.max(256)),
        }
        .max(256);
        let n_batch = params.n_batch.clamp(1, n_ctx);
        let n_threads = threads(params.n_threads);
        let cp = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(n_ctx))
            .with_n_batch(n_batch)
            .with_n_ubatch(n_batch)
            .with_n_threads(n_threads)
            .with_n_threads_batch(n_threads)
            .with_no_perf(false);
        let ctx = model
            .new_context(backend()?, cp)
            .map_err(|e| RunError::new("context_failed", format!("cannot create context: {e}")))?;
        let vocab = model.vocab();
        let piece = |t: LlamaToken| {
            let mut buf = Vec::new();
            vocab.token_to_piece_into(t, &mut buf, true, None);
            String::from_utf8_lossy(&buf).into_owned()
        };
        let info = LoadedModel {
            path: params.path.clone(),
            n_params: model.n_params(),
            n_ctx_train,
            n_ctx: ctx.n_ctx(),
            n_batch: ctx.n_batch(),
            n_threads,
            n_gpu_layers: params.n_gpu_layers,
            n_vocab: model.n_vocab(),
            bos_token: piece(vocab.bos()),
            eos_token: piece(vocab.eos()),
            add_bos: vocab.should_add_bos(),
            load_ms,
        };
        Ok(Self {
            model,
            ctx,
            info,
            kv: Vec::new(),
        })
    }

    /// What was loaded.
    pub fn info(&self) -> &LoadedModel {
        &self.info
    }

    /// Runs one generation. `on_token` gets each complete piece of text and returns `false` to
    /// stop (cancellation is checked before every token, so it takes effect within one token).
    pub fn generate(
        &mut self,
        params: &GenerateParams,
        mut on_token: impl FnMut(&str) -> bool,
    ) -> Result<GenerationStats, RunError> {
        params
            .sampling
            .validate()
            .map_err(|m| RunError::new("invalid_sampling", m))?;
        let started = Instant::now();
        let vocab = self.model.vocab();
        let tokens = vocab.tokenize(params.prompt.as_bytes(), params.add_bos, true);
        let n_ctx = self.ctx.n_ctx() as usize;
        if tokens.is_empty() {
            return Err(RunError::new("empty_prompt", "the prompt is empty"));
        }
        if tokens.len() + 1 > n_ctx {
            return Err(RunError::new(
                "prompt_too_long",
                format!(
                    "the prompt is {} tokens but the context holds {n_ctx}; shorten it or load the model with a larger context",
                    tokens.len()
                ),
            ));
        }
        let reused = self.reuse_prefix(&tokens, params.sampling.fresh_context);
        let n_batch = self.ctx.n_batch() as usize;
        let mut batch = LlamaBatch::new(n_batch.max(1), 1);
        let last = tokens.len() - 1;
        for (chunk_i, chunk) in tokens[reused..].chunks(n_batch).enumerate() {
            batch.clear();
            for (j, &tok) in chunk.iter().enumerate() {
                let pos = reused + chunk_i * n_batch + j;
                batch
                    .add(tok, pos as i32, &[0], pos == last)
                    .map_err(|e| RunError::new("decode_failed", e.to_string()))?;
            }
            self.ctx
                .decode(&mut batch)
                .map_err(|e| RunError::new("decode_failed", format!("prompt decode: {e}")))?;
            self.kv.extend_from_slice(chunk);
        }
        let prompt_done = Instant::now();
        let mut sampler = build_sampler(&params.sampling, self.model.n_vocab());
        let mut pos = tokens.len();
        let mut utf8 = Utf8Stream::default();
        let mut piece = Vec::with_capacity(32);
        let mut generated: u32 = 0;
        let mut first_token_at = None;
        let mut first_prob = None;
        let stop = loop {
            if generated >= params.sampling.max_tokens {
                break StopReason::MaxTokens;
            }
            let tok = sampler.sample(&self.ctx, batch.n_tokens() - 1);
            generated += 1;
            if first_token_at.is_none() {
                first_token_at = Some(Instant::now());
                if params.want_first_prob {
                    let logits = self.ctx.get_logits_ith(batch.n_tokens() - 1);
                    first_prob = token_probability(logits, tok.0);
                }
            }
            if vocab.is_eog(tok) && !params.sampling.ignore_eog {
                break StopReason::EndOfGeneration;
            }
            piece.clear();
            vocab.token_to_piece_into(tok, &mut piece, true, None);
            let text = utf8.push(&piece);
            if !text.is_empty() && !on_token(&text) {
                break StopReason::Cancelled;
            }
            if pos + 1 >= n_ctx {
                break StopReason::ContextFull;
            }
            batch.clear();
            batch
                .add(tok, pos as i32, &[0], true)
                .map_err(|e| RunError::new("decode_failed", e.to_string()))?;
            pos += 1;
            self.ctx
                .decode(&mut batch)
                .map_err(|e| RunError::new("decode_failed", format!("decode: {e}")))?;
            self.kv.push(tok);
        };
        let tail = utf8.finish();
        if !tail.is_empty() && stop != StopReason::Cancelled {
            on_token(&tail);
        }
        let end = Instant::now();
        let prompt_secs = (prompt_done - started).as_secs_f64();
        let first = first_token_at.unwrap_or(end);
        let gen_secs = (end - first).as_secs_f64();
        Ok(GenerationStats {
            prompt_tokens: tokens.len() as u32,
            generated_tokens: generated,
            prompt_tps: rate(tokens.len() as f64, prompt_secs),
            generation_tps: rate(f64::from(generated.saturating_sub(1)), gen_secs),
            ttft_ms: (first - started).as_secs_f64() * 1e3,
            total_ms: (end - started).as_secs_f64() * 1e3,
            stop_reason: Some(stop),
            first_token_prob: first_prob,
        })
    }
}

/// Softmax probability of `token` under `logits`.
fn token_probability(logits: &[f32], token: i32) -> Option<f32> {
    let target = *logits.get(usize::try_from(token).ok()?)?;
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    Some((f64::from(target - max).exp() / sum) as f32)
}

impl Runner<'_> {
    /// Keeps the cached cells `tokens` starts with and drops the rest; returns how many are
    /// kept. At least the last prompt token is always decoded again: its logits pick the first
    /// new token. Where the cache cannot drop a suffix (some sliding-window caches), or when
    /// `fresh` is asked for, everything is dropped.
    fn reuse_prefix(&mut self, tokens: &[LlamaToken], fresh: bool) -> usize {
        let cached = std::mem::take(&mut self.kv);
        let mut keep = if fresh {
            0
        } else {
            cached
                .iter()
                .zip(tokens)
                .take_while(|(a, b)| a == b)
                .count()
                .min(tokens.len().saturating_sub(1))
        };
        if keep > 0 {
            let dropped = self
                .ctx
                .clear_kv_cache_seq(Some(0), Some(keep as u32), None)
                .unwrap_or(false);
            if !dropped {
                keep = 0;
            }
        }
        if keep == 0 {
            // Only the metadata: `clear_kv_cache` also zeroes the buffers, a memset of tens of
            // MB that showed up as +20 ms to first token.
            let _ = self.ctx.clear_kv_cache_seq(None, None, None);
        }
        self.kv = cached;
        self.kv.truncate(keep);
        keep
    }
}

/// `n / secs`, or 0 when no time passed.
pub fn rate(n: f64, secs: f64) -> f64 {
    if secs > 0.0 {
        n / secs
    } else {
        0.0
    }
}

/// The sampler chain in llama.cpp's usual order: penalties, top-k, top-p, min-p, temperature,
/// then the draw (or greedy).
pub fn build_sampler(s: &SamplingParams, n_vocab: i32) -> LlamaSampler {
    let mut chain = Vec::new();
    if (s.repeat_penalty - 1.0).abs() > f32::EPSILON {
        chain.push(LlamaSampler::penalties(
            n_vocab.max(0),
            s.repeat_last_n,
            s.repeat_penalty,
            0.0,
            0.0,
        ));
    }
    if s.temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
        return LlamaSampler::chain_simple(chain);
    }
    if s.top_k > 0 {
        chain.push(LlamaSampler::top_k(s.top_k));
    }
    if s.top_p < 1.0 {
        chain.push(LlamaSampler::top_p(s.top_p, 1));
    }
    if s.min_p > 0.0 {
        chain.push(LlamaSampler::min_p(s.min_p, 1));
    }
    chain.push(LlamaSampler::temp(s.temperature));
    let seed = s.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
            .unwrap_or(0)
    });
    chain.push(LlamaSampler::dist(seed));
    LlamaSampler::chain_simple(chain)
}

/// Turns token bytes into text without ever splitting a UTF-8 character: an incomplete
/// sequence at the end is held until the next token completes it; invalid bytes become U+FFFD.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Adds bytes; returns the text that is complete.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    // SAFETY-free: from_utf8 just told us this prefix is valid.
                    out.push_str(&String::from_utf8_lossy(&self.pending[..valid]));
                    match e.error_len() {
                        None => {
                            // Incomplete sequence at the end: keep it for the next token.
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push('\u{FFFD}');
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// Whatever is left (an incomplete sequence becomes U+FFFD).
    pub fn finish(&mut self) -> String {
        let s = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::Utf8Stream;

    #[test]
    fn a_character_split_across_tokens_is_held_until_complete() {
        let mut u = Utf8Stream::default();
        let bytes = "é世".as_bytes();
        assert_eq!(u.push(&bytes[..1]), "");
        assert_eq!(u.push(&bytes[1..3]), "é");
        assert_eq!(u.push(&bytes[3..]), "世");
        assert_eq!(u.finish(), "");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let mut u = Utf8Stream::default();
        assert_eq!(u.push(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(u.push(b"\xe4\xb8"), "");
        assert_eq!(u.finish(), "\u{FFFD}");
    }
}
