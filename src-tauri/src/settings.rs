//! The Settings screen's commands: the settings and guard policy as the config file and the
//! environment say now, and saving what the screen changed to the config (and policy) file.
//! The policy, language pin and retention apply at once; folders and the database at the next
//! start.

use serde::Serialize;
use tauri::AppHandle;
use warden_core::effective::EffectiveSettings;
use warden_core::settings_edit::{self, SavedSettings, SettingsUpdate};
use warden_core::Settings;

use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

/// The settings as the config file and the environment say now (what was saved shows when
/// the screen is opened again), and the guard policy as a table. If the file cannot be read,
/// the settings the app started with.
#[tauri::command]
pub async fn effective_settings(app: AppHandle) -> ApiResult<EffectiveSettings> {
    blocking(app, |st| {
        Ok(match Settings::resolve() {
            Ok((now, _)) => EffectiveSettings::of(&now),
            Err(_) => EffectiveSettings::of(&st.settings),
        })
    })
    .await
}

/// What saving wrote, and the settings Warden will start with next time.
#[derive(Debug, Serialize)]
pub struct SaveResult {
    saved: SavedSettings,
    next_start: EffectiveSettings,
}

/// Writes `update` to the config file (and the policy file); nothing is written when a value
/// is invalid. The running session takes the policy, language pin and retention at once
/// (waiting for a running turn to finish).
#[tauri::command]
pub async fn save_settings(app: AppHandle, update: SettingsUpdate) -> ApiResult<SaveResult> {
    blocking(app, move |st| {
        let config = warden_core::settings::config_file().ok_or_else(|| {
            ApiError::new(
                "settings_invalid",
                "this system has no config folder: set WARDEN_CONFIG",
            )
        })?;
        let saved = settings_edit::save(&config, &update)?;
        let (next, _) = Settings::resolve().map_err(warden_core::CoreError::from)?;
        if let Ok(mut session) = st.session() {
            session.apply_saved(&next)?;
        }
        Ok(SaveResult {
            saved,
            next_start: EffectiveSettings::of(&next),
        })
    })
    .await
}
