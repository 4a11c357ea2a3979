//! The effective settings as one read-only view (the desktop Settings screen): paths, audit
//! retention, the classifier, the language pin, and the guard policy as a table.

use std::path::PathBuf;

use serde::Serialize;
use warden_guard::{Action, Category, Policy, Stage};

use crate::Settings;

/// One category's row of the policy table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRow {
    /// `S1`..`S14`, `injection`, …
    pub code: &'static str,
    /// `violent_crimes`, …
    pub name: &'static str,
    /// Action at the input stage.
    pub input: Action,
    /// Action on the reasoning.
    pub reasoning: Action,
    /// Action on the answer.
    pub output: Action,
}

/// A category's own block message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryMessage {
    /// `S11`, …
    pub code: &'static str,
    /// Shown instead of the block message when a blocked text has a hit of this category.
    pub message: String,
}

/// The effective guard policy, flattened for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyView {
    /// The policy file, `None` for the built-in policy.
    pub source: Option<PathBuf>,
    /// The policy's version.
    pub version: String,
    /// Shown when something is blocked.
    pub block_message: String,
    /// Categories with their own block message, by code (`S11`, …).
    pub block_messages: Vec<CategoryMessage>,
    /// `open` or `closed` when an optional scanner is unavailable.
    pub fail_mode: warden_guard::FailMode,
    /// Every category, hazards first.
    pub rows: Vec<PolicyRow>,
}

impl PolicyView {
    /// The table of `policy` (every category at every stage, defaults filled in).
    pub fn new(policy: &Policy, source: Option<PathBuf>) -> Self {
        let rows = Category::ALL
            .iter()
            .map(|&c| PolicyRow {
                code: c.code(),
                name: c.name(),
                input: policy.action(Stage::Input, c),
                reasoning: policy.action(Stage::Reasoning, c),
                output: policy.action(Stage::Output, c),
            })
            .collect();
        Self {
            source,
            version: policy.version.clone(),
            block_message: policy.block_message.clone(),
            block_messages: policy
                .block_messages
                .iter()
                .map(|(c, m)| CategoryMessage {
                    code: c.code(),
                    message: m.clone(),
                })
                .collect(),
            fail_mode: policy.optional_scanners.fail_mode,
            rows,
        }
    }
}

/// What the Settings screen shows.
#[derive(Debug, Clone, Serialize)]
pub struct EffectiveSettings {
    /// The audit database.
    pub db_path: PathBuf,
    /// Where Warden keeps its data.
    pub data_dir: PathBuf,
    /// Where GGUF models are looked for.
    pub models_dir: PathBuf,
    /// The model a plain load picks.
    pub model_path: PathBuf,
    /// Configured context (0 = the model's, capped).
    pub context: u32,
    /// Configured threads (0 = all cores).
    pub threads: i32,
    /// Configured GPU layers (0 = CPU only).
    pub gpu_layers: u32,
    /// Audit retention in days (`None`: kept forever).
    pub retention_days: Option<u32>,
    /// Whether the ML classifier runs (on prompts and the model's words).
    pub classifier_enabled: bool,
    /// Where its weights are looked for.
    pub classifier_dir: PathBuf,
    /// The pinned output language, if any.
    pub language: Option<String>,
    /// The effective guard policy (`None` when it cannot be read).
    pub policy: Option<PolicyView>,
    /// Why the policy cannot be read.
    pub policy_error: Option<String>,
}

impl EffectiveSettings {
    /// The view of `settings`. A broken policy file is reported in `policy`, not as an error,
    /// so the rest still shows.
    pub fn of(settings: &Settings) -> Self {
        let (policy, policy_error) = match crate::guard::policy(settings) {
            Ok(p) => (
                Some(PolicyView::new(&p, settings.policy_path.clone())),
                None,
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        Self {
            db_path: settings.db_path(),
            data_dir: settings.data_dir.clone(),
            models_dir: settings.models_dir.clone(),
            model_path: settings.model_path(),
            context: settings.model.context,
            threads: settings.model.threads,
            gpu_layers: settings.model.gpu_layers,
            retention_days: settings.audit.retention_days,
            classifier_enabled: settings.classifier.enabled,
            classifier_dir: settings.classifier_dir(),
            language: settings.language.clone(),
            policy,
            policy_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_table_has_every_category_at_every_stage() {
        let view = EffectiveSettings::of(&Settings::default());
        let policy = view.policy.expect("the built-in policy");
        assert_eq!(policy.source, None);
        assert_eq!(policy.rows.len(), Category::ALL.len());
        let s9 = policy.rows.iter().find(|r| r.code == "S9").unwrap();
        assert_eq!(s9.input, Action::Block);
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(json["rows"][0]["code"], "S1");
        assert!(json["rows"][0]["input"].is_string());
    }

    #[test]
    fn a_missing_policy_file_is_reported_and_the_rest_still_shows() {
        let settings = Settings {
            policy_path: Some(PathBuf::from("/nonexistent/policy.toml")),
            ..Settings::default()
        };
        let view = EffectiveSettings::of(&settings);
        assert!(view.policy.is_none());
        assert!(view.policy_error.unwrap().contains("cannot read"));
        assert_eq!(view.db_path, settings.db_path());
    }
}
