//! Export: atomic (the audit log writes a temp file and renames it), progress over a channel,
//! and a cancel that leaves nothing behind.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::AppHandle;
use warden_audit::{ExportFormat, ExportSummary, Filter};

use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

/// Progress, at most every 50 ms (plus the last one): a large export does not flood the IPC.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// `{ done, total }`: records exported, or chain entries verified.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ExportProgress {
    done: u64,
    total: u64,
}

/// A progress callback that sends `{ done, total }` on `channel` at most every
/// [`PROGRESS_EVERY`], and always the last one (`done == total`).
pub(crate) fn throttled(channel: &Channel<ExportProgress>) -> impl FnMut(u64, u64) + Send + '_ {
    let mut last: Option<Instant> = None;
    move |done: u64, total: u64| {
        if done == total || last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
            last = Some(Instant::now());
            let _ = channel.send(ExportProgress { done, total });
        }
    }
}

/// Writes the generations matching `filter` to `path` as `format`.
#[tauri::command]
pub async fn export(
    app: AppHandle,
    format: String,
    path: PathBuf,
    filter: Filter,
    on_progress: Channel<ExportProgress>,
) -> ApiResult<ExportSummary> {
    let format = ExportFormat::from_str(&format)?;
    if !path.is_absolute() {
        return Err(ApiError::new(
            "export_path",
            format!(
                "give a full path to export to, not {:?}",
                path.display().to_string()
            ),
        ));
    }
    blocking(app, move |st| {
        let cancel = &st.export_cancel;
        cancel.store(false, Ordering::Relaxed);
        let progress = throttled(&on_progress);
        let reader = st.reader()?;
        Ok(reader.call(|a| a.export_to_path(&path, format, &filter, progress, cancel))?)
    })
    .await
}

/// Stops the running export: it fails with code `cancelled` and leaves no file behind.
/// Never waits for the export (it only sets a flag the export checks).
#[tauri::command]
pub async fn cancel_export(state: tauri::State<'_, crate::AppState>) -> ApiResult<()> {
    state.export_cancel.store(true, Ordering::Relaxed);
    Ok(())
}
