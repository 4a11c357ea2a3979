//! The chat pipeline: one user turn in, a stream of [`GenerationEvent`]s out.
//!
//! ```text
//! send(text) → audit: open record (fail-closed) → input guard ─block→ audited, never reaches the model
//!            → render → engine stream → split <think> → reasoning/output guards (incremental)
//!            → sink (tokens)            └ block → cancel, retract, audited
//!            → audit: partial text every 250 ms … verdicts, final text, close (hash-chained)
//! ```
//! The same pipeline serves the CLI, the desktop app and the tests; only the sink differs
//! (stdout, a Tauri channel, a `Vec`). Nothing runs unless its audit record could be opened:
//! a locked, read-only or full database is an error before the model sees the prompt.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};
use warden_audit::{Finish, GenerationId, NewGeneration, NewGuardEvent, Status};
use warden_engine::{
    Canceller, ChatMessage, EngineClient, EngineError, GenEvent, GenerationStats, ModelHandle,
    Prompt, ReasoningSummary, SamplingParams, SegmentKind, StopReason, WorkerCommand,
};
use warden_guard::{Action, Context, Guard, Stage, Verdict};

use crate::audit::Audit;
use crate::guard_model::GuardModel;
use crate::settings::Settings;
use crate::CoreError;

/// How often partial text is written while streaming (a kill loses at most this much).
const PARTIAL_EVERY: Duration = Duration::from_millis(250);
/// How often (in pieces of text) the R1 checks look for repetition loops and runaway output.
const R1_CHECK_EVERY: u32 = 32;

/// How a turn samples, picked per thread in the desktop's composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplingPreset {
    /// The model family's recommended settings (R1 distills: temperature 0.6, top-p 0.95),
    /// with the settings' overrides.
    #[default]
    Recommended,
    /// Temperature 0.3: steadier wording, less exploration in the reasoning.
    Precise,
    /// Greedy decoding: the same prompt on the same model gives the same answer.
    Deterministic,
}

impl SamplingPreset {
    /// The preset over `base` (the model's preset with the settings' overrides).
    pub fn apply(self, base: SamplingParams) -> SamplingParams {
        match self {
            SamplingPreset::Recommended => base,
            SamplingPreset::Precise => SamplingParams {
                temperature: 0.3,
                ..base
            },
            SamplingPreset::Deterministic => SamplingParams {
                temperature: 0.0,
                ..base
            },
        }
    }
}

/// A thread's own choices for one turn; `None` keeps the settings'.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct TurnOptions {
    /// The zero-shot prompt style.
    pub style: Option<crate::style::PromptStyle>,
    /// The output-language pin: a code such as `fr`; an empty string turns the pin off.
    pub language: Option<String>,
    /// The sampling preset.
    pub sampling: SamplingPreset,
}

/// A guard finding, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictSummary {
    /// `input`, `reasoning` or `output`.
    pub stage: &'static str,
    /// `flag`, `redact` or `block`.
    pub action: &'static str,
    /// Category codes (`S1`…`S14`, `injection`, `pii`, `language`, `r1`).
    pub categories: Vec<String>,
    /// Byte spans into the text of that stage.
    pub spans: Vec<(usize, usize)>,
    /// The policy's message for a block.
    pub message: Option<String>,
}

impl VerdictSummary {
    fn new(stage: Stage, v: &Verdict) -> Self {
        let mut categories: Vec<String> = Vec::new();
        for h in &v.hits {
            let c = h.category.code().to_owned();
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        Self {
            stage: stage.as_str(),
            action: v.action.as_str(),
            categories,
            spans: v
                .hits
                .iter()
                .flat_map(|h| h.spans.iter().map(|s| (s.start, s.end)))
                .collect(),
            message: v.message.clone(),
        }
    }
}

/// What the pipeline tells its caller while a turn runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenerationEvent {
    /// The audit record is open; the turn is running.
    Started {
        /// The audit log's id for this generation.
        generation_id: i64,
    },
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
    /// A guard flagged or redacted something (the turn goes on).
    Verdict(VerdictSummary),
    /// A guard blocked the turn. Text already shown for that stage must be retracted.
    Blocked(VerdictSummary),
    /// The answer as it must be shown after redaction (replaces the streamed answer).
    Redacted {
        /// The redacted answer.
        text: String,
    },
    /// The turn finished.
    Done {
        /// The audit log's id.
        generation_id: i64,
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

/// Time the pipeline itself spent while tokens streamed (what `warden bench` reports as the
/// guard's and the audit log's cost).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PipelineCost {
    /// Pieces of text scanned.
    pub pieces: u32,
    /// Nanoseconds the streaming guards (reasoning, output, R1 checks) took on the token path:
    /// handing each piece to a scanner's thread, taking its verdicts.
    pub guard_ns: u64,
    /// Nanoseconds the streaming guards' threads spent scanning the pieces, beside the token
    /// path (the final reading of the whole text not included).
    pub guard_thread_ns: u64,
    /// Nanoseconds writing partial text to the audit log.
    pub audit_ns: u64,
    /// Nanoseconds the input guard took (it delays the first token).
    pub input_guard_ns: u64,
}

/// The result of a turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TurnOutcome {
    /// The audit log's id for this generation.
    pub generation_id: i64,
    /// How it ended, as recorded.
    pub status: &'static str,
    /// All reasoning text (also when retracted from view by a block).
    pub reasoning: String,
    /// The answer as shown (redacted where the policy says so).
    pub answer: String,
    /// Counters (stop reason inside).
    pub stats: GenerationStats,
    /// What the splitter saw.
    pub reasoning_summary: ReasoningSummary,
    /// Set when a guard blocked the turn.
    pub blocked: Option<VerdictSummary>,
    /// The pipeline's own cost while streaming.
    pub cost: PipelineCost,
}

/// A conversation with a loaded model, guarded and audited.
#[derive(Debug)]
pub struct Session {
    engine: EngineClient,
    settings: Settings,
    history: Vec<ChatMessage>,
    /// Shared with the output scanners' threads.
    guard: Arc<Guard>,
    audit: Audit,
    conversation_id: Option<i64>,
    guard_model: Option<GuardModel>,
    /// The user text of the turn in flight (what the guard model judges the answer against).
    pending_user: Option<String>,
}

/// Maps the guard's vocabulary onto the audit log's.
fn audit_stage(s: Stage) -> warden_audit::Stage {
    match s {
        Stage::Input => warden_audit::Stage::Input,
        Stage::Reasoning => warden_audit::Stage::Reasoning,
        Stage::Output => warden_audit::Stage::Output,
    }
}

fn audit_action(a: Action) -> warden_audit::Action {
    match a {
        Action::Allow => warden_audit::Action::Allow,
        Action::Flag => warden_audit::Action::Flag,
        Action::Redact => warden_audit::Action::Redact,
        Action::Block => warden_audit::Action::Block,
    }
}

fn stop_reason_str(r: Option<StopReason>) -> Option<String> {
    r.and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
}

impl Session {
    /// A session whose worker is started with `worker`, guarded by `guard`, audited in `audit`.
    pub fn new(settings: Settings, worker: WorkerCommand, guard: Guard, audit: Audit) -> Self {
        Self {
            engine: EngineClient::new(worker),
            settings,
            history: Vec::new(),
            guard: Arc::new(guard),
            audit,
            conversation_id: None,
            guard_model: None,
            pending_user: None,
        }
    }

    /// Takes what can change while running from `next` (settings just saved): the guard
    /// policy (the guard is rebuilt, its classifier readied when a model is loaded), the
    /// answer-language pin and the retention. Folders and the database stay until a restart.
    /// A policy that cannot be read changes nothing.
    pub fn apply_saved(&mut self, next: &Settings) -> Result<(), CoreError> {
        // A policy file may have changed under the same path; only built-in to built-in is
        // known to be the same policy.
        if next.policy_path.is_some() || self.settings.policy_path.is_some() {
            let guard = crate::guard::build(next)?;
            if self.engine.model().is_some() {
                guard.prepare();
            }
            self.guard = Arc::new(guard);
            self.settings.policy_path = next.policy_path.clone();
        }
        self.settings.language = next.language.clone();
        self.settings.audit.retention_days = next.audit.retention_days;
        Ok(())
    }

    /// Adds (or removes) the optional guard model, consulted on every input and answer.
    pub fn set_guard_model(&mut self, model: Option<GuardModel>) {
        self.guard_model = model;
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Mutable settings (sampling overrides apply from the next turn).
    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// The audit log.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// The guard.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Loads `path` (or the configured model). `progress` gets 0..=1.
    pub fn load_model(
        &mut self,
        path: Option<&Path>,
        progress: impl FnMut(f32),
    ) -> Result<&ModelHandle, CoreError> {
        let path = path.map_or_else(|| self.settings.model_path(), Path::to_owned);
        let params = self.settings.load_params(&path);
        // The classifier's weights load alongside the model, not on the first prompt.
        self.guard.prepare();
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
        self.conversation_id = None;
    }

    /// Continues a recorded conversation (a shell reopening a thread): its audit id and its
    /// turns so far, user and assistant in order, answers without their reasoning.
    pub fn resume(&mut self, conversation_id: i64, history: Vec<ChatMessage>) {
        self.history = history;
        self.conversation_id = Some(conversation_id);
    }

    /// The conversation so far.
    pub fn history(&self) -> &[ChatMessage] {
        &self.history
    }

    /// The audit log's id of the current conversation, once it has a turn.
    pub fn conversation_id(&self) -> Option<i64> {
        self.conversation_id
    }

    /// The sampling settings a turn will use: the model's preset, then the overrides.
    pub fn sampling(&self) -> Result<SamplingParams, CoreError> {
        let model = self.engine.model().ok_or(EngineError::NoModel)?;
        Ok(self.settings.sampling.apply(model.sampling_preset()))
    }

    /// Runs one user turn through the pipeline.
    pub fn send(&mut self, text: &str, sink: &mut dyn EventSink) -> Result<TurnOutcome, CoreError> {
        self.send_with(text, &TurnOptions::default(), sink)
    }

    /// [`send`](Self::send) with a thread's own choices (the desktop's composer) for this turn
    /// only: prompt style, output-language pin and sampling preset. The settings apply again
    /// afterwards; the audit record keeps what this turn used.
    pub fn send_with(
        &mut self,
        text: &str,
        options: &TurnOptions,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        let sampling = options.sampling.apply(self.sampling()?);
        let saved_style = self.settings.style;
        let saved_language = self.settings.language.clone();
        if let Some(style) = options.style {
            self.settings.style = style;
        }
        if let Some(lang) = &options.language {
            let lang = lang.trim();
            self.settings.language = (!lang.is_empty()).then(|| lang.to_owned());
        }
        let out = self.run(Turn::Chat(text), sampling, sink);
        self.settings.style = saved_style;
        self.settings.language = saved_language;
        let outcome = out?;
        if outcome.blocked.is_none() {
            self.history.push(ChatMessage::user(text));
            // Earlier assistant turns are kept without their reasoning (DeepSeek's advice).
            self.history
                .push(ChatMessage::assistant(outcome.answer.clone()));
        }
        Ok(outcome)
    }

    /// Plain completion of `prompt` (no chat template), for benchmarks and base models. Guarded
    /// and audited like a chat turn.
    pub fn complete(
        &mut self,
        prompt: &str,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        self.run(Turn::Raw(prompt), sampling, sink)
    }

    fn messages_for(&self, text: &str) -> Vec<ChatMessage> {
        let mut messages = Vec::with_capacity(self.history.len() + 2);
        // seed §5.2: pin the output language explicitly, and the zero-shot style's instruction.
        if let Some(system) =
            crate::style::system_text(self.settings.language.as_deref(), self.settings.style)
        {
            messages.push(ChatMessage::system(system));
        }
        messages.extend(self.history.iter().cloned());
        messages.push(ChatMessage::user(text));
        messages
    }

    fn run(
        &mut self,
        turn: Turn<'_>,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        let result = self.run_inner(turn, sampling, sink);
        if let Err(e) = &result {
            sink.send(GenerationEvent::Error {
                code: e.code().to_owned(),
                message: e.to_string(),
            });
        }
        result
    }

    fn run_inner(
        &mut self,
        turn: Turn<'_>,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
    ) -> Result<TurnOutcome, CoreError> {
        let model = self.engine.model().ok_or(EngineError::NoModel)?;
        let user_text = turn.text();
        self.pending_user = Some(user_text.to_owned());
        // 1. The input guard decides what may reach the model (a redaction replaces the text).
        let mut input_ctx = Context::input();
        if let Some(lang) = &self.settings.language {
            input_ctx = input_ctx.with_expected_lang(lang.clone());
        }
        let t_input = Instant::now();
        let input_verdict = self.guard.scan(user_text, &input_ctx);
        let input_guard_ns = t_input.elapsed().as_nanos() as u64;
        let model_text = match (&input_verdict.action, &input_verdict.redacted_text) {
            (Action::Redact, Some(r)) => r.clone(),
            _ => user_text.to_owned(),
        };
        let prompt = match turn {
            Turn::Chat(_) => Prompt::Chat(self.messages_for(&model_text)),
            Turn::Raw(_) => Prompt::Raw(model_text.clone()),
        };
        let rendered = match &prompt {
            Prompt::Chat(m) => model.render(m)?.text,
            Prompt::Raw(t) => t.clone(),
        };
        // 2. The audit record opens before anything runs; if it cannot, nothing runs.
        if matches!(turn, Turn::Chat(_)) && self.conversation_id.is_none() {
            let title: String = user_text.chars().take(80).collect();
            self.conversation_id = Some(self.audit.call(|a| a.create_conversation(&title))?);
        }
        let model = self.engine.model().ok_or(EngineError::NoModel)?;
        let turn_index = (self.history.len() / 2) as i64;
        let new = NewGeneration {
            conversation_id: match turn {
                Turn::Chat(_) => self.conversation_id,
                Turn::Raw(_) => None,
            },
            turn_index,
            // With `store_redacted`, the log never holds what the input guard redacted.
            prompt: if self.settings.audit.store_redacted {
                model_text.clone()
            } else {
                user_text.to_owned()
            },
            rendered_prompt_hash: hex::encode(Sha256::digest(rendered.as_bytes())),
            model_name: model.file_name(),
            model_sha256: None,
            model_meta: serde_json::json!({
                "architecture": model.gguf.architecture,
                "name": model.gguf.name,
                "parameters": model.gguf.parameters,
                "quantization": model.gguf.file_type,
                "file_size": model.gguf.file_size,
                "context": model.loaded.n_ctx,
                "template": model.template_source.to_string(),
            }),
            settings: turn_settings(&sampling, &self.settings),
            app_version: crate::APP_VERSION.to_owned(),
        };
        let id = self.audit.call(|a| a.begin_generation(new))?;
        sink.send(GenerationEvent::Started {
            generation_id: id.0,
        });
        let mut out = TurnOutcome {
            generation_id: id.0,
            ..TurnOutcome::default()
        };
        out.cost.input_guard_ns = input_guard_ns;
        self.record(id, Stage::Input, &input_verdict)?;
        let mut input_verdict = input_verdict;
        if input_verdict.action != Action::Block {
            self.consult_guard_model(id, Stage::Input, user_text, None, &mut input_verdict)?;
        }
        if !input_verdict.is_allow() {
            let summary = VerdictSummary::new(Stage::Input, &input_verdict);
            if input_verdict.action == Action::Block {
                // A blocked prompt never reaches the model.
                out.status = Status::Blocked.as_str();
                out.blocked = Some(summary.clone());
                sink.send(GenerationEvent::Blocked(summary));
                let finish = Finish {
                    stop_reason: Some(format!("guard:{}", stage_cats(&input_verdict))),
                    ..Finish::new(Status::Blocked, "", "")
                };
                self.audit.call(|a| a.finish_generation(id, finish))?;
                sink.send(GenerationEvent::Done {
                    generation_id: id.0,
                    stats: GenerationStats::default(),
                    reasoning: ReasoningSummary::default(),
                });
                return Ok(out);
            }
            sink.send(GenerationEvent::Verdict(summary));
        }
        // 3. Stream, guarding reasoning and answer as they grow.
        match self.stream(id, prompt, sampling, sink, &mut out) {
            Ok(()) => Ok(out),
            Err(e) => {
                // The record keeps what was said before the failure.
                let finish = Finish {
                    error: Some(e.to_string()),
                    stop_reason: Some(e.code().to_owned()),
                    ..Finish::new(Status::Failed, out.reasoning.clone(), out.answer.clone())
                };
                self.audit.call(|a| a.finish_generation(id, finish))?;
                Err(e)
            }
        }
    }

    fn stream(
        &mut self,
        id: GenerationId,
        prompt: Prompt,
        sampling: SamplingParams,
        sink: &mut dyn EventSink,
        out: &mut TurnOutcome,
    ) -> Result<(), CoreError> {
        let lang_ctx = |stage| {
            let c = Context::new(stage);
            match &self.settings.language {
                Some(l) => c.with_expected_lang(l.clone()),
                None => c,
            }
        };
        let mut reasoning_scan = self
            .guard
            .output_scanner_threaded(lang_ctx(Stage::Reasoning));
        let mut answer_scan = self.guard.output_scanner_threaded(lang_ctx(Stage::Output));
        let guard = &self.guard;
        let audit = &self.audit;
        let mut generation = self.engine.generate(prompt, sampling)?;
        let mut blocked: Option<(Stage, Verdict)> = None;
        let mut r1_stop = false;
        let mut last_save = Instant::now();
        let mut pieces: u32 = 0;
        let mut opened_in_prompt = None;
        while let Some(ev) = generation.next_event()? {
            match ev {
                GenEvent::Text(seg) => {
                    if blocked.is_some() || r1_stop {
                        // Cancelled: drain what is still in the pipe, show none of it.
                        match seg.kind {
                            SegmentKind::Reasoning => out.reasoning.push_str(&seg.text),
                            SegmentKind::Answer => out.answer.push_str(&seg.text),
                        }
                        continue;
                    }
                    opened_in_prompt.get_or_insert(seg.kind == SegmentKind::Reasoning);
                    let (stage, scanner, buf) = match seg.kind {
                        SegmentKind::Reasoning => {
                            (Stage::Reasoning, &mut reasoning_scan, &mut out.reasoning)
                        }
                        SegmentKind::Answer => (Stage::Output, &mut answer_scan, &mut out.answer),
                    };
                    buf.push_str(&seg.text);
                    let t_guard = Instant::now();
                    let verdict = scanner.feed(&seg.text);
                    out.cost.guard_ns += t_guard.elapsed().as_nanos() as u64;
                    out.cost.pieces += 1;
                    if let Some(v) = verdict {
                        if v.action == Action::Block {
                            generation.cancel();
                            sink.send(GenerationEvent::Blocked(VerdictSummary::new(stage, &v)));
                            blocked = Some((stage, v));
                            continue;
                        }
                        sink.send(GenerationEvent::Verdict(VerdictSummary::new(stage, &v)));
                    }
                    sink.send(match seg.kind {
                        SegmentKind::Reasoning => GenerationEvent::Reasoning { text: seg.text },
                        SegmentKind::Answer => GenerationEvent::Token { text: seg.text },
                    });
                    pieces += 1;
                    if pieces.is_multiple_of(R1_CHECK_EVERY) {
                        let t_guard = Instant::now();
                        let report = guard.check_r1(
                            &raw_output(out),
                            opened_in_prompt.unwrap_or(false),
                            false,
                        );
                        out.cost.guard_ns += t_guard.elapsed().as_nanos() as u64;
                        if report.stop_recommended {
                            // A repetition loop or runaway output: stop spending tokens on it.
                            generation.cancel();
                            r1_stop = true;
                        }
                    }
                    if last_save.elapsed() >= PARTIAL_EVERY {
                        let t_audit = Instant::now();
                        audit.call(|a| a.save_partial(id, &out.reasoning, &out.answer))?;
                        out.cost.audit_ns += t_audit.elapsed().as_nanos() as u64;
                        last_save = Instant::now();
                    }
                }
                GenEvent::Done { stats, reasoning } => {
                    out.stats = stats;
                    out.reasoning_summary = reasoning;
                }
            }
        }
        drop(generation);
        // 4. Final verdicts over the whole texts, the R1 checks, and the record closes.
        let (reasoning_verdict, reasoning_ns) = reasoning_scan.finish_timed();
        let (answer_verdict, answer_ns) = answer_scan.finish_timed();
        out.cost.guard_thread_ns += reasoning_ns + answer_ns;
        // A block the scanners' threads reported after the last token, or the final reading
        // found: the text is retracted as a block while streaming would have been.
        if blocked.is_none() {
            blocked = [
                (Stage::Reasoning, &reasoning_verdict),
                (Stage::Output, &answer_verdict),
            ]
            .into_iter()
            .find(|(_, v)| v.action == Action::Block)
            .map(|(stage, v)| {
                sink.send(GenerationEvent::Blocked(VerdictSummary::new(stage, v)));
                (stage, v.clone())
            });
        }
        self.record(id, Stage::Reasoning, &reasoning_verdict)?;
        self.record(id, Stage::Output, &answer_verdict)?;
        let r1 = self.guard.check_r1(
            &raw_output(out),
            opened_in_prompt.unwrap_or(out.reasoning_summary.opened),
            true,
        );
        let r1_hits = r1.hits(out.reasoning.len() + out.answer.len());
        if !r1_hits.is_empty() {
            let v = Verdict {
                action: Action::Flag,
                hits: r1_hits
                    .into_iter()
                    .map(|mut h| {
                        h.action = Action::Flag;
                        h
                    })
                    .collect(),
                ..Verdict::default()
            };
            self.record(id, Stage::Output, &v)?;
            sink.send(GenerationEvent::Verdict(VerdictSummary::new(
                Stage::Output,
                &v,
            )));
        }
        if blocked.is_none() && !out.answer.is_empty() && self.guard_model.is_some() {
            let mut v = Verdict::default();
            let prompt_text = self.history_prompt_for_output();
            self.consult_guard_model(id, Stage::Output, &prompt_text, Some(&out.answer), &mut v)?;
            if v.action == Action::Block {
                sink.send(GenerationEvent::Blocked(VerdictSummary::new(
                    Stage::Output,
                    &v,
                )));
                blocked = Some((Stage::Output, v));
            } else if !v.is_allow() {
                sink.send(GenerationEvent::Verdict(VerdictSummary::new(
                    Stage::Output,
                    &v,
                )));
            }
        }
        let mut status = match out.stats.stop_reason {
            Some(StopReason::Cancelled) => Status::Cancelled,
            _ => Status::Completed,
        };
        let mut stop_reason = stop_reason_str(out.stats.stop_reason);
        if let Some((stage, v)) = &blocked {
            status = Status::Blocked;
            stop_reason = Some(format!("guard:{}", stage_cats(v)));
            out.blocked = Some(VerdictSummary::new(*stage, v));
            out.stats.stop_reason = Some(StopReason::Guard);
        } else if r1_stop {
            stop_reason = Some("guard:r1".into());
            out.stats.stop_reason = Some(StopReason::Guard);
        } else if answer_verdict.action == Action::Redact {
            if let Some(r) = &answer_verdict.redacted_text {
                out.answer = r.clone();
                sink.send(GenerationEvent::Redacted { text: r.clone() });
            }
        }
        out.status = status.as_str();
        let finish = Finish {
            stop_reason,
            prompt_tokens: Some(out.stats.prompt_tokens),
            completion_tokens: Some(out.stats.generated_tokens),
            ttft_ms: Some(out.stats.ttft_ms),
            prompt_tps: Some(out.stats.prompt_tps),
            gen_tps: Some(out.stats.generation_tps),
            ..Finish::new(status, out.reasoning.clone(), out.answer.clone())
        };
        self.audit.call(|a| a.finish_generation(id, finish))?;
        sink.send(GenerationEvent::Done {
            generation_id: id.0,
            stats: out.stats.clone(),
            reasoning: out.reasoning_summary,
        });
        Ok(())
    }

    /// The user text the answer replies to (the last user turn being answered).
    fn history_prompt_for_output(&self) -> String {
        self.pending_user.clone().unwrap_or_default()
    }

    /// Runs the guard model (if any) and folds its answer into `v`, recording it. Its failure
    /// is decided by the policy's fail mode, never an error of the turn.
    fn consult_guard_model(
        &mut self,
        id: GenerationId,
        stage: Stage,
        user: &str,
        agent: Option<&str>,
        v: &mut Verdict,
    ) -> Result<(), CoreError> {
        let Some(gm) = self.guard_model.as_mut() else {
            return Ok(());
        };
        let policy = self.guard.policy();
        let len = agent.unwrap_or(user).len();
        match gm.check(stage, user, agent) {
            Ok(r) if r.unsafe_ => {
                let mut found = Verdict::default();
                for c in &r.categories {
                    let mut h = warden_guard::Hit::new(
                        *c,
                        r.score,
                        "guard_model",
                        vec![warden_guard::Span::new(0, len)],
                    );
                    h.action = policy.action(stage, *c);
                    found.action = found.action.max(h.action);
                    found.hits.push(h);
                }
                if found.hits.is_empty() {
                    // "unsafe" without a known category: worth a reviewer's look.
                    self.record_raw(
                        id,
                        stage,
                        "guard_model",
                        "unspecified",
                        r.score,
                        Action::Flag,
                    )?;
                    found.action = Action::Flag;
                }
                self.record(id, stage, &found)?;
                if found.action > v.action {
                    v.action = found.action;
                }
                v.hits.extend(found.hits);
                if v.action == Action::Block && v.message.is_none() {
                    v.message = Some(policy.block_message_for(&v.hits).to_owned());
                }
            }
            Ok(r) => {
                // Every guard verdict is on the record, "safe" included.
                self.record_raw(id, stage, "guard_model", "safe", r.score, Action::Allow)?;
            }
            Err(why) => {
                let closed = policy.optional_scanners.fail_mode == warden_guard::FailMode::Closed;
                let action = if closed { Action::Block } else { Action::Allow };
                self.record_raw(id, stage, "guard_model", "unavailable", 1.0, action)?;
                if closed {
                    v.action = Action::Block;
                    v.message = Some(format!(
                        "{} (the guard model could not judge this: {why})",
                        policy.block_message_for(&v.hits)
                    ));
                }
            }
        }
        Ok(())
    }

    fn record_raw(
        &self,
        id: GenerationId,
        stage: Stage,
        scanner: &str,
        category: &str,
        score: f32,
        action: Action,
    ) -> Result<(), CoreError> {
        let ev = NewGuardEvent {
            stage: audit_stage(stage),
            scanner: scanner.to_owned(),
            category: category.to_owned(),
            score: f64::from(score),
            action: audit_action(action),
            spans: Vec::new(),
            policy_version: self.guard.policy().version.clone(),
        };
        self.audit.call(|a| a.record_guard_event(id, ev))?;
        Ok(())
    }

    /// Writes every hit of a verdict as a guard event.
    fn record(&self, id: GenerationId, stage: Stage, v: &Verdict) -> Result<(), CoreError> {
        if v.hits.is_empty() {
            return Ok(());
        }
        let version = self.guard.policy().version.clone();
        self.audit.block_on(async {
            for h in &v.hits {
                let ev = NewGuardEvent {
                    stage: audit_stage(stage),
                    scanner: h.scanner.clone(),
                    category: h.category.code().to_owned(),
                    score: f64::from(h.score),
                    action: audit_action(h.action),
                    spans: h.spans.iter().map(|s| (s.start, s.end)).collect(),
                    policy_version: version.clone(),
                };
                self.audit.log().record_guard_event(id, ev).await?;
            }
            Ok::<(), warden_audit::AuditError>(())
        })?;
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Turn<'a> {
    Chat(&'a str),
    Raw(&'a str),
}

impl<'a> Turn<'a> {
    fn text(self) -> &'a str {
        match self {
            Turn::Chat(t) | Turn::Raw(t) => t,
        }
    }
}

/// The output as the model wrote it, tags included, for the R1 checks.
fn raw_output(out: &TurnOutcome) -> String {
    if out.reasoning.is_empty() {
        return out.answer.clone();
    }
    if out.reasoning_summary.closed || !out.answer.is_empty() {
        format!("{}</think>{}", out.reasoning, out.answer)
    } else {
        out.reasoning.clone()
    }
}

fn stage_cats(v: &Verdict) -> String {
    let mut cats: Vec<&str> = v
        .hits
        .iter()
        .filter(|h| h.action == v.action)
        .map(|h| h.category.code())
        .collect();
    cats.dedup();
    cats.join(",")
}

/// The settings recorded with a generation: the sampling parameters, plus the language pin and
/// prompt style that shaped the prompt (so an exported example says how it was asked).
fn turn_settings(sampling: &SamplingParams, settings: &Settings) -> serde_json::Value {
    let mut v = serde_json::to_value(sampling).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("style".into(), serde_json::json!(settings.style));
        obj.insert("language".into(), serde_json::json!(settings.language));
    }
    v
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::style::PromptStyle;

    fn session(dir: &std::path::Path) -> Session {
        Session::new(
            Settings::default(),
            warden_engine::WorkerCommand::new(std::path::PathBuf::from("unused")),
            Guard::with_default_policy(),
            Audit::open(&dir.join("a.sqlite3")).unwrap(),
        )
    }

    #[test]
    fn saved_policy_language_and_retention_apply_to_the_running_session() {
        use warden_guard::Category;
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        let s6 = Category::from_code("S6").unwrap();
        assert_ne!(s.guard().policy().action(Stage::Input, s6), Action::Block);
        let config = dir.path().join("config.toml");
        let saved = crate::settings_edit::save(
            &config,
            &crate::settings_edit::SettingsUpdate {
                language: Some("fr".into()),
                retention_days: Some(7),
                policy: vec![crate::settings_edit::PolicyChange {
                    stage: Stage::Input,
                    category: "S6".into(),
                    action: Action::Block,
                }],
                ..Default::default()
            },
        )
        .unwrap();
        let mut next = Settings::from_file(&saved.config_file).unwrap();
        next.classifier.enabled = false;
        s.apply_saved(&next).unwrap();
        assert_eq!(s.guard().policy().action(Stage::Input, s6), Action::Block);
        assert_eq!(s.settings().language.as_deref(), Some("fr"));
        assert_eq!(s.settings().audit.retention_days, Some(7));
        // A policy that cannot be read changes nothing.
        let mut broken = next.clone();
        broken.policy_path = Some(dir.path().join("missing.toml"));
        broken.language = Some("de".into());
        assert!(s.apply_saved(&broken).is_err());
        assert_eq!(s.settings().language.as_deref(), Some("fr"));
        assert_eq!(s.guard().policy().action(Stage::Input, s6), Action::Block);
    }

    #[test]
    fn the_style_and_language_lead_the_turn_as_one_system_message() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        let plain = s.messages_for("Sort these numbers: 3 1 2");
        assert_eq!(plain.len(), 1, "{plain:?}");
        s.settings_mut().style = PromptStyle::StepByStep;
        s.settings_mut().language = Some("de".into());
        let styled = s.messages_for("Sort these numbers: 3 1 2");
        assert_eq!(styled.len(), 2, "{styled:?}");
        let system = format!("{:?}", styled[0]);
        assert!(
            system.contains("German") && system.contains("Step 1"),
            "{system}"
        );
        let recorded = turn_settings(&SamplingParams::default(), s.settings());
        assert_eq!(recorded["style"], "step-by-step");
        assert_eq!(recorded["language"], "de");
    }
}
