//! The framed protocol between the app and its worker process.
//!
//! One JSON object per line. Lines the worker writes to stdout start with [`FRAME_PREFIX`], so
//! anything else that reaches stdout (a C library printing where it should not) is treated as
//! a log line instead of corrupting the stream. llama.cpp's logs go to stderr, which the client
//! keeps the tail of, to explain a crash.

use serde::{Deserialize, Serialize};

use crate::sampling::SamplingParams;

/// Marks a protocol line on the worker's stdout.
pub const FRAME_PREFIX: &str = "@@warden ";

/// How to load a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadParams {
    /// Path of the GGUF file.
    pub path: String,
    /// Layers to offload to the GPU (0 = CPU only; a large number offloads all).
    pub n_gpu_layers: u32,
    /// Context window in tokens (0 = the model's training context, capped at 8192).
    pub n_ctx: u32,
    /// Threads for generation (0 = all cores).
    pub n_threads: i32,
    /// Prompt tokens decoded per batch.
    pub n_batch: u32,
}

impl Default for LoadParams {
    fn default() -> Self {
        Self {
            path: String::new(),
            n_gpu_layers: 0,
            n_ctx: 4096,
            n_threads: 0,
            n_batch: 512,
        }
    }
}

/// One generation, with the prompt already rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateParams {
    /// The client's number for this generation (increasing from 1); `Cancel` names it.
    pub id: u64,
    /// The rendered prompt; special tokens in it are parsed as such.
    pub prompt: String,
    /// Prepend BOS when tokenizing (false when the template already wrote it).
    pub add_bos: bool,
    /// Sampling settings.
    pub sampling: SamplingParams,
    /// Report the probability of the first generated token (classifier models: Llama Guard's
    /// `safe`/`unsafe` confidence).
    #[serde(default)]
    pub want_first_prob: bool,
}

/// App → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Load a model, replacing the current one.
    Load(LoadParams),
    /// Generate from the loaded model.
    Generate(GenerateParams),
    /// Stop generation `id` (and any earlier one) before its next token.
    Cancel {
        /// The generation to stop.
        id: u64,
    },
    /// Exit cleanly.
    Shutdown,
    /// Test hook: abort the process as llama.cpp does on a failed `GGML_ASSERT`.
    #[doc(hidden)]
    Abort,
}

/// Facts about the loaded model that only llama.cpp knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedModel {
    /// The file loaded.
    pub path: String,
    /// Parameter count.
    pub n_params: u64,
    /// Training context.
    pub n_ctx_train: u32,
    /// Context actually allocated.
    pub n_ctx: u32,
    /// Batch size actually used.
    pub n_batch: u32,
    /// Threads used.
    pub n_threads: i32,
    /// Layers offloaded to a GPU.
    pub n_gpu_layers: u32,
    /// Vocabulary size.
    pub n_vocab: i32,
    /// BOS token text.
    pub bos_token: String,
    /// EOS token text.
    pub eos_token: String,
    /// Whether the tokenizer adds BOS by itself.
    pub add_bos: bool,
    /// Milliseconds the load took.
    pub load_ms: u64,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model produced an end-of-generation token.
    EndOfGeneration,
    /// `max_tokens` was reached.
    MaxTokens,
    /// The context window filled up.
    ContextFull,
    /// The caller cancelled.
    Cancelled,
    /// A guard stopped it (set by the pipeline, never by the worker).
    Guard,
}

/// Counters for one generation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    /// Tokens in the prompt.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub generated_tokens: u32,
    /// Prompt processing speed, tokens/s.
    pub prompt_tps: f64,
    /// Generation speed, tokens/s (after the first token).
    pub generation_tps: f64,
    /// Time from request to first generated token, ms.
    pub ttft_ms: f64,
    /// Total time, ms.
    pub total_ms: f64,
    /// Why it stopped (absent only before it has).
    pub stop_reason: Option<StopReason>,
    /// Probability of the first generated token, when asked for.
    #[serde(default)]
    pub first_token_prob: Option<f32>,
}

/// Worker → app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "ev", rename_all = "snake_case")]
pub enum Response {
    /// The worker is up.
    Ready {
        /// Protocol version.
        protocol: u32,
    },
    /// Load progress, 0..=1.
    LoadProgress {
        /// Fraction done.
        progress: f32,
    },
    /// The model is loaded.
    Loaded(LoadedModel),
    /// A piece of generated text (complete UTF-8).
    Token {
        /// The text.
        text: String,
    },
    /// The generation finished.
    Done(GenerationStats),
    /// The last request failed; the worker is still usable.
    Error {
        /// A stable code for the UI.
        code: String,
        /// A human-readable message.
        message: String,
    },
}

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Encodes a frame as one line (with prefix and newline).
pub fn encode<T: Serialize>(msg: &T) -> String {
    // Serializing these plain enums cannot fail.
    let json = serde_json::to_string(msg).unwrap_or_else(|_| "{}".to_owned());
    format!("{FRAME_PREFIX}{json}\n")
}

/// Decodes a line; `None` when it is not a frame (a stray log line).
pub fn decode<T: for<'de> Deserialize<'de>>(line: &str) -> Option<Result<T, serde_json::Error>> {
    line.strip_prefix(FRAME_PREFIX)
        .map(|json| serde_json::from_str(json.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_stray_lines_are_not_frames() {
        let r = Response::Token {
            text: "a\nb".into(),
        };
        let line = encode(&r);
        assert_eq!(line.matches('\n').count(), 1, "one frame is one line");
        assert_eq!(decode::<Response>(&line).unwrap().unwrap(), r);
        assert!(decode::<Response>("llama_model_load: loading\n").is_none());
    }
}
