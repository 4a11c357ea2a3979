//! What the app holds between commands: the chat session, a reader on the audit log, and the
//! running generation's canceller.
//!
//! Two locks, each for a reason. `session` is held for a whole turn (`Session::send` blocks
//! until the answer is done). The canceller lives apart so Stop works while that lock is held.
//! The review screens read through a second `warden_core::Audit` handle on the same database
//! (SQLite in WAL mode serves both), so listing or exporting never waits for a generation.
//! That handle takes no lock: it is opened shared (`Audit::open_configured_shared`), so the
//! Review list and a thread's history load while an export or a verify runs.

use std::sync::{Mutex, MutexGuard};

use tauri::{AppHandle, Manager};
use warden_core::{Audit, Session, Settings};
use warden_engine::{Canceller, WorkerCommand};

use crate::error::{ApiError, ApiResult};

/// The app's managed state.
#[derive(Debug)]
pub struct AppState {
    /// The settings resolved at start-up (defaults when they could not be).
    pub settings: Settings,
    session: Result<Mutex<Session>, ApiError>,
    reader: Result<Audit, ApiError>,
    canceller: Mutex<Option<Canceller>>,
    /// Set by the Export screen's Cancel; the running export checks it per chunk of rows.
    pub export_cancel: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The guard (policy file or built-in, plus the classifier), built by the core.
fn guard(settings: &Settings) -> ApiResult<warden_guard::Guard> {
    warden_core::guard::build(settings).map_err(ApiError::from)
}

impl AppState {
    /// Resolves the settings and opens the audit log. Failures are kept and returned by every
    /// command that needs what failed, so the window still opens and can say what is wrong.
    pub fn init() -> Self {
        let (settings, settings_err) = match Settings::resolve() {
            Ok((s, _)) => (s, None),
            Err(e) => (
                Settings::default(),
                Some(ApiError::from(warden_core::CoreError::from(e))),
            ),
        };
        let session = match &settings_err {
            Some(e) => Err(e.clone()),
            None => Self::open_session(&settings),
        };
        let reader = match &session {
            Err(e) => Err(e.clone()),
            Ok(_) => Audit::open_configured_shared(&settings).map_err(ApiError::from),
        };
        Self {
            settings,
            session,
            reader,
            canceller: Mutex::new(None),
            export_cancel: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn open_session(settings: &Settings) -> ApiResult<Mutex<Session>> {
        let audit = Audit::open_configured(settings)?;
        let worker = WorkerCommand::current_exe()
            .map_err(|e| ApiError::new("internal", format!("cannot find this program: {e}")))?;
        let session = Session::new(settings.clone(), worker, guard(settings)?, audit);
        Ok(Mutex::new(session))
    }

    /// The chat session (waits while a turn runs).
    pub fn session(&self) -> ApiResult<MutexGuard<'_, Session>> {
        self.session.as_ref().map(lock).map_err(Clone::clone)
    }

    /// The audit log for reading, reviewing and exporting (any number of calls at once).
    pub fn reader(&self) -> ApiResult<&Audit> {
        self.reader.as_ref().map_err(Clone::clone)
    }

    /// Whether a turn or a model load holds the session (the app is not idle).
    pub fn busy(&self) -> bool {
        self.session
            .as_ref()
            .is_ok_and(|m| matches!(m.try_lock(), Err(std::sync::TryLockError::WouldBlock)))
    }

    /// Why the app could not start its session, if it could not.
    pub fn startup_error(&self) -> Option<ApiError> {
        self.session.as_ref().err().cloned()
    }

    /// Keeps the canceller of the loaded model's worker (taken after every load).
    pub fn set_canceller(&self, c: Option<Canceller>) {
        *lock(&self.canceller) = c;
    }

    /// Stops the running generation, if any. Never waits for the session lock.
    pub fn cancel(&self) -> bool {
        match lock(&self.canceller).as_ref() {
            Some(c) => {
                c.cancel();
                true
            }
            None => false,
        }
    }
}

/// Runs `f` on a blocking thread: the core blocks (the worker's stream, the audit log's own
/// runtime), which must not happen on Tauri's async runtime nor on the main thread.
pub async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&AppState) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|e| ApiError::new("internal", format!("task failed: {e}")))?
}
