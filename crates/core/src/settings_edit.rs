//! Saving what a person changes on the Settings screen: the config file (paths, retention,
//! language pin) and the guard policy's action table.
//!
//! The config file is edited in place with `toml_edit`, so its comments and the keys the
//! screen does not show stay as they were. Policy changes go to the policy file the settings
//! name; without one, the effective policy (with the changes) is written next to the config
//! file and the config is pointed at it. Both files are checked (parsed as Warden would read
//! them) before anything is written, and written atomically. Changes apply when Warden next
//! starts; environment variables (`WARDEN_*`) still override the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use warden_guard::{Action, Category, Policy, Stage};

use crate::{CoreError, Settings};

/// One cell of the policy table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PolicyChange {
    /// `input`, `reasoning` or `output`.
    pub stage: Stage,
    /// A category code (`S1`…`S14`, `injection`, `pii`, `language`, `r1`).
    pub category: String,
    /// The new action.
    pub action: Action,
}

/// What the Settings screen changed; `None` leaves a value as the file has it. An empty string
/// removes the key (back to the default); `retention_days: Some(0)` keeps records forever.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsUpdate {
    /// Where Warden keeps its data.
    pub data_dir: Option<String>,
    /// The audit database file.
    pub db_path: Option<String>,
    /// Days to keep finalized generations (0: forever).
    pub retention_days: Option<u32>,
    /// The answer-language pin (`""`: none).
    pub language: Option<String>,
    /// Policy table cells to change.
    pub policy: Vec<PolicyChange>,
}

/// Where the changes went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SavedSettings {
    /// The config file written.
    pub config_file: PathBuf,
    /// The policy file written, when the policy changed.
    pub policy_file: Option<PathBuf>,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Settings(crate::SettingsError::Invalid {
        message: message.into(),
    })
}

fn set_or_remove(table: &mut toml_edit::Table, key: &str, value: &str) {
    if value.trim().is_empty() {
        table.remove(key);
    } else {
        table[key] = toml_edit::value(value.trim());
    }
}

/// Applies `update` to the config file at `config` (created if missing) and, for policy
/// changes, to the policy file. Nothing is written unless both results read back as valid.
pub fn save(config: &Path, update: &SettingsUpdate) -> Result<SavedSettings, CoreError> {
    let text = match std::fs::read_to_string(config) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(invalid(format!("cannot read {}: {e}", config.display()))),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| invalid(format!("{} is malformed: {e}", config.display())))?;
    // What the file says now (for the policy path and a base policy).
    let before = Settings::from_toml(&text)
        .map_err(|m| invalid(format!("{} is malformed: {m}", config.display())))?;

    if let Some(v) = &update.data_dir {
        set_or_remove(doc.as_table_mut(), "data_dir", v);
    }
    if let Some(v) = &update.db_path {
        set_or_remove(doc.as_table_mut(), "db_path", v);
    }
    if let Some(lang) = &update.language {
        let lang = lang.trim();
        if !crate::settings::is_language_code(lang) {
            return Err(invalid(format!(
                "{lang:?} is not a language code (two or three letters, such as fr)"
            )));
        }
        set_or_remove(doc.as_table_mut(), "language", lang);
    }
    if let Some(days) = update.retention_days {
        let audit = doc
            .entry("audit")
            .or_insert(toml_edit::table())
            .as_table_mut()
            .ok_or_else(|| invalid("[audit] in the config file is not a table"))?;
        if days == 0 {
            audit.remove("retention_days");
        } else {
            audit["retention_days"] = toml_edit::value(i64::from(days));
        }
    }

    let mut policy_out = None;
    if !update.policy.is_empty() {
        let mut policy = crate::guard::policy(&before)?;
        for c in &update.policy {
            let category = Category::from_code(&c.category)
                .ok_or_else(|| invalid(format!("no guard category {:?}", c.category)))?;
            policy.set_action(c.stage, category, c.action);
        }
        let path = match &before.policy_path {
            Some(p) => p.clone(),
            None => {
                let p = config.with_file_name("policy.toml");
                doc["policy_path"] = toml_edit::value(p.to_string_lossy().as_ref());
                p
            }
        };
        let body = format!(
            "# Warden's guard policy, saved from the Settings screen (the built-in policy with\n\
             # your changes). `warden guard policy` prints the policy in force.\n\n{}",
            policy.to_toml_string()
        );
        Policy::from_toml_str(&body).map_err(|e| invalid(format!("the policy: {e}")))?;
        policy_out = Some((path, body));
    }

    let new_text = doc.to_string();
    Settings::from_toml(&new_text)
        .map_err(|m| invalid(format!("the settings would not read back: {m}")))?;
    if let Some((path, body)) = &policy_out {
        write_atomic(path, body)?;
    }
    write_atomic(config, &new_text)?;
    Ok(SavedSettings {
        config_file: config.to_owned(),
        policy_file: policy_out.map(|(p, _)| p),
    })
}

fn write_atomic(path: &Path, text: &str) -> Result<(), CoreError> {
    let fail = |e: std::io::Error| invalid(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(stage: Stage, category: &str, action: Action) -> PolicyChange {
        PolicyChange {
            stage,
            category: category.into(),
            action,
        }
    }

    #[test]
    fn paths_retention_and_language_go_to_the_file_keeping_its_comments_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            "# my settings\n[sampling]\nmax_tokens = 48 # short answers\n\n[audit]\nstore_redacted = true\n",
        )
        .unwrap();
        let saved = save(
            &config,
            &SettingsUpdate {
                data_dir: Some("/srv/warden".into()),
                db_path: Some("/srv/warden/log.sqlite3".into()),
                retention_days: Some(30),
                language: Some("fr".into()),
                policy: Vec::new(),
            },
        )
        .unwrap();
        assert_eq!(saved.policy_file, None);
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(
            text.contains("# my settings") && text.contains("# short answers"),
            "{text}"
        );
        let s = Settings::from_file(&config).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/srv/warden"));
        assert_eq!(
            s.db_path.as_deref(),
            Some(Path::new("/srv/warden/log.sqlite3"))
        );
        assert_eq!(s.audit.retention_days, Some(30));
        assert!(s.audit.store_redacted);
        assert_eq!(s.language.as_deref(), Some("fr"));
        assert_eq!(s.sampling.max_tokens, Some(48));

        // Empty values and 0 days go back to the defaults.
        save(
            &config,
            &SettingsUpdate {
                db_path: Some(String::new()),
                retention_days: Some(0),
                language: Some(String::new()),
                ..SettingsUpdate::default()
            },
        )
        .unwrap();
        let s = Settings::from_file(&config).unwrap();
        assert_eq!(s.db_path, None);
        assert_eq!(s.audit.retention_days, None);
        assert_eq!(s.language, None);
        assert_eq!(s.data_dir, PathBuf::from("/srv/warden"));
    }

    #[test]
    fn policy_changes_write_a_policy_file_the_config_points_at() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("warden").join("config.toml");
        let saved = save(
            &config,
            &SettingsUpdate {
                policy: vec![
                    change(Stage::Input, "S6", Action::Block),
                    change(Stage::Output, "language", Action::Allow),
                ],
                ..SettingsUpdate::default()
            },
        )
        .unwrap();
        let policy_file = saved.policy_file.unwrap();
        assert_eq!(policy_file, dir.path().join("warden").join("policy.toml"));
        let s = Settings::from_file(&config).unwrap();
        assert_eq!(s.policy_path.as_deref(), Some(policy_file.as_path()));
        let p = crate::guard::policy(&s).unwrap();
        assert_eq!(
            p.action(Stage::Input, Category::from_code("S6").unwrap()),
            Action::Block
        );
        assert_eq!(
            p.action(Stage::Output, Category::from_code("language").unwrap()),
            Action::Allow
        );
        // Everything else is the built-in policy's.
        let d = Policy::default();
        assert_eq!(
            p.action(Stage::Input, Category::from_code("S9").unwrap()),
            d.action(Stage::Input, Category::from_code("S9").unwrap())
        );
        // A second change edits that same file.
        save(
            &config,
            &SettingsUpdate {
                policy: vec![change(Stage::Reasoning, "S1", Action::Flag)],
                ..SettingsUpdate::default()
            },
        )
        .unwrap();
        let p = crate::guard::policy(&Settings::from_file(&config).unwrap()).unwrap();
        assert_eq!(
            p.action(Stage::Input, Category::from_code("S6").unwrap()),
            Action::Block
        );
        assert_eq!(
            p.action(Stage::Reasoning, Category::from_code("S1").unwrap()),
            Action::Flag
        );
    }

    #[test]
    fn bad_values_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "language = \"de\"\n").unwrap();
        for bad in [
            SettingsUpdate {
                language: Some("German".into()),
                ..SettingsUpdate::default()
            },
            SettingsUpdate {
                data_dir: Some("/x".into()),
                policy: vec![change(Stage::Input, "S99", Action::Block)],
                ..SettingsUpdate::default()
            },
        ] {
            let e = save(&config, &bad).unwrap_err();
            assert_eq!(e.code(), "settings_invalid", "{e}");
            assert_eq!(
                std::fs::read_to_string(&config).unwrap(),
                "language = \"de\"\n"
            );
            assert!(!dir.path().join("policy.toml").exists());
        }
        // A file that is not valid settings is reported, not overwritten.
        std::fs::write(&config, "colour = \"blue\"\n").unwrap();
        assert!(save(&config, &SettingsUpdate::default()).is_err());
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            "colour = \"blue\"\n"
        );
    }
}
