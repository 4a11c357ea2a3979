//! The chat pipeline: one user turn in, a stream of [`GenerationEvent`]s out.
//!
//! ```text
//! send(text) → [input guard] → render → engine stream → split <think> → [output guard] → sink
//!                    └──────────────── [audit: open record … append … close] ───────────┘
//! ```
//! The same pipeline serves the CLI, the desktop app and the tests; only the sink differs
//! (stdout, a Tauri channel, a `Vec`). Guard and audit plug in at the marked seams.

use std::path::Path;

use serde::Serialize;
use warden_engine::{
    Canceller, ChatMessage, EngineClient, EngineError, GenEvent, GenerationStats, ModelHandle,
    Prompt, ReasoningSummary, SamplingParams, SegmentKind, WorkerCommand,
};

use crate::settings::Settings;
use crate::CoreError;

/// What the pipeline tells its caller while a turn runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenerationEvent {
    /// Reasoning text (inside `<think>`).
    Reasoning {
        /// The text.
        text: String,
    },
    /// Answer text.
    Token {
        /// The text.
        text: String,
    },
    /// The turn finished.
    Done {
        /// Counters.
        stats: GenerationStats,
        /// What the reasoning splitter saw.
        reasoning: ReasoningSummary,
    },
    /// The turn failed.
    Error {
        /// Stable code.
        code: String,
        /// Message.
        message: String,
    },
}

/// Where events go.
pub trait EventSink {
    /// Receives one event, in order.
    fn send(&mut self, event: GenerationEvent);
}

impl EventSink for Vec<GenerationEvent> {
    fn send(&mut self, event: GenerationEvent) {
        self.push(event);
    }
}

/// Adapts a closure to an [`EventSink`].
#[derive(Debug)]
pub struct FnSink<F>(pub F);

impl<F: FnMut(GenerationEvent)> EventSink for FnSink<F> {
    fn send(&mut self, event: GenerationEvent) {
        (self.0)(event);
    }
}

/// The result of a turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnOutcome {
    /// All reasoning text.
    pub reasoning: String,
    /// All answer text.
    pub answer: String,
    /// Counters (stop reason inside).
    pub stats: GenerationStats,
    /// What the splitter saw.
    pub reasoning_summary: ReasoningSummary,
}

/// A conversation with a loaded model.
#[derive(Debug)]
pub struct Session {
    engine: EngineClient,
    settings: Settings,
    history: Vec<ChatMessage>,
}

impl Session {
    /// A session whose worker is started with `worker` (usually the current executable).
    pub fn new(settings: Settings, worker: WorkerCommand) -> Self {
        Self {
            engine: EngineClient::new(worker),
            settings,
            history: Vec::new(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Mutable settings (sampling overrides apply from the next turn).
    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// Loads `path` (or the configured model). `progress` gets 0..=1.
    pub fn load_model(
        &mut self,
        path: Option<&Path>,
        progress: impl FnMut(f32),
    ) -> Result<&ModelHandle, CoreError> {
        let path = path.map_or_else(|| self.settings.model_path(), Path::to_owned);
        let params = self.settings.load_params(&path);
        self.history.clear();
        Ok(self.engine.load(params, progress)?)
    }

    /// The loaded model.
    pub fn model(&self) -> Option<&ModelHandle> {
        self.engine.model()
    }

    /// Cancels the running turn from another thread.
    pub fn canceller(&self) -> Option<Canceller> {
        self.engine.canceller()
    }

    /// The worker's pid (for tests that kill it).
    pub fn worker_pid(&self) -> Option<u32> {
        self.engine.worker_pid()
    }

    /// Starts a new thread: forgets the conversation so far.
    pub fn reset(&mut self) {
        self.history.clear();
    }

    /// The conversation so far.
    pub fn history(&self) -> &[ChatMessage] {
        &self.history
    }

    /// The sampling settings a turn will use: the model's preset, then the overrides.
    pub fn sampling(&self) -> Result<SamplingParams, CoreError> {
        let model = self.engine.model().ok_or(EngineError::NoModel)?;
        Ok(self.settings.sampling.apply(model.sampling_preset()))
    }

    /// Runs one user turn through the pipeline.
    pub fn send(&mut self, text: &str, sink: &mut dyn EventSink) -> Result<TurnOutcome, CoreError> {
        let sampling = self.sampling()?;
        let mut messages = Vec::with_capacity(self.history.len() + 2);
        if let Some(lang) = &self.settings.language {
            // seed §5.2.3: pin the output language explicitly.
            messages.push(ChatMessage::system(language_instruction(lang)));
        }
        messages.extend(self.history.iter().cloned());
        messages.push(ChatMessage::user(text));
        let outcome = self.run(Prompt::Chat(messages), sampling, sink)?;
        self.history.push(ChatMessage::user(text));
        // Earlier assistant turns are kept without their reasoning (DeepSeek's advice).
        self.history
            .push(ChatMessage::assistant(outcome.answer.clone()));
        Ok(outcome)
    }

    /// Plain completion of `prompt` (no chat template), for benchmarks and base models.
    pub fn complete(
        &mut self,
        prompt: &str,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        self.run(Prompt::Raw(prompt.to_owned()), sampling, sink)
    }

    fn run(
        &mut self,
        prompt: Prompt,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        let result = self.stream(prompt, sampling, sink);
        if let Err(e) = &result {
            sink.send(GenerationEvent::Error {
                code: e.code().to_owned(),
                message: e.to_string(),
            });
        }
        result
    }

    fn stream(
        &mut self,
        prompt: Prompt,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        let mut out = TurnOutcome::default();
        let mut generation = self.engine.generate(prompt, sampling)?;
        while let Some(ev) = generation.next_event()? {
            match ev {
                GenEvent::Text(seg) => match seg.kind {
                    SegmentKind::Reasoning => {
                        out.reasoning.push_str(&seg.text);
                        sink.send(GenerationEvent::Reasoning { text: seg.text });
                    }
                    SegmentKind::Answer => {
                        out.answer.push_str(&seg.text);
                        sink.send(GenerationEvent::Token { text: seg.text });
                    }
                },
                GenEvent::Done { stats, reasoning } => {
                    out.stats = stats.clone();
                    out.reasoning_summary = reasoning;
                    sink.send(GenerationEvent::Done { stats, reasoning });
                }
            }
        }
        Ok(out)
    }
}

/// The explicit instruction added when the output language is pinned.
pub fn language_instruction(code: &str) -> String {
    let name = match code {
        "en" => "English",
        "zh" => "Chinese",
        "es" => "Spanish",
        "fr" => "French",
        "de" => "German",
        "pt" => "Portuguese",
        "ru" => "Russian",
        "ja" => "Japanese",
        "ar" => "Arabic",
        "hi" => "Hindi",
        other => other,
    };
    format!("Respond only in {name}, including your reasoning. Do not switch languages.")
}
