//! The guard every shell uses: the policy (built-in or the user's file) plus the ML input
//! classifier, built in one place so the CLI, the desktop app and the tests agree.

use crate::{CoreError, Settings};
use warden_classifier::MiniLmClassifier;
use warden_guard::{Guard, GuardError, GuardErrorKind, Policy};

/// Builds the guard from the settings. A policy file that cannot be read or parsed is an
/// error; classifier weights that are missing are not: the classifier is registered as an
/// optional scanner that is not ready, and the policy's fail mode for optional scanners
/// decides (open: the rules alone judge, closed: every prompt is blocked and says why).
pub fn build(settings: &Settings) -> Result<Guard, CoreError> {
    build_reporting(settings).map(|(guard, _)| guard)
}

/// [`build`], also saying why the classifier is not running when it is enabled but its
/// weights could not be loaded (for a warning at start-up).
pub fn build_reporting(settings: &Settings) -> Result<(Guard, Option<String>), CoreError> {
    let mut guard = match &settings.policy_path {
        Some(_) => Guard::new(policy(settings)?)?,
        None => Guard::with_default_policy(),
    };
    let mut problem = None;
    if settings.classifier.enabled {
        // The weights are read when a chat model loads (`Guard::prepare`) or on first use.
        let classifier = MiniLmClassifier::lazy(settings.classifier_dir()).unwrap_or_else(|e| {
            problem = Some(e.to_string());
            MiniLmClassifier::unavailable(e)
        });
        // Every stage: the model's reasoning and answer are read beyond its refusals, warnings
        // and offers, once per few sentences while streaming (`OutputScanner`).
        guard.add_scanner(
            Box::new(classifier.with_stages(&warden_guard::Stage::ALL)),
            true,
        );
    }
    Ok((guard, problem))
}

/// The effective policy: the configured policy file, else the built-in one.
pub fn policy(settings: &Settings) -> Result<Policy, CoreError> {
    match &settings.policy_path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                GuardError::new(
                    GuardErrorKind::Policy,
                    format!("cannot read {}: {e}", p.display()),
                )
            })?;
            Ok(Policy::from_toml_str(&text)
                .map_err(|e| GuardError::new(e.kind(), format!("{}: {e}", p.display())))?)
        }
        None => Ok(Policy::default()),
    }
}
