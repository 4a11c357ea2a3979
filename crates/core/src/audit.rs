//! The audit log as the pipeline uses it: synchronous calls over the async `warden-audit`.
//!
//! The pipeline is blocking (it reads the worker's stream on the caller's thread), so the
//! audit log gets a private single-threaded tokio runtime and each call blocks on it. Shells
//! that live inside an async runtime (the desktop app) call the pipeline from a blocking task.

use std::path::Path;

use warden_audit::AuditLog;

use crate::CoreError;

/// An open audit log plus the runtime that drives it.
#[derive(Debug)]
pub struct Audit {
    rt: tokio::runtime::Runtime,
    log: AuditLog,
}

impl Audit {
    fn runtime() -> Result<tokio::runtime::Runtime, CoreError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CoreError::Internal(format!("audit runtime: {e}")))
    }

    /// Opens (creating if missing) the database at `path`. The folder must exist.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        let rt = Self::runtime()?;
        let log = rt.block_on(AuditLog::open(path))?;
        Ok(Self { rt, log })
    }

    /// Opens the configured database, creating Warden's data folder when it is the default.
    pub fn open_configured(settings: &crate::Settings) -> Result<Self, CoreError> {
        if settings.db_path.is_none() {
            std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
                CoreError::Internal(format!(
                    "cannot create the data folder {}: {e}",
                    settings.data_dir.display()
                ))
            })?;
        }
        Self::open(&settings.db_path())
    }

    /// A throw-away database in memory (benchmarks, dry runs).
    pub fn open_in_memory() -> Result<Self, CoreError> {
        let rt = Self::runtime()?;
        let log = rt.block_on(AuditLog::open_in_memory())?;
        Ok(Self { rt, log })
    }

    /// Runs one audit call to completion.
    pub fn call<'a, T, F>(&'a self, f: impl FnOnce(&'a AuditLog) -> F) -> Result<T, CoreError>
    where
        F: std::future::Future<Output = Result<T, warden_audit::AuditError>> + 'a,
    {
        Ok(self.rt.block_on(f(&self.log))?)
    }

    /// Runs any future on the audit runtime (for calls that need more than one step).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The log itself.
    pub fn log(&self) -> &AuditLog {
        &self.log
    }
}
