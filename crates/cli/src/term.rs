//! Terminal helpers: progress bars and colours, only when stderr/stdout are terminals.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use warden_core::models::{self, FetchProgress};
use warden_core::Settings;

pub const DIM: &str = "\x1b[2m";
pub const RESET: &str = "\x1b[0m";

pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// A bar on stderr (hidden when stderr is not a terminal) drawn with `template`.
fn styled_bar(msg: &'static str, template: &str) -> ProgressBar {
    let pb = if std::io::stderr().is_terminal() {
        ProgressBar::new(100)
    } else {
        ProgressBar::hidden()
    };
    pb.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg);
    pb
}

/// A spinner with the elapsed time, for work with no measure of progress (a `VACUUM`).
pub fn spinner(msg: &'static str) -> ProgressBar {
    let pb = styled_bar(msg, "{msg:>12} {spinner} {elapsed}");
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// A percentage bar (positions 0..=100, or any length set later).
pub fn bar(msg: &'static str) -> ProgressBar {
    styled_bar(msg, "{msg:>12} [{bar:30}] {percent:>3}%")
}

/// A bar over bytes, with the transfer rate.
pub fn bytes_bar(msg: &'static str) -> ProgressBar {
    styled_bar(
        msg,
        "{msg:>12} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}",
    )
}

/// A bar over rows (generations, chain entries), with counts and the time left.
pub fn rows_bar(msg: &'static str) -> ProgressBar {
    styled_bar(
        msg,
        "{msg:>12} [{bar:30}] {percent:>3}% {human_pos}/{human_len}, {eta} left",
    )
}

/// A `progress(done, total)` callback that moves `pb` (for the audit log's long calls).
pub fn track(pb: &ProgressBar) -> impl FnMut(u64, u64) + Send + '_ {
    move |done, total| {
        pb.set_length(total.max(1));
        pb.set_position(done);
    }
}

/// Fetches the default model into `dir` with a progress bar.
pub fn fetch_default(dir: &Path) -> Result<PathBuf> {
    let pb = bytes_bar("model");
    let path = models::fetch_default(dir, |p| match p {
        FetchProgress::Verifying => pb.set_message("verifying"),
        FetchProgress::Downloading => pb.set_message("downloading"),
        FetchProgress::Assembling { done, total } => {
            pb.set_message("assembling");
            pb.set_length(total);
            pb.set_position(done);
        }
        FetchProgress::Ready => pb.finish_and_clear(),
    })
    .with_context(|| format!("fetching the default model into {}", dir.display()))?;
    Ok(path)
}

/// The model to use: `--model`, else the configured one, else the default (fetched if missing).
pub fn resolve_model(settings: &Settings, explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    if let Some(p) = &settings.model.path {
        return Ok(p.clone());
    }
    let path = settings.model_path();
    if !path.exists() {
        eprintln!(
            "The default model is not in {} yet: fetching it (253 MB, once).",
            settings.models_dir.display()
        );
        return fetch_default(&settings.models_dir);
    }
    Ok(path)
}

/// The guard: the default policy or the user's policy file, plus the ML classifier (a warning
/// on stderr when its weights are missing and it is skipped or blocks per the policy).
pub fn guard(settings: &Settings) -> Result<warden_guard::Guard> {
    let (guard, problem) = warden_core::guard::build_reporting(settings)?;
    if let Some(p) = problem {
        let mode = match guard.policy().optional_scanners.fail_mode {
            warden_guard::FailMode::Open => "skipped",
            warden_guard::FailMode::Closed => "blocking every prompt (policy: fail closed)",
        };
        eprintln!("warning: the guard's classifier is {mode}: {p}");
    }
    Ok(guard)
}
