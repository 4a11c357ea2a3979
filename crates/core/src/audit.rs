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

    /// [`open`](Self::open) for a handle several threads call at once (the desktop app's reader:
    /// the Review list while an export or a verify runs on another thread).
    ///
    /// A long call (export, verify) steps SQLite synchronously on its caller's thread. On the
    /// single-threaded runtime of [`open`](Self::open), the pool's housekeeping tasks (a
    /// connection going back to the pool is one) run only inside some caller's `block_on`, so
    /// while a long call holds that, every other caller soon waits for a connection that never
    /// comes back. Here one worker thread runs those tasks whatever the callers are doing.
    pub fn open_shared(path: &Path) -> Result<Self, CoreError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("warden-audit")
            .enable_all()
            .build()
            .map_err(|e| CoreError::Internal(format!("audit runtime: {e}")))?;
        let log = rt.block_on(AuditLog::open(path))?;
        Ok(Self { rt, log })
    }

    /// Opens the configured database, creating Warden's data folder when it is the default.
    pub fn open_configured(settings: &crate::Settings) -> Result<Self, CoreError> {
        Self::open(&Self::configured_path(settings)?)
    }

    /// [`open_shared`](Self::open_shared) on the configured database.
    pub fn open_configured_shared(settings: &crate::Settings) -> Result<Self, CoreError> {
        Self::open_shared(&Self::configured_path(settings)?)
    }

    /// Compacts the configured database (`VACUUM`, at the current page size for new logs):
    /// with no log open, since it needs the file to itself (see [`warden_audit::compact`]).
    pub fn compact_configured(
        settings: &crate::Settings,
    ) -> Result<warden_audit::CompactReport, CoreError> {
        let path = Self::configured_path(settings)?;
        Ok(warden_audit::compact(
            &path,
            warden_audit::AuditOptions::default().busy_timeout,
        )?)
    }

    fn configured_path(settings: &crate::Settings) -> Result<std::path::PathBuf, CoreError> {
        if settings.db_path.is_none() {
            std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
                CoreError::Internal(format!(
                    "cannot create the data folder {}: {e}",
                    settings.data_dir.display()
                ))
            })?;
        }
        Ok(settings.db_path())
    }

    /// A throw-away log in a temporary folder, removed when dropped (benchmarks, dry runs).
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc;
    use std::time::Duration;

    use warden_audit::{ExportFormat, Filter, Page};

    use super::Audit;

    /// The desktop app's reader serves the Review list while an export runs on another thread.
    /// The export steps SQLite on its caller's thread; here its progress callback parks that
    /// thread mid-export until the other thread has made many short calls (more than the
    /// pool has connections, so each must get its connection back).
    #[test]
    fn a_shared_handle_serves_short_calls_while_an_export_is_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.sqlite3");
        let audit = Audit::open_shared(&db).unwrap();
        audit
            .call(|a| warden_audit::bench::fill(a, 2_000, 500, 7))
            .unwrap();
        let (mid_export, wait_for_lists) = mpsc::channel::<()>();
        let (lists_done, resume_export) = mpsc::channel::<usize>();
        let all = Filter::default();
        std::thread::scope(|s| {
            let audit = &audit;
            let all = &all;
            let export = s.spawn(move || {
                let cancel = AtomicBool::new(false);
                let mut parked = false;
                let progress = |done: u64, total: u64| {
                    if !parked && done > 0 && done < total {
                        parked = true;
                        mid_export.send(()).unwrap();
                        let n = resume_export
                            .recv_timeout(Duration::from_secs(60))
                            .expect("the lists finish while the export waits");
                        assert_eq!(n, 20);
                    }
                };
                let out = dir.path().join("out.jsonl");
                audit
                    .call(|a| a.export_to_path(&out, ExportFormat::Jsonl, all, progress, &cancel))
                    .unwrap()
            });
            wait_for_lists
                .recv_timeout(Duration::from_secs(60))
                .expect("the export reaches its first chunk");
            let mut n = 0;
            for _ in 0..20 {
                let page = audit
                    .call(|a| {
                        a.list(
                            all,
                            Page {
                                limit: 5,
                                offset: 0,
                                before: None,
                            },
                        )
                    })
                    .unwrap();
                assert_eq!(page.len(), 5);
                n += 1;
            }
            lists_done.send(n).unwrap();
            let summary = export.join().unwrap();
            assert_eq!(summary.rows, 2_000);
        });
    }
}
