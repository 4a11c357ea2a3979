//! The Settings screen's commands: the effective settings and guard policy, and saving what
//! the screen changed to the config (and policy) file, which applies when Warden next starts.

use serde::Serialize;
use tauri::AppHandle;
use warden_core::effective::EffectiveSettings;
use warden_core::settings_edit::{self, SavedSettings, SettingsUpdate};
use warden_core::Settings;

use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

/// The settings the app runs with, and the guard policy as a table.
#[tauri::command]
pub async fn effective_settings(app: AppHandle) -> ApiResult<EffectiveSettings> {
    blocking(app, |st| Ok(EffectiveSettings::of(&st.settings))).await
}

/// What saving wrote, and the settings Warden will start with next time.
#[derive(Debug, Serialize)]
pub struct SaveResult {
    saved: SavedSettings,
    next_start: EffectiveSettings,
}

/// Writes `update` to the config file (and the policy file); nothing is written when a value
/// is invalid.
#[tauri::command]
pub async fn save_settings(app: AppHandle, update: SettingsUpdate) -> ApiResult<SaveResult> {
    blocking(app, move |_| {
        let config = settings_edit::config_file().ok_or_else(|| {
            ApiError::new(
                "settings_invalid",
                "this system has no config folder: set WARDEN_CONFIG",
            )
        })?;
        let saved = settings_edit::save(&config, &update)?;
        let (next, _) = Settings::resolve().map_err(warden_core::CoreError::from)?;
        Ok(SaveResult {
            saved,
            next_start: EffectiveSettings::of(&next),
        })
    })
    .await
}
