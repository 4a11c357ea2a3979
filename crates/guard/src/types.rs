//! The vocabulary shared by every scanner: stages, actions, categories, hits and verdicts.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in a chat turn a piece of text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The user's prompt (and anything pasted into it).
    Input,
    /// The model's `<think>` block.
    Reasoning,
    /// The model's answer after `</think>`.
    Output,
}

impl Stage {
    /// All stages, in pipeline order.
    pub const ALL: [Stage; 3] = [Stage::Input, Stage::Reasoning, Stage::Output];

    /// The lowercase name used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Reasoning => "reasoning",
            Stage::Output => "output",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the policy wants done. Ordered by severity so that a verdict is the `max` of its hits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Let the text through untouched.
    #[default]
    Allow,
    /// Let it through, record the hit (audit log, UI badge).
    Flag,
    /// Let it through with the offending spans replaced (see [`Verdict::redacted_text`]).
    Redact,
    /// Refuse the prompt or stop the generation.
    Block,
}

impl Action {
    /// The lowercase name used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Flag => "flag",
            Action::Redact => "redact",
            Action::Block => "block",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! categories {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $name:literal, [$($alias:literal),*] ;)*) => {
        /// A hazard category. `S1`..`S14` are the MLCommons AILuminate hazard codes (the same
        /// taxonomy Llama Guard 3 uses); the rest are Warden's own.
        ///
        /// Serialized as its [`code`](Category::code) (`"S1"`, `"injection"`); the lowercase
        /// code (`"s1"`) and the snake-case name (`"violent_crimes"`) are accepted on input.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Category {
            $( $(#[$doc])* #[serde(rename = $code, alias = $name $(, alias = $alias)*)] $variant, )*
        }

        impl Category {
            /// Every category, hazards first.
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            /// The short code: `"S1"`..`"S14"`, `"injection"`, `"pii"`, `"language"`, `"r1"`.
            pub fn code(self) -> &'static str {
                match self { $(Category::$variant => $code,)* }
            }

            /// A human-readable snake-case name, e.g. `"violent_crimes"`.
            pub fn name(self) -> &'static str {
                match self { $(Category::$variant => $name,)* }
            }

            /// Parses a code, a lowercase code or a name.
            pub fn from_code(s: &str) -> Option<Category> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t.eq_ignore_ascii_case($name) {
                        return Some(Category::$variant);
                    }
                )*
                None
            }
        }
    };
}

categories! {
    /// S1: violent crimes (murder, assault, terrorism, kidnapping).
    ViolentCrimes => "S1", "violent_crimes", ["s1"];
    /// S2: non-violent crimes (fraud, theft, hacking, drugs, weapons trafficking).
    NonViolentCrimes => "S2", "non_violent_crimes", ["s2"];
    /// S3: sex-related crimes (trafficking, assault, non-consensual imagery).
    SexCrimes => "S3", "sex_crimes", ["s3"];
    /// S4: child sexual exploitation.
    ChildExploitation => "S4", "child_exploitation", ["s4"];
    /// S5: defamation.
    Defamation => "S5", "defamation", ["s5", "defamation"];
    /// S6: specialized (medical, legal, financial) advice given dangerously.
    SpecializedAdvice => "S6", "specialized_advice", ["s6"];
    /// S7: privacy (doxxing, surveillance of individuals).
    Privacy => "S7", "privacy", ["s7"];
    /// S8: intellectual property.
    IntellectualProperty => "S8", "intellectual_property", ["s8"];
    /// S9: indiscriminate weapons (chemical, biological, radiological, nuclear, explosives).
    IndiscriminateWeapons => "S9", "indiscriminate_weapons", ["s9"];
    /// S10: hate.
    Hate => "S10", "hate", ["s10"];
    /// S11: suicide and self-harm.
    SelfHarm => "S11", "self_harm", ["s11"];
    /// S12: sexual content.
    SexualContent => "S12", "sexual_content", ["s12"];
    /// S13: elections (misinformation about voting).
    Elections => "S13", "elections", ["s13"];
    /// S14: code interpreter abuse (malware, exploits, sandbox escape).
    CodeInterpreterAbuse => "S14", "code_interpreter_abuse", ["s14"];
    /// Prompt injection, jailbreak or system-prompt extraction.
    Injection => "injection", "prompt_injection", [];
    /// Personal data and secrets.
    Pii => "pii", "personal_data", [];
    /// Language drift (the text left the expected language).
    Language => "language", "language_mixing", [];
    /// DeepSeek-R1 specific faults: leaked reasoning, loops, runaway length.
    R1 => "r1", "r1_faults", [];
}

impl Category {
    /// True for the MLCommons hazard categories `S1`..`S14`.
    pub fn is_hazard(self) -> bool {
        !matches!(
            self,
            Category::Injection | Category::Pii | Category::Language | Category::R1
        )
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A half-open byte range `[start, end)` into the text that was scanned.
///
/// Always on `char` boundaries and inside the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The same span moved right by `by` bytes.
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }

    /// The span `by` bytes earlier (a span in a text that starts `by` bytes in).
    pub(crate) fn shifted_back(self, by: usize) -> Span {
        Span::new(self.start.saturating_sub(by), self.end.saturating_sub(by))
    }
}

/// Everything a scanner needs to know besides the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Context {
    /// Which part of the turn this text is.
    pub stage: Stage,
    /// The language the conversation should be in (ISO 639-1, e.g. `"en"`). When `None`, the
    /// majority language of the text is taken as the expected one.
    pub expected_lang: Option<String>,
    /// The text came from a document, web page or tool result pasted into the prompt rather than
    /// typed by the user. Injection heuristics weigh instructions found there more heavily.
    pub untrusted_source: bool,
}

impl Context {
    /// A context for `stage` with no expected language.
    pub fn new(stage: Stage) -> Context {
        Context {
            stage,
            expected_lang: None,
            untrusted_source: false,
        }
    }

    /// Shorthand for `Context::new(Stage::Input)`.
    pub fn input() -> Context {
        Context::new(Stage::Input)
    }

    /// Shorthand for `Context::new(Stage::Output)`.
    pub fn output() -> Context {
        Context::new(Stage::Output)
    }

    /// Sets the expected language (ISO 639-1).
    pub fn with_expected_lang(mut self, lang: impl Into<String>) -> Context {
        self.expected_lang = Some(lang.into());
        self
    }

    /// Marks the text as coming from an untrusted document or tool.
    pub fn with_untrusted_source(mut self, untrusted: bool) -> Context {
        self.untrusted_source = untrusted;
        self
    }
}

/// One finding of one scanner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// What was found.
    pub category: Category,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Which scanner found it, e.g. `"rules"`, `"pii.email"`, `"injection.base64"`.
    pub scanner: String,
    /// What the policy decided for this hit (filled in by [`Guard`](crate::Guard)).
    pub action: Action,
    /// Where, as byte ranges into the original text.
    pub spans: Vec<Span>,
}

impl Hit {
    /// A hit with action [`Action::Allow`]; the guard applies the policy later.
    pub fn new(
        category: Category,
        score: f32,
        scanner: impl Into<String>,
        spans: Vec<Span>,
    ) -> Hit {
        Hit {
            category,
            score,
            scanner: scanner.into(),
            action: Action::Allow,
            spans,
        }
    }
}

/// The kind of a [`PiiMatch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// A phone number (at least 8 digits, in a phone-like shape).
    Phone,
    /// A payment card number that passes the Luhn check.
    CreditCard,
    /// An IBAN that passes the mod-97 check.
    Iban,
    /// A US social security number.
    UsSsn,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// An API key or access token.
    ApiKey,
}

impl PiiKind {
    /// The snake-case name (`"credit_card"`).
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::CreditCard => "credit_card",
            PiiKind::Iban => "iban",
            PiiKind::UsSsn => "us_ssn",
            PiiKind::IpAddress => "ip_address",
            PiiKind::ApiKey => "api_key",
        }
    }

    /// The typed placeholder that replaces it in redacted text, e.g. `"[EMAIL]"`.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[EMAIL]",
            PiiKind::Phone => "[PHONE]",
            PiiKind::CreditCard => "[CREDIT_CARD]",
            PiiKind::Iban => "[IBAN]",
            PiiKind::UsSsn => "[US_SSN]",
            PiiKind::IpAddress => "[IP_ADDRESS]",
            PiiKind::ApiKey => "[API_KEY]",
        }
    }

    /// Parses [`as_str`](PiiKind::as_str) output.
    pub fn parse(s: &str) -> Option<PiiKind> {
        Some(match s {
            "email" => PiiKind::Email,
            "phone" => PiiKind::Phone,
            "credit_card" => PiiKind::CreditCard,
            "iban" => PiiKind::Iban,
            "us_ssn" => PiiKind::UsSsn,
            "ip_address" => PiiKind::IpAddress,
            "api_key" => PiiKind::ApiKey,
            _ => return None,
        })
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A piece of personal data or a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PiiMatch {
    /// What it is.
    pub kind: PiiKind,
    /// First byte in the original text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// What the language check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageReport {
    /// The majority language of the prose (ISO 639-1 where one exists, else ISO 639-3).
    pub detected: Option<String>,
    /// The language the text was measured against.
    pub expected: Option<String>,
    /// True when `mix_score` passed the policy threshold.
    pub mixed: bool,
    /// Share of the prose letters (code, URLs, numbers, identifiers and short loanwords left out)
    /// that are not in the expected language, in `[0, 1]`.
    pub mix_score: f32,
}

/// The result of a scan: what to do and why.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Verdict {
    /// The most severe action of all hits.
    pub action: Action,
    /// Every finding above its threshold, in text order.
    pub hits: Vec<Hit>,
    /// The language check, when it ran.
    pub language: Option<LanguageReport>,
    /// Personal data and secrets found.
    pub pii: Vec<PiiMatch>,
    /// True when a prompt-injection heuristic fired.
    pub injection: bool,
    /// The text with every `redact` span replaced by a typed placeholder; `None` when nothing
    /// was redacted.
    pub redacted_text: Option<String>,
    /// The policy's block message, when `action` is [`Action::Block`].
    pub message: Option<String>,
    /// What normalization folded away (invisible characters, homoglyphs, leetspeak, spacing).
    #[serde(default)]
    pub obfuscation: crate::normalize::Obfuscation,
    /// Invisible characters found, as spans of the original text.
    #[serde(default)]
    pub invisible: Vec<Span>,
}

impl Verdict {
    /// True when the verdict lets the text through unchanged.
    pub fn is_allow(&self) -> bool {
        self.action == Action::Allow
    }

    /// The hazard categories (`S1`..`S14`) among the hits, deduplicated, in order.
    pub fn hazard_categories(&self) -> Vec<Category> {
        let mut v: Vec<Category> = self
            .hits
            .iter()
            .map(|h| h.category)
            .filter(|c| c.is_hazard())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// True when any hit is in `category`.
    pub fn has(&self, category: Category) -> bool {
        self.hits.iter().any(|h| h.category == category)
    }
}
