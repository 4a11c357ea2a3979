//! Compacting a log: `VACUUM`, so the pages a prune freed go back to the disk, and a log made
//! before [`NEW_PAGE_SIZE`] moves to it.
//!
//! A prune deletes rows but the file keeps its size (SQLite reuses the freed pages for later
//! writes). Rewriting the file needs the log to itself: leaving WAL mode, which a page-size
//! change needs, succeeds only when no other connection has the database open, so that is
//! also the check that no other process (the desktop app, a `warden chat`) is using it.
//! Compacting never changes a row: every table keys its rows by an `INTEGER PRIMARY KEY`,
//! which `VACUUM` keeps, and the full-text index reads `generations` by that key.

use crate::error::{AuditError, Result};
use crate::log::NEW_PAGE_SIZE;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// What [`compact`] did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompactReport {
    /// File size before and after, in bytes (the database file; its WAL is folded in first).
    pub bytes_before: u64,
    /// File size after.
    pub bytes_after: u64,
    /// Page size before and after.
    pub page_size_before: u32,
    /// Page size after: [`NEW_PAGE_SIZE`].
    pub page_size_after: u32,
}

/// Rewrites the log at `path` in place (see the module doc). Fails with
/// [`AuditError::Locked`] while another connection has it open, and with
/// [`AuditError::DiskFull`] when the disk cannot hold a second copy for the rewrite; the log
/// is unchanged then.
pub fn compact(path: &Path, busy_timeout: Duration) -> Result<CompactReport> {
    if !path.is_file() {
        return Err(AuditError::CannotOpen {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    let db = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.busy_timeout(busy_timeout)?;
    let page_size_before: u32 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    // Folds the WAL into the file and leaves WAL mode. While another connection has the
    // database open SQLite refuses ("database is locked") or keeps WAL mode.
    let in_use = || AuditError::Locked {
        message: "another process has the audit log open (the desktop app, or a \
                  `warden chat`?); close it and compact again"
            .into(),
    };
    // A connection that was just closed can take a moment to let go of the file (sqlx
    // closes its connections on their own threads): try again until the busy timeout.
    let deadline = std::time::Instant::now() + busy_timeout;
    loop {
        match db.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        }) {
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => break,
            Ok(_) => {}
            Err(e) => match AuditError::from(e) {
                AuditError::Locked { .. } => {}
                other => return Err(other),
            },
        }
        if std::time::Instant::now() >= deadline {
            return Err(in_use());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let bytes_before = std::fs::metadata(path)?.len();
    let vacuumed = db
        .execute_batch(&format!("PRAGMA page_size = {NEW_PAGE_SIZE}; VACUUM;"))
        .map_err(AuditError::from);
    // Back to WAL whatever the VACUUM did (a failed VACUUM leaves the file as it was).
    let restored: rusqlite::Result<String> =
        db.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
    vacuumed?;
    restored?;
    let page_size_after: u32 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    drop(db);
    Ok(CompactReport {
        bytes_before,
        bytes_after: std::fs::metadata(path)?.len(),
        page_size_before,
        page_size_after,
    })
}
