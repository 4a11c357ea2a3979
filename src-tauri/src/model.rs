//! App and model commands: what is loaded, and loading (progress as app-wide events).

use std::path::PathBuf;

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter};
use warden_core::{GuardModel, LoadOptions};
use warden_engine::{ModelHandle, WorkerCommand};

use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

/// Event: load progress, `{ fraction }` in 0..=1.
pub const EVENT_LOAD_PROGRESS: &str = "model-load-progress";
/// Event: a model is loaded, with its [`ModelInfo`].
pub const EVENT_MODEL_LOADED: &str = "model-loaded";

/// A loaded model, as the UI shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    file_name: String,
    architecture: Option<String>,
    parameters: u64,
    quantization: Option<String>,
    context: u32,
    /// Threads it runs on.
    threads: i32,
    /// Layers offloaded to the GPU.
    gpu_layers: u32,
    template: String,
}

impl From<&ModelHandle> for ModelInfo {
    fn from(h: &ModelHandle) -> Self {
        Self {
            file_name: h.file_name(),
            architecture: h.gguf.architecture.clone(),
            parameters: h.loaded.n_params,
            quantization: h.gguf.file_type.clone(),
            context: h.loaded.n_ctx,
            threads: h.loaded.n_threads,
            gpu_layers: h.loaded.n_gpu_layers,
            template: h.template_source.to_string(),
        }
    }
}

/// What the app knows at start.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    version: &'static str,
    model: Option<ModelInfo>,
    /// The model a plain `load_model` loads.
    default_model: PathBuf,
    db_path: PathBuf,
    /// Set when the session could not start (bad settings, unusable database).
    startup_error: Option<ApiError>,
}

#[derive(Clone, Serialize)]
struct LoadProgress {
    fraction: f32,
}

#[tauri::command]
pub async fn app_info(app: AppHandle) -> ApiResult<AppInfo> {
    blocking(app, |st| {
        let model = match st.session() {
            Ok(s) => s.model().map(ModelInfo::from),
            Err(_) => None,
        };
        Ok(AppInfo {
            version: warden_core::APP_VERSION,
            model,
            default_model: st.settings.model_path(),
            db_path: st.settings.db_path(),
            startup_error: st.startup_error(),
        })
    })
    .await
}

/// Loads `path` (default: the configured model) with `options` (GPU layers, threads,
/// context; what is left out keeps the settings'), then the optional guard model.
#[tauri::command]
pub async fn load_model(
    app: AppHandle,
    path: Option<PathBuf>,
    options: Option<LoadOptions>,
) -> ApiResult<ModelInfo> {
    let events = app.clone();
    blocking(app, move |st| {
        let mut session = st.session()?;
        if let Some(o) = &options {
            session
                .settings_mut()
                .model
                .apply(o)
                .map_err(|e| ApiError::new("load_options_invalid", e.to_string()))?;
        }
        let path = path.unwrap_or_else(|| session.settings().model_path());
        if !path.is_file() {
            return Err(ApiError::new(
                "model_missing",
                format!(
                    "no model at {} (fetch the default one with `warden models fetch-default`)",
                    path.display()
                ),
            ));
        }
        let mut last = -1;
        let progress = |f: f32| {
            let pct = (f * 100.0) as i32;
            if pct != last {
                last = pct;
                let _ = events.emit(EVENT_LOAD_PROGRESS, LoadProgress { fraction: f });
            }
        };
        let info = ModelInfo::from(session.load_model(Some(&path), progress)?);
        st.set_canceller(session.canceller());
        let guard_path =
            session.settings().guard_model.clone().or_else(|| {
                warden_core::guard_model::find_guard_model(&session.settings().models_dir)
            });
        if let Some(gp) = guard_path {
            let worker = WorkerCommand::current_exe()
                .map_err(|e| ApiError::new("internal", e.to_string()))?;
            let gm = GuardModel::load(&gp, worker, session.settings())?;
            session.set_guard_model(Some(gm));
        }
        let _ = events.emit(EVENT_MODEL_LOADED, &info);
        Ok(info)
    })
    .await
}

/// The GGUF files in the models folder, with their header facts and a RAM estimate.
#[tauri::command]
pub async fn list_models(app: AppHandle) -> ApiResult<warden_core::models::ModelsView> {
    blocking(app, |st| {
        warden_core::models::models_view(&st.settings).map_err(|e| {
            ApiError::new(
                "models_unreadable",
                format!("cannot list {}: {e}", st.settings.models_dir.display()),
            )
        })
    })
    .await
}

/// Import progress: bytes copied of the total.
#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    done: u64,
    total: u64,
}

/// Copies a GGUF (checked first) into the models folder; progress over `on_progress`.
#[tauri::command]
pub async fn import_model(
    app: AppHandle,
    path: PathBuf,
    on_progress: Channel<ImportProgress>,
) -> ApiResult<PathBuf> {
    blocking(app, move |st| {
        let report = |done, total| {
            let _ = on_progress.send(ImportProgress { done, total });
        };
        warden_core::models::import_model(&path, &st.settings.models_dir, report)
            .map_err(|e| ApiError::new(e.code(), e.to_string()))
    })
    .await
}
