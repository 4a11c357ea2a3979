//! The policy: what to do per category per stage, thresholds, and the block message (with
//! a category's own message where it has one: a blocked self-harm request gets help, not a
//! rule citation).
//!
//! A policy is a TOML file. The default ships in the crate (`policy/default.toml`) and is what
//! [`Policy::default`] returns; a user file replaces it whole via [`Policy::from_toml_str`]. A
//! category missing from a stage's table gets that stage's default ([`Action::Flag`]), so an
//! older policy file keeps working when a category is added.

use crate::error::{GuardError, GuardErrorKind};
use crate::types::{Action, Category, Hit, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The embedded default policy.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.toml");

/// What to do when an optional scanner is unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// Skip it and carry on.
    #[default]
    Open,
    /// Block the text.
    Closed,
}

/// Minimum scores and language tunables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Minimum score of a rule hit.
    pub rules: f32,
    /// Minimum injection score.
    pub injection: f32,
    /// Off-language share at which a text is mixed.
    pub language_mix: f32,
    /// Minimum off-language letters for a text to be mixed.
    pub language_min_letters: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            rules: 0.5,
            injection: 0.5,
            language_mix: 0.2,
            language_min_letters: 12,
        }
    }
}

/// Settings for optional scanners.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OptionalScanners {
    /// Open (skip) or closed (block) when one is unavailable.
    pub fail_mode: FailMode,
}

/// R1 fault limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct R1Limits {
    /// Longest repeated n-gram looked for, in words.
    pub max_ngram: usize,
    /// Repeats at the end of the text that make a loop.
    pub min_repeats: usize,
    /// Reasoning longer than this (chars) is runaway.
    pub max_reasoning_chars: usize,
    /// An answer longer than this (chars) is runaway.
    pub max_answer_chars: usize,
}

impl Default for R1Limits {
    fn default() -> Self {
        R1Limits {
            max_ngram: 40,
            min_repeats: 6,
            max_reasoning_chars: 60_000,
            max_answer_chars: 40_000,
        }
    }
}

/// Actions per category for each stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StageActions {
    /// For the user's prompt.
    pub input: BTreeMap<Category, Action>,
    /// For the `<think>` block.
    pub reasoning: BTreeMap<Category, Action>,
    /// For the answer.
    pub output: BTreeMap<Category, Action>,
}

/// A guard policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Recorded with every verdict in the audit log.
    pub version: String,
    /// Shown to the user when something is blocked.
    pub block_message: String,
    /// A category's own message, shown instead of `block_message` when a blocked text has a
    /// hit of that category (`[block_messages]`, `S11 = "…"`); see [`Policy::block_message_for`].
    #[serde(default)]
    pub block_messages: BTreeMap<Category, String>,
    /// Minimum scores.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Optional scanners.
    #[serde(default)]
    pub optional_scanners: OptionalScanners,
    /// R1 fault limits.
    #[serde(default)]
    pub r1: R1Limits,
    /// Actions per stage and category.
    #[serde(default)]
    pub actions: StageActions,
}

impl Default for Policy {
    fn default() -> Self {
        // The embedded file is tested to parse; see `default_policy_parses_and_round_trips`.
        Policy::from_toml_str(DEFAULT_POLICY).expect("embedded default policy parses")
    }
}

impl Policy {
    /// Parses and validates a policy file.
    pub fn from_toml_str(s: &str) -> Result<Policy, GuardError> {
        let p: Policy = toml::from_str(s)
            .map_err(|e| GuardError::new(GuardErrorKind::Policy, e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// The policy as TOML (for `warden guard policy`).
    pub fn to_toml_string(&self) -> String {
        // Serializing plain structs and string-keyed maps cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), GuardError> {
        let t = &self.thresholds;
        for (name, v) in [
            ("thresholds.rules", t.rules),
            ("thresholds.injection", t.injection),
            ("thresholds.language_mix", t.language_mix),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(GuardError::new(
                    GuardErrorKind::Policy,
                    format!("{name} must be within 0..=1, got {v}"),
                ));
            }
        }
        if let Some((c, _)) = self
            .block_messages
            .iter()
            .find(|(_, m)| m.trim().is_empty())
        {
            return Err(GuardError::new(
                GuardErrorKind::Policy,
                format!("block_messages.{c} is empty"),
            ));
        }
        if self.r1.min_repeats < 2 || self.r1.max_ngram == 0 {
            return Err(GuardError::new(
                GuardErrorKind::Policy,
                "r1.min_repeats must be >= 2 and r1.max_ngram >= 1",
            ));
        }
        Ok(())
    }

    /// What a blocked text with these hits tells the user: the message of the highest-scoring
    /// hit whose category has one in `block_messages` (whatever that hit's own action: a
    /// self-harm request that also reads as violence is blocked for the violence, and still
    /// gets the self-harm message), else `block_message`.
    pub fn block_message_for(&self, hits: &[Hit]) -> &str {
        hits.iter()
            .filter_map(|h| self.block_messages.get(&h.category).map(|m| (h.score, m)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(self.block_message.as_str(), |(_, m)| m.as_str())
    }

    /// The action for `category` at `stage` ([`Action::Flag`] when the file does not say).
    pub fn action(&self, stage: Stage, category: Category) -> Action {
        let table = match stage {
            Stage::Input => &self.actions.input,
            Stage::Reasoning => &self.actions.reasoning,
            Stage::Output => &self.actions.output,
        };
        table.get(&category).copied().unwrap_or(Action::Flag)
    }

    /// Sets the action for `category` at `stage`.
    pub fn set_action(&mut self, stage: Stage, category: Category, action: Action) {
        let table = match stage {
            Stage::Input => &mut self.actions.input,
            Stage::Reasoning => &mut self.actions.reasoning,
            Stage::Output => &mut self.actions.output,
        };
        table.insert(category, action);
    }

    /// The minimum score for a hit of `category`.
    pub fn threshold(&self, category: Category) -> f32 {
        match category {
            Category::Injection => self.thresholds.injection,
            Category::Pii | Category::Language | Category::R1 => 0.0,
            _ => self.thresholds.rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_parses_and_round_trips() {
        let p = Policy::default();
        assert_eq!(
            p.action(Stage::Input, Category::IndiscriminateWeapons),
            Action::Block
        );
        assert_eq!(p.action(Stage::Input, Category::Pii), Action::Redact);
        let again = Policy::from_toml_str(&p.to_toml_string()).unwrap();
        assert_eq!(p, again);
    }

    #[test]
    fn a_category_message_is_read_checked_and_chosen_by_score() {
        let base = "version = \"t\"\nblock_message = \"no\"\n";
        let p = Policy::from_toml_str(&format!(
            "{base}[block_messages]\nS11 = \"help\"\nS1 = \"violence\"\n"
        ))
        .unwrap();
        let hit = |c, score| Hit::new(c, score, "rules", vec![]);
        assert_eq!(p.block_message_for(&[]), "no");
        assert_eq!(p.block_message_for(&[hit(Category::Hate, 0.9)]), "no");
        let both = [
            hit(Category::ViolentCrimes, 0.75),
            hit(Category::SelfHarm, 0.9),
        ];
        assert_eq!(p.block_message_for(&both), "help");
        let both = [
            hit(Category::ViolentCrimes, 0.9),
            hit(Category::SelfHarm, 0.75),
        ];
        assert_eq!(p.block_message_for(&both), "violence");
        assert_eq!(Policy::from_toml_str(&p.to_toml_string()).unwrap(), p);
        for bad in [
            "[block_messages]\nS99 = \"x\"\n",
            "[block_messages]\nS11 = \" \"\n",
        ] {
            let e = Policy::from_toml_str(&format!("{base}{bad}")).unwrap_err();
            assert_eq!(e.kind(), GuardErrorKind::Policy, "{bad}");
        }
        // The default policy has the self-harm one.
        assert!(Policy::default()
            .block_messages
            .contains_key(&Category::SelfHarm));
    }

    #[test]
    fn every_category_has_an_action_in_every_stage() {
        let p = Policy::default();
        for stage in Stage::ALL {
            for c in Category::ALL {
                let table = match stage {
                    Stage::Input => &p.actions.input,
                    Stage::Reasoning => &p.actions.reasoning,
                    Stage::Output => &p.actions.output,
                };
                assert!(table.contains_key(c), "{stage} lacks {c}");
            }
        }
    }

    #[test]
    fn names_and_lowercase_codes_are_accepted() {
        let p = Policy::from_toml_str(
            "version = \"t\"\nblock_message = \"no\"\n[actions.input]\ns9 = \"block\"\nhate = \"flag\"\n",
        )
        .unwrap();
        assert_eq!(
            p.action(Stage::Input, Category::IndiscriminateWeapons),
            Action::Block
        );
        assert_eq!(p.action(Stage::Input, Category::Hate), Action::Flag);
        assert_eq!(p.action(Stage::Output, Category::Hate), Action::Flag);
    }

    #[test]
    fn bad_policies_are_rejected_with_a_policy_error() {
        let cases = [
            (
                "unknown_action",
                "version = \"t\"\nblock_message = \"m\"\n[actions.input]\nS1 = \"nuke\"\n",
            ),
            (
                "unknown_category",
                "version = \"t\"\nblock_message = \"m\"\n[actions.input]\nS99 = \"block\"\n",
            ),
            (
                "threshold_range",
                "version = \"t\"\nblock_message = \"m\"\n[thresholds]\nrules = 2.0\n",
            ),
            ("missing_version", "block_message = \"m\"\n"),
        ];
        for (name, src) in cases {
            let err = Policy::from_toml_str(src).unwrap_err();
            assert_eq!(err.kind(), GuardErrorKind::Policy, "case {name}");
        }
    }
}
