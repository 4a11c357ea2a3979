//! The baseline for `warden bench`: a bare llama-cpp-2 loop in this process.
//!
//! Deliberately independent of [`crate::runner`]: it is what the pipeline is measured against,
//! so it must not share the code under test. Greedy decoding, one sequence, no streaming.

use std::num::NonZeroU32;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

use crate::runner::{backend, backend_quiet, rate, RunError};

/// One measured run.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct BareRun {
    /// Prompt tokens.
    pub prompt_tokens: usize,
    /// Generated tokens.
    pub generated_tokens: usize,
    /// Prompt tokens / time to first token.
    pub prompt_tps: f64,
    /// (generated − 1) / time from first to last token.
    pub generation_tps: f64,
    /// Time to first token, ms.
    pub ttft_ms: f64,
}

/// A model loaded in this process for the baseline loop.
pub struct BareModel {
    model: LlamaModel,
}

impl std::fmt::Debug for BareModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BareModel")
    }
}

impl BareModel {
    /// Loads `path` on the CPU.
    pub fn load(path: &str) -> Result<Self, RunError> {
        let model =
            LlamaModel::load_from_file(backend_quiet()?, path, &LlamaModelParams::default())
                .map_err(|e| RunError {
                    code: "load_failed",
                    message: e.to_string(),
                })?;
        Ok(Self { model })
    }

    /// Runs `prompt` (raw text) for exactly `n_gen` greedy tokens (EOG is ignored so every run
    /// generates the same count) with `threads` threads.
    pub fn run(&self, prompt: &str, n_gen: usize, threads: i32) -> Result<BareRun, RunError> {
        let err = |e: String| RunError {
            code: "bench_failed",
            message: e,
        };
        let cp = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(2048))
            .with_n_batch(512)
            .with_n_ubatch(512)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let mut ctx = self
            .model
            .new_context(backend()?, cp)
            .map_err(|e| err(e.to_string()))?;
        let created = Instant::now();
        let vocab = self.model.vocab();
        let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        let mut batch = LlamaBatch::new(512, 1);
        let last = tokens.len() - 1;
        for (i, chunk) in tokens.chunks(512).enumerate() {
            batch.clear();
            for (j, &t) in chunk.iter().enumerate() {
                let pos = i * 512 + j;
                batch
                    .add(t, pos as i32, &[0], pos == last)
                    .map_err(|e| err(e.to_string()))?;
            }
            ctx.decode(&mut batch).map_err(|e| err(e.to_string()))?;
        }
        let mut sampler = LlamaSampler::greedy();
        let mut first = None;
        let mut last_at = created;
        let mut buf = Vec::new();
        for pos in (tokens.len() as i32..).take(n_gen) {
            let tok = sampler.sample(&ctx, batch.n_tokens() - 1);
            buf.clear();
            vocab.token_to_piece_into(tok, &mut buf, true, None);
            let now = Instant::now();
            first.get_or_insert(now);
            last_at = now;
            batch.clear();
            batch
                .add(tok, pos, &[0], true)
                .map_err(|e| err(e.to_string()))?;
            ctx.decode(&mut batch).map_err(|e| err(e.to_string()))?;
        }
        let first = first.unwrap_or(last_at);
        // Context creation is excluded: the worker keeps its context between generations.
        let ttft = (first - created).as_secs_f64();
        Ok(BareRun {
            prompt_tokens: tokens.len(),
            generated_tokens: n_gen,
            prompt_tps: rate(tokens.len() as f64, ttft),
            generation_tps: rate(
                (n_gen.saturating_sub(1)) as f64,
                (last_at - first).as_secs_f64(),
            ),
            ttft_ms: ttft * 1e3,
        })
    }
}
