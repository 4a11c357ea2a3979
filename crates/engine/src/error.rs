//! The engine's typed errors.

use crate::gguf::GgufError;
use crate::template::TemplateError;

/// Everything that can go wrong between the app and a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The file is not a usable GGUF (checked in Rust before llama.cpp sees it).
    #[error(transparent)]
    InvalidModel(#[from] GgufError),
    /// llama.cpp refused to load the model.
    #[error("{0}")]
    LoadFailed(String),
    /// The chat template could not be rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The prompt does not fit in the context window.
    #[error("{0}")]
    PromptTooLong(String),
    /// Sampling settings out of range.
    #[error("invalid sampling settings: {0}")]
    InvalidSampling(String),
    /// Nothing is loaded.
    #[error("no model is loaded")]
    NoModel,
    /// The worker process died (llama.cpp abort, out of memory, killed). The model is gone;
    /// load again to continue.
    #[error("the engine crashed ({status}); last log lines:\n{}", log_tail.join("\n"))]
    EngineCrashed {
        /// How the process ended (exit code or signal).
        status: String,
        /// The last lines the worker wrote to stderr (llama.cpp's reason is usually here).
        log_tail: Vec<String>,
    },
    /// The worker could not be started.
    #[error("cannot start the engine worker {program}: {source}")]
    Spawn {
        /// The executable.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The worker reported an error for the request.
    #[error("{message}")]
    Worker {
        /// The worker's code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The worker said something that does not follow the protocol.
    #[error("engine protocol error: {0}")]
    Protocol(String),
}

impl EngineError {
    /// A stable code for the UI and the audit log.
    pub fn code(&self) -> &str {
        match self {
            Self::InvalidModel(_) => "invalid_model",
            Self::LoadFailed(_) => "load_failed",
            Self::Template(_) => "template_error",
            Self::PromptTooLong(_) => "prompt_too_long",
            Self::InvalidSampling(_) => "invalid_sampling",
            Self::NoModel => "no_model",
            Self::EngineCrashed { .. } => "engine_crashed",
            Self::Spawn { .. } => "spawn_failed",
            Self::Worker { code, .. } => code,
            Self::Protocol(_) => "protocol_error",
        }
    }

    pub(crate) fn from_worker(code: String, message: String) -> Self {
        match code.as_str() {
            "prompt_too_long" => Self::PromptTooLong(message),
            "load_failed" | "context_failed" => Self::LoadFailed(message),
            "invalid_sampling" => Self::InvalidSampling(message),
            "no_model" => Self::NoModel,
            _ => Self::Worker { code, message },
        }
    }
}
