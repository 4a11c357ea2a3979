//! Warden's core: the pipeline every shell shares, and the settings.
//!
//! A shell (the `warden` CLI, the desktop app, a test) builds a [`Session`] from
//! [`Settings::resolve`], loads a model and calls [`Session::send`] with an [`EventSink`].
//! No Tauri, no clap, no terminal here: everything is testable without a window.

pub mod audit;
pub mod bench;
pub mod effective;
pub mod guard;
pub mod guard_model;
pub mod memory;
pub mod models;
pub mod session;
pub mod settings;
pub mod settings_edit;
pub mod style;

pub use audit::Audit;
pub use guard_model::GuardModel;
pub use session::{
    language_instruction, EventSink, FnSink, GenerationEvent, PipelineCost, SamplingPreset,
    Session, TurnOptions, TurnOutcome, VerdictSummary,
};
pub use settings::{LoadOptions, Settings, SettingsError, SettingsSource};
pub use style::PromptStyle;

/// The app version recorded with every generation.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Errors of the pipeline, each with a stable [`code`](CoreError::code) for the UI.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// From the engine (model, worker, generation).
    #[error(transparent)]
    Engine(#[from] warden_engine::EngineError),
    /// Settings could not be resolved.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The default model could not be fetched.
    #[error(transparent)]
    Fetch(#[from] models::FetchError),
    /// The audit log refused a write or a read: nothing was generated. (Not marked as the
    /// error's source: the message already carries it, and `{:#}` would print it twice.)
    #[error("audit log: {0}")]
    Audit(warden_audit::AuditError),
    /// The guard policy could not be loaded.
    #[error(transparent)]
    Guard(#[from] warden_guard::GuardError),
    /// The benchmark failed.
    #[error("benchmark failed: {0}")]
    Bench(String),
    /// Anything else (runtime set-up, file system).
    #[error("{0}")]
    Internal(String),
}

impl From<warden_audit::AuditError> for CoreError {
    fn from(e: warden_audit::AuditError) -> Self {
        Self::Audit(e)
    }
}

impl CoreError {
    /// A stable code for the UI.
    pub fn code(&self) -> &str {
        match self {
            Self::Engine(e) => e.code(),
            Self::Settings(_) => "settings_invalid",
            Self::Fetch(_) => "fetch_failed",
            Self::Audit(e) => e.code(),
            Self::Guard(_) => "policy_invalid",
            Self::Bench(_) => "bench_failed",
            Self::Internal(_) => "internal",
        }
    }
}
