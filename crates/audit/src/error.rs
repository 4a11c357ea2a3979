//! Typed errors. Storage failures a person can act on (another writer holds the lock, the
//! disk is full, the file is read-only, the folder is gone) get their own variant so the
//! shells can say so plainly; everything else keeps its source.

use std::path::PathBuf;

/// Shorthand for this crate's results.
pub type Result<T, E = AuditError> = std::result::Result<T, E>;

/// What can go wrong in the audit log.
///
/// `code()` gives a stable snake_case identifier for the UI's `{ code, message }`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// Another connection or process holds the write lock past the busy timeout
    /// (`SQLITE_BUSY` 5 or `SQLITE_LOCKED` 6).
    #[error("the audit database is locked by another writer (busy timeout elapsed): {message}")]
    Locked {
        /// SQLite's message.
        message: String,
    },
    /// The database file (or its folder) cannot be written (`SQLITE_READONLY` 8), or the log
    /// was opened read-only.
    #[error("the audit database is read-only: {message}")]
    ReadOnly {
        /// SQLite's message.
        message: String,
    },
    /// The disk or the database's size limit is full (`SQLITE_FULL` 13).
    #[error("the disk holding the audit database is full: {message}")]
    DiskFull {
        /// SQLite's message.
        message: String,
    },
    /// The folder that should hold the database does not exist. The log never creates it:
    /// a missing folder usually means a wrong path, not a first run.
    #[error("the folder for the audit database does not exist: {}", dir.display())]
    MissingDirectory {
        /// The folder that is missing.
        dir: PathBuf,
    },
    /// SQLite could not open the file (`SQLITE_CANTOPEN` 14) for another reason.
    #[error("cannot open the audit database {}: {message}", path.display())]
    CannotOpen {
        /// The database path.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// The file is not a database or is damaged (`SQLITE_CORRUPT` 11, `SQLITE_NOTADB` 26).
    #[error("the audit database is damaged or not a database: {message}")]
    Corrupt {
        /// SQLite's message.
        message: String,
    },
    /// A row that the call names does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for (`generation`, `conversation`).
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// The call does not fit the row's state, e.g. finishing a generation twice or recording
    /// a guard event on a finalized one. Finalized rows are immutable: changing them would
    /// break the hash chain.
    #[error("{0}")]
    InvalidState(String),
    /// The hash chain does not verify; the message names the first broken link.
    #[error("the audit chain is broken: {0}")]
    ChainBroken(String),
    /// An export was cancelled through its cancel flag; nothing was left at the target path.
    #[error("cancelled")]
    Cancelled,
    /// File I/O outside SQLite (exports).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// JSON encoding or decoding.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Applying the schema migrations failed.
    #[error("migrating the audit database failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error(transparent)]
    Sqlx(sqlx::Error),
    /// Any other database error in a scan read directly from SQLite (`verify`, export).
    #[error("reading the audit database failed: {message}")]
    Scan {
        /// SQLite's message.
        message: String,
    },
}

impl AuditError {
    /// A stable identifier for the UI and for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            AuditError::Locked { .. } => "locked",
            AuditError::ReadOnly { .. } => "read_only",
            AuditError::DiskFull { .. } => "disk_full",
            AuditError::MissingDirectory { .. } => "missing_directory",
            AuditError::CannotOpen { .. } => "cannot_open",
            AuditError::Corrupt { .. } => "corrupt",
            AuditError::NotFound { .. } => "not_found",
            AuditError::InvalidState(_) => "invalid_state",
            AuditError::ChainBroken(_) => "chain_broken",
            AuditError::Cancelled => "cancelled",
            AuditError::Io(_) => "io",
            AuditError::Json(_) => "json",
            AuditError::Migrate(_) => "migrate",
            AuditError::Sqlx(_) | AuditError::Scan { .. } => "database",
        }
    }

    /// True for errors that may go away on retry (another writer held the lock).
    pub fn is_transient(&self) -> bool {
        matches!(self, AuditError::Locked { .. })
    }

    /// Maps an error from opening a connection, with the path for context.
    pub(crate) fn from_open(err: sqlx::Error, path: &std::path::Path) -> Self {
        match classify(&err) {
            Some((14, message)) => AuditError::CannotOpen {
                path: path.to_path_buf(),
                message,
            },
            _ => AuditError::from(err),
        }
    }
}

/// The primary SQLite result code and message of a database error, if it is one.
fn classify(err: &sqlx::Error) -> Option<(i32, String)> {
    match err {
        sqlx::Error::Database(db) => {
            let code: i32 = db.code()?.parse().ok()?;
            // Extended codes carry the primary code in their low byte.
            Some((code & 0xff, db.message().to_owned()))
        }
        _ => None,
    }
}

/// The variant for a SQLite primary result code a person can act on, if it is one.
fn actionable(code: i32, message: String) -> Result<AuditError, String> {
    match code {
        5 | 6 => Ok(AuditError::Locked { message }),
        8 => Ok(AuditError::ReadOnly { message }),
        13 => Ok(AuditError::DiskFull { message }),
        11 | 26 => Ok(AuditError::Corrupt { message }),
        _ => Err(message),
    }
}

impl From<sqlx::Error> for AuditError {
    fn from(err: sqlx::Error) -> Self {
        if let Some(Ok(mapped)) = classify(&err).map(|(code, message)| actionable(code, message)) {
            return mapped;
        }
        match err {
            sqlx::Error::Io(io) => AuditError::Io(io),
            other => AuditError::Sqlx(other),
        }
    }
}

impl From<rusqlite::Error> for AuditError {
    fn from(err: rusqlite::Error) -> Self {
        let message = err.to_string();
        match err.sqlite_error() {
            // Extended codes carry the primary code in their low byte.
            Some(e) => actionable(e.extended_code & 0xff, message)
                .unwrap_or_else(|message| AuditError::Scan { message }),
            None => AuditError::Scan { message },
        }
    }
}

impl From<rusqlite::types::FromSqlError> for AuditError {
    fn from(err: rusqlite::types::FromSqlError) -> Self {
        AuditError::InvalidState(format!("unexpected column value: {err}"))
    }
}

impl From<sqlx::migrate::MigrateError> for AuditError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::Execute(inner) => match AuditError::from(inner) {
                AuditError::Sqlx(inner) => {
                    AuditError::Migrate(sqlx::migrate::MigrateError::Execute(inner))
                }
                mapped => mapped,
            },
            other => AuditError::Migrate(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_stable_code() {
        let err = AuditError::NotFound {
            what: "generation",
            id: 3,
        };
        assert_eq!(err.code(), "not_found");
        assert_eq!(err.to_string(), "generation 3 not found");
    }
}
