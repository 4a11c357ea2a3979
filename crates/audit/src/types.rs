//! The values that go in and come out of the log.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Milliseconds since the Unix epoch, UTC. Every time in the log is one of these.
pub type UnixMillis = i64;

/// The current time as [`UnixMillis`].
pub fn now_ms() -> UnixMillis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The id of one generation (one model run for one prompt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GenerationId(pub i64);

impl fmt::Display for GenerationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and used in exports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = crate::AuditError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::AuditError::InvalidState(format!(
                        concat!("unknown ", stringify!($name), " {:?}"),
                        other
                    ))),
                }
            }
        }
    };
}

string_enum! {
    /// Where a generation stands. Everything but `Running` is final.
    Status {
        /// Decoding has not finished; the row may hold partial text.
        Running => "running",
        /// The model stopped on its own (end of generation, stop string, token limit).
        Completed => "completed",
        /// The user stopped it.
        Cancelled => "cancelled",
        /// A guard stopped it (input refused or output blocked mid-stream).
        Blocked => "blocked",
        /// The engine or pipeline failed.
        Failed => "failed",
        /// The process ended while it was running; found and closed on the next open.
        Interrupted => "interrupted",
    }
}

string_enum! {
    /// Which text a guard scanner looked at.
    Stage {
        /// The user's prompt.
        Input => "input",
        /// The model's `<think>` reasoning.
        Reasoning => "reasoning",
        /// The answer.
        Output => "output",
    }
}

string_enum! {
    /// What the policy decided for one scanner finding.
    Action {
        /// Nothing to do.
        Allow => "allow",
        /// Let it through, mark it for review.
        Flag => "flag",
        /// Replace the matched spans.
        Redact => "redact",
        /// Refuse or stop the generation.
        Block => "block",
    }
}

string_enum! {
    /// A reviewer's verdict on a generation.
    ReviewStatus {
        /// Nobody has looked at it yet.
        Unreviewed => "unreviewed",
        /// The answer is fine.
        Ok => "ok",
        /// The answer is harmful.
        Harmful => "harmful",
        /// The answer needs a correction.
        NeedsFix => "needs-fix",
    }
}

impl Status {
    /// True for every status but `Running`.
    pub fn is_final(self) -> bool {
        self != Status::Running
    }
}

impl Action {
    /// Severity order: allow < flag < redact < block.
    pub fn severity(self) -> u8 {
        match self {
            Action::Allow => 0,
            Action::Flag => 1,
            Action::Redact => 2,
            Action::Block => 3,
        }
    }
}

/// What the pipeline knows before decoding starts. Written with status `running`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewGeneration {
    /// The conversation this turn belongs to, if any.
    pub conversation_id: Option<i64>,
    /// Position of this turn in its conversation (0-based).
    pub turn_index: i64,
    /// The user's prompt as sent.
    pub prompt: String,
    /// SHA-256 (hex) of the full prompt after the chat template was applied.
    pub rendered_prompt_hash: String,
    /// The model's file name.
    pub model_name: String,
    /// SHA-256 (hex) of the model file, when known.
    pub model_sha256: Option<String>,
    /// GGUF metadata worth keeping (architecture, quantization, context length...).
    pub model_meta: serde_json::Value,
    /// Sampling settings (temperature, top-p, seed, max tokens...).
    pub settings: serde_json::Value,
    /// The app's version.
    pub app_version: String,
}

/// One scanner finding to record while a generation runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewGuardEvent {
    /// Which text was scanned.
    pub stage: Stage,
    /// The scanner's name.
    pub scanner: String,
    /// The policy category (e.g. `self-harm`, `pii.email`).
    pub category: String,
    /// The scanner's score, 0.0..=1.0 by convention.
    pub score: f64,
    /// What the policy decided.
    pub action: Action,
    /// Byte ranges `(start, end)` of the matched text within the scanned text.
    pub spans: Vec<(usize, usize)>,
    /// The version of the policy that decided.
    pub policy_version: String,
}

/// How a generation ended, written by [`AuditLog::finish_generation`](crate::AuditLog::finish_generation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finish {
    /// The final status; `Running` is refused.
    pub status: Status,
    /// Why decoding stopped (`eog`, `max_tokens`, `stop_string`, `guard:<category>`...).
    pub stop_reason: Option<String>,
    /// The full reasoning text.
    pub reasoning: String,
    /// The full answer text (as shown to the user, after redaction).
    pub answer: String,
    /// Tokens in the rendered prompt.
    pub prompt_tokens: Option<u32>,
    /// Tokens generated.
    pub completion_tokens: Option<u32>,
    /// Time to first token, milliseconds.
    pub ttft_ms: Option<f64>,
    /// Prompt processing speed, tokens per second.
    pub prompt_tps: Option<f64>,
    /// Generation speed, tokens per second.
    pub gen_tps: Option<f64>,
    /// The error message of a failed generation.
    pub error: Option<String>,
}

impl Finish {
    /// A `Finish` with the given status and texts and nothing else.
    pub fn new(status: Status, reasoning: impl Into<String>, answer: impl Into<String>) -> Self {
        Finish {
            status,
            stop_reason: None,
            reasoning: reasoning.into(),
            answer: answer.into(),
            prompt_tokens: None,
            completion_tokens: None,
            ttft_ms: None,
            prompt_tps: None,
            gen_tps: None,
            error: None,
        }
    }
}

/// A reviewer's verdict, written by [`AuditLog::review`](crate::AuditLog::review).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewInput {
    /// The verdict.
    pub status: ReviewStatus,
    /// Free text.
    pub note: Option<String>,
    /// A better answer; feeds the `sft` and `preference` exports.
    pub corrected_answer: Option<String>,
    /// Who reviewed.
    pub reviewer: Option<String>,
}

/// One conversation in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationSummary {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// When it was created.
    pub created_at: UnixMillis,
    /// When a turn was last added.
    pub updated_at: UnixMillis,
    /// How many generations it holds.
    pub turns: i64,
}

/// One turn of a conversation, enough to rebuild the thread.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationTurn {
    /// The generation.
    pub generation_id: GenerationId,
    /// Position in the conversation.
    pub turn_index: i64,
    /// The prompt.
    pub prompt: String,
    /// The reasoning (partial while running).
    pub reasoning: String,
    /// The answer (partial while running).
    pub answer: String,
    /// Its status.
    pub status: Status,
    /// When it started.
    pub created_at: UnixMillis,
}

/// A recorded guard finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardEvent {
    /// Its id.
    pub id: i64,
    /// The generation it belongs to.
    pub generation_id: GenerationId,
    /// Which text was scanned.
    pub stage: Stage,
    /// The scanner.
    pub scanner: String,
    /// The category.
    pub category: String,
    /// The score.
    pub score: f64,
    /// The action.
    pub action: Action,
    /// Matched byte ranges.
    pub spans: Vec<Span>,
    /// The policy version.
    pub policy_version: String,
    /// When it was recorded.
    pub created_at: UnixMillis,
}

/// A byte range within a scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Whether a review row is a user's flag or a reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewKind {
    /// A user flagged the answer.
    Flag,
    /// A reviewer gave a verdict.
    Review,
}

/// One row of a generation's review history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Its id.
    pub id: i64,
    /// The generation.
    pub generation_id: GenerationId,
    /// Flag or verdict.
    pub kind: ReviewKind,
    /// The user's reason, for a flag.
    pub flag_reason: Option<String>,
    /// The verdict, for a review.
    pub status: Option<ReviewStatus>,
    /// The reviewer's note.
    pub note: Option<String>,
    /// The reviewer's corrected answer.
    pub corrected_answer: Option<String>,
    /// Who reviewed.
    pub reviewer: Option<String>,
    /// When.
    pub created_at: UnixMillis,
}

/// One generation in a list: short previews, no full text.
#[derive(Debug, Clone, Serialize)]
pub struct GenerationSummary {
    /// Its id.
    pub id: GenerationId,
    /// Its conversation.
    pub conversation_id: Option<i64>,
    /// When it started.
    pub created_at: UnixMillis,
    /// When it was finalized.
    pub finished_at: Option<UnixMillis>,
    /// The model file name.
    pub model_name: String,
    /// Its status.
    pub status: Status,
    /// Why it stopped.
    pub stop_reason: Option<String>,
    /// The first 200 characters of the prompt.
    pub prompt_preview: String,
    /// The first 200 characters of the answer.
    pub answer_preview: String,
    /// Whether a user flagged it.
    pub flagged: bool,
    /// The newest reviewer verdict.
    pub review_status: ReviewStatus,
    /// Distinct categories of its guard events.
    pub categories: Vec<String>,
    /// The most severe action among its guard events.
    pub worst_action: Option<Action>,
}

/// Everything about one generation.
#[derive(Debug, Clone, Serialize)]
pub struct GenerationDetail {
    /// Its id.
    pub id: GenerationId,
    /// Its conversation.
    pub conversation_id: Option<i64>,
    /// Position in the conversation.
    pub turn_index: i64,
    /// The prompt as sent.
    pub prompt: String,
    /// SHA-256 of the rendered template.
    pub rendered_prompt_hash: String,
    /// The model file name.
    pub model_name: String,
    /// SHA-256 of the model file.
    pub model_sha256: Option<String>,
    /// Model metadata.
    pub model_meta: serde_json::Value,
    /// Sampling settings.
    pub settings: serde_json::Value,
    /// Reasoning text.
    pub reasoning: String,
    /// Answer text.
    pub answer: String,
    /// Status.
    pub status: Status,
    /// Why it stopped.
    pub stop_reason: Option<String>,
    /// Prompt tokens.
    pub prompt_tokens: Option<u32>,
    /// Completion tokens.
    pub completion_tokens: Option<u32>,
    /// Time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Prompt tokens per second.
    pub prompt_tps: Option<f64>,
    /// Generated tokens per second.
    pub gen_tps: Option<f64>,
    /// Error message.
    pub error: Option<String>,
    /// App version.
    pub app_version: String,
    /// When it started.
    pub created_at: UnixMillis,
    /// When it was finalized.
    pub finished_at: Option<UnixMillis>,
    /// Whether a user flagged it.
    pub flagged: bool,
    /// The newest verdict.
    pub review_status: ReviewStatus,
    /// Guard findings, in the order recorded.
    pub guard_events: Vec<GuardEvent>,
    /// Flags and reviews, oldest first.
    pub reviews: Vec<Review>,
    /// Its entry in the hash chain, once finalized.
    pub chain: Option<ChainHead>,
}

/// A position in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The entry's sequence number.
    pub seq: i64,
    /// The entry's hash (hex SHA-256).
    pub hash: String,
}

/// Which generations a list, stats or export covers. Every set field narrows; the defaults
/// match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Only flagged (true) or unflagged (false) generations.
    pub flagged: Option<bool>,
    /// Only this newest verdict.
    pub review_status: Option<ReviewStatus>,
    /// Only generations with a guard event of this category...
    pub category: Option<String>,
    /// ...at this stage...
    pub stage: Option<Stage>,
    /// ...with this action (all three must hold for one event).
    pub action: Option<Action>,
    /// Only this model file name.
    pub model: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this conversation.
    pub conversation_id: Option<i64>,
    /// Created at or after this time.
    pub from: Option<UnixMillis>,
    /// Created before this time.
    pub to: Option<UnixMillis>,
    /// Full-text search over prompt, answer and reasoning. Plain words, all of which must
    /// appear (case- and accent-insensitive); a word ending in `*` matches as a prefix.
    pub text: Option<String>,
}

/// Which slice of a list to return. Lists are newest first.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Page {
    /// At most this many rows.
    pub limit: u32,
    /// Skip this many rows (simple, but slower deep into a list).
    pub offset: u32,
    /// Keyset pagination: only ids below this one (pass the last id of the previous page).
    pub before: Option<GenerationId>,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
            before: None,
        }
    }
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: u32) -> Self {
        Page {
            limit,
            ..Page::default()
        }
    }
}

/// Counts over the generations a filter matches.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Generations matched.
    pub total: u64,
    /// Of those, flagged by a user.
    pub flagged: u64,
    /// `flagged / total`, 0 when empty.
    pub flag_rate: f64,
    /// Generations by status.
    pub by_status: Vec<Count>,
    /// Generations by newest verdict.
    pub by_review_status: Vec<Count>,
    /// Guard events by category.
    pub by_category: Vec<Count>,
    /// Guard events by action.
    pub by_action: Vec<Count>,
    /// Guard events by stage.
    pub by_stage: Vec<Count>,
    /// Generations per UTC day.
    pub by_day: Vec<DayCount>,
    /// Generations a guard verdict flagged, redacted or blocked, per UTC day and category
    /// (a generation counts once per category and day).
    pub by_day_category: Vec<DayCategoryCount>,
    /// Guard events by stage and action.
    pub by_stage_action: Vec<StageActionCount>,
}

/// Generations with a non-allow verdict in one category on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCategoryCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The category code.
    pub category: String,
    /// Generations.
    pub count: u64,
}

/// Guard events with one stage and action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageActionCount {
    /// `input`, `reasoning` or `output`.
    pub stage: String,
    /// `allow`, `flag`, `redact` or `block`.
    pub action: String,
    /// Events.
    pub count: u64,
}

/// A key and how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The key.
    pub key: String,
    /// How many.
    pub count: u64,
}

/// Generations on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Generations created that day.
    pub count: u64,
    /// Of those, flagged by a person.
    pub flagged: u64,
    /// Of those, with a guard verdict other than allow (flag, redact or block).
    pub guarded: u64,
    /// Of those, flagged by the language check (mixing or drift from the expected language).
    pub language_mixed: u64,
}
