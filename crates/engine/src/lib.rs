//! Warden's engine: the only crate that links llama.cpp.
//!
//! ```text
//!  app process                               worker process (same executable, hidden subcommand)
//!  ───────────                               ─────────────────────────────────────────────────
//!  gguf::inspect(path)  ── validated ──▶  Load ──▶ runner::load_model ─ progress ─▶ LoadProgress
//!  EngineClient ── stdin: JSON lines ──▶  Generate{prompt} ──▶ Runner::generate ──▶ Token…Done
//!       ▲        ◀─ stdout: @@warden frames ─┘           (stderr: llama.cpp logs, kept as a tail)
//!       └─ ReasoningSplitter: <think>…</think> vs answer, as the text streams
//! ```
//!
//! Why a worker process: llama.cpp aborts the process on a failed `GGML_ASSERT` or an
//! allocation failure, and `LlamaContext` is not `Send`. In a worker, an abort costs the
//! model, not the app: the caller gets [`EngineError::EngineCrashed`] with the worker's last
//! log lines and can load again. Jan moved to the same design for the same reason.
//!
//! Why inspect GGUF files in Rust first: llama.cpp trusts its input. [`gguf::inspect`] rejects
//! empty, truncated, mis-tagged and absurd files with a clear message before llama.cpp sees them.
//!
//! Build note: the default build targets the build machine's CPU features (AVX2/FMA/F16C on
//! x86-64); a binary built here can die with SIGILL on an older CPU. Build on the machine that
//! runs it, or enable `cuda` / `vulkan` / `metal` for GPU offload.

pub mod bench;
mod client;
mod error;
pub mod gguf;
pub mod protocol;
pub mod runner;
pub mod sampling;
pub mod splitter;
pub mod template;
pub mod worker;

pub use client::{
    Canceller, EngineClient, GenEvent, Generation, ModelHandle, Prompt, WorkerCommand,
    WORKER_SUBCOMMAND,
};
pub use error::EngineError;
pub use gguf::{inspect, GgufError, GgufInfo};
pub use protocol::{GenerationStats, LoadParams, LoadedModel, StopReason};
pub use sampling::SamplingParams;
pub use splitter::{ReasoningSplitter, ReasoningSummary, Segment, SegmentKind};
pub use template::{ChatMessage, ChatTemplate, ModelFamily, RenderedPrompt, TemplateSource};
