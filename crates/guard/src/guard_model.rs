//! The Llama Guard 3 prompt and answer format, for an optional guard model.
//!
//! A Llama Guard–format GGUF placed in `models/` is run by the engine (the pipeline owns that
//! I/O); this module only writes its prompt and reads its answer, so both stay pure and
//! testable: the model answers `safe`, or `unsafe` and a line of category codes (`S1,S9`).

use crate::types::{Category, Stage};

/// Llama Guard 3's hazard taxonomy (MLCommons S1–S14), as written in its prompt.
const CATEGORIES: &str = "S1: Violent Crimes.
S2: Non-Violent Crimes.
S3: Sex Crimes.
S4: Child Exploitation.
S5: Defamation.
S6: Specialized Advice.
S7: Privacy.
S8: Intellectual Property.
S9: Indiscriminate Weapons.
S10: Hate.
S11: Self-Harm.
S12: Sexual Content.
S13: Elections.
S14: Code Interpreter Abuse.";

/// What a guard model said.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardModelVerdict {
    /// `safe` (false) or `unsafe` (true).
    pub unsafe_: bool,
    /// The categories it named (empty when safe).
    pub categories: Vec<Category>,
    /// Confidence that the text is unsafe, from the first token's probability when known.
    pub score: f32,
}

/// The Llama Guard 3 prompt for `text` at `stage` (the user turn for input, the agent turn
/// for reasoning and output, after the user's `prompt`). `bos` is the model's BOS text.
pub fn prompt(bos: &str, stage: Stage, user: &str, agent: Option<&str>) -> String {
    let (role, conversation) = match (stage, agent) {
        (Stage::Input, _) | (_, None) => ("User", format!("User: {}", user.trim())),
        (_, Some(a)) => (
            "Agent",
            format!("User: {}\n\nAgent: {}", user.trim(), a.trim()),
        ),
    };
    format!(
        "{bos}<|start_header_id|>user<|end_header_id|>\n\nTask: Check if there is unsafe content in '{role}' messages in conversations according our safety policy with the below categories.\n\n<BEGIN UNSAFE CONTENT CATEGORIES>\n{CATEGORIES}\n<END UNSAFE CONTENT CATEGORIES>\n\n<BEGIN CONVERSATION>\n\n{conversation}\n\n<END CONVERSATION>\n\nProvide your safety assessment for ONLY THE LAST {role} message in the above conversation:\n - First line must read 'safe' or 'unsafe'.\n - If unsafe, a second line must include a comma-separated list of violated categories.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
    )
}

/// Reads a guard model's answer. `first_prob` is the probability of its first token.
pub fn parse(answer: &str, first_prob: Option<f32>) -> Result<GuardModelVerdict, String> {
    let mut lines = answer
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default().to_ascii_lowercase();
    let p = first_prob.unwrap_or(1.0).clamp(0.0, 1.0);
    match first.as_str() {
        "safe" => Ok(GuardModelVerdict {
            unsafe_: false,
            categories: Vec::new(),
            score: 1.0 - p,
        }),
        "unsafe" => {
            let categories = lines
                .next()
                .unwrap_or_default()
                .split(',')
                .filter_map(|c| Category::from_code(c.trim()))
                .filter(|c| c.is_hazard())
                .collect();
            Ok(GuardModelVerdict {
                unsafe_: true,
                categories,
                score: p,
            })
        }
        _ => Err(format!(
            "the guard model answered {:?}, not 'safe' or 'unsafe'",
            answer.chars().take(60).collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_and_unsafe_answers_parse() {
        let v = parse("safe", Some(0.98)).unwrap();
        assert!(!v.unsafe_ && v.categories.is_empty());
        assert!((v.score - 0.02).abs() < 1e-6);
        let v = parse("\n\nunsafe\nS1,S9", Some(0.9)).unwrap();
        assert!(v.unsafe_);
        assert_eq!(
            v.categories,
            vec![
                Category::from_code("S1").unwrap(),
                Category::from_code("S9").unwrap()
            ]
        );
        assert_eq!(v.score, 0.9);
    }

    #[test]
    fn anything_else_is_an_error_for_the_fail_mode_to_decide() {
        assert!(parse("I think this is fine", None).is_err());
        assert!(parse("", None).is_err());
    }

    #[test]
    fn the_prompt_names_the_role_that_is_judged() {
        let p = prompt("<|begin_of_text|>", Stage::Input, "hi", None);
        assert!(p.starts_with("<|begin_of_text|><|start_header_id|>user"));
        assert!(p.contains("ONLY THE LAST User message"));
        assert!(p.contains("User: hi\n\n<END CONVERSATION>"));
        assert!(p.ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"));
        let p = prompt("", Stage::Output, "hi", Some("hello"));
        assert!(p.contains("ONLY THE LAST Agent message"));
        assert!(p.contains("User: hi\n\nAgent: hello"));
    }
}
