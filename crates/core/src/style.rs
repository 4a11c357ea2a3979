//! Zero-shot structured prompt styles (seed §5.2): R1 models do worse with few-shot examples,
//! so a style is one explicit instruction, never examples. It travels as the system text of
//! the turn (for R1 distills the engine folds it into the user turn, as DeepSeek advises), and
//! is part of the prompt recorded in the audit log.

use serde::{Deserialize, Serialize};

/// How the model is asked to shape its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptStyle {
    /// The user's text only.
    #[default]
    Plain,
    /// Explicit steps: analyze, then solve; a final answer line (seed §5.2.1a, §5.2.2b).
    StepByStep,
    /// One JSON object and nothing else (seed §5.2.2a).
    Json,
    /// Markdown with headings and tables where data is compared (seed §5.2.2a).
    Markdown,
}

impl PromptStyle {
    /// Every style, in menu order.
    pub const ALL: [PromptStyle; 4] = [
        PromptStyle::Plain,
        PromptStyle::StepByStep,
        PromptStyle::Json,
        PromptStyle::Markdown,
    ];

    /// The stable name (`plain`, `step-by-step`, `json`, `markdown`).
    pub fn name(self) -> &'static str {
        match self {
            PromptStyle::Plain => "plain",
            PromptStyle::StepByStep => "step-by-step",
            PromptStyle::Json => "json",
            PromptStyle::Markdown => "markdown",
        }
    }

    /// The instruction the style adds, if any.
    pub fn instruction(self) -> Option<&'static str> {
        match self {
            PromptStyle::Plain => None,
            PromptStyle::StepByStep => Some(
                "Work through the request step by step. Step 1: analyze the problem. \
                 Step 2: provide the solution. Number the steps in your answer and finish \
                 with a line that starts with \"Answer:\".",
            ),
            PromptStyle::Json => Some(
                "Reply with a single valid JSON object and nothing else: no text before or \
                 after it and no code fences.",
            ),
            PromptStyle::Markdown => Some(
                "Format the answer as Markdown: short sections with headings, bullet lists \
                 for enumerations, and a table wherever items are compared.",
            ),
        }
    }
}

impl std::fmt::Display for PromptStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown style name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown prompt style {0:?} (expected plain, step-by-step, json or markdown)")]
pub struct UnknownStyle(pub String);

impl std::str::FromStr for PromptStyle {
    type Err = UnknownStyle;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        PromptStyle::ALL
            .into_iter()
            .find(|p| p.name() == key)
            .ok_or_else(|| UnknownStyle(s.to_owned()))
    }
}

/// The system text of a turn: the pinned-language instruction and the style's, in that order;
/// `None` when neither applies.
pub fn system_text(language: Option<&str>, style: PromptStyle) -> Option<String> {
    let parts: Vec<String> = language
        .map(crate::session::language_instruction)
        .into_iter()
        .chain(style.instruction().map(str::to_owned))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for s in PromptStyle::ALL {
            assert_eq!(s.name().parse::<PromptStyle>(), Ok(s));
            assert_eq!(s.to_string(), s.name());
        }
        assert_eq!(
            "Step_By_Step".parse::<PromptStyle>(),
            Ok(PromptStyle::StepByStep)
        );
        assert!("few-shot".parse::<PromptStyle>().is_err());
    }

    #[test]
    fn styles_are_zero_shot_instructions() {
        assert_eq!(PromptStyle::Plain.instruction(), None);
        for s in &PromptStyle::ALL[1..] {
            let text = s.instruction().unwrap();
            // One instruction, no worked examples (seed §5.2.1b: avoid few-shot prompting).
            assert!(!text.to_lowercase().contains("example"), "{s}: {text}");
            assert!(!text.contains("\n"), "{s}: {text}");
        }
        assert!(PromptStyle::StepByStep
            .instruction()
            .unwrap()
            .contains("Step 1"));
        assert!(PromptStyle::Json.instruction().unwrap().contains("JSON"));
    }

    #[test]
    fn system_text_joins_language_and_style() {
        assert_eq!(system_text(None, PromptStyle::Plain), None);
        let only_lang = system_text(Some("fr"), PromptStyle::Plain).unwrap();
        assert!(only_lang.contains("French"));
        let both = system_text(Some("fr"), PromptStyle::Json).unwrap();
        let lines: Vec<&str> = both.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("French") && lines[1].contains("JSON"));
        assert_eq!(
            system_text(None, PromptStyle::Markdown).as_deref(),
            PromptStyle::Markdown.instruction()
        );
    }

    #[test]
    fn styles_serialize_by_name() {
        #[derive(Serialize, Deserialize)]
        struct S {
            style: PromptStyle,
        }
        let t: S = toml::from_str("style = \"step-by-step\"").unwrap();
        assert_eq!(t.style, PromptStyle::StepByStep);
        assert!(toml::from_str::<S>("style = \"loud\"").is_err());
    }
}
