//! The Settings screen's command: the effective settings and guard policy, read-only.

use tauri::AppHandle;
use warden_core::effective::EffectiveSettings;

use crate::error::ApiResult;
use crate::state::blocking;

/// The settings the app runs with, and the guard policy as a table.
#[tauri::command]
pub async fn effective_settings(app: AppHandle) -> ApiResult<EffectiveSettings> {
    blocking(app, |st| Ok(EffectiveSettings::of(&st.settings))).await
}
