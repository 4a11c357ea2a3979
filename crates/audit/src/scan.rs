//! Long read-only scans straight from SQLite, on the connection sqlx opened.
//!
//! sqlx runs each connection's statements on a worker thread and sends every row to the
//! caller through a channel: a thread hand-off per row. For `verify`, which reads every row
//! of the log, that hand-off (and the allocation of each value's copy) cost four times what
//! SQLite and the hashing did (3.3 s per 100,000 generations). Here the caller locks the
//! connection (sqlx's `lock_handle`: its worker waits) and steps the statement itself
//! through `rusqlite`, inside the transaction the connection is in, so the scan sees the
//! same snapshot as the queries around it.

use crate::error::Result;
use sqlx::SqliteConnection;

/// Runs `f` on a `rusqlite` view of `conn`'s SQLite handle (same connection, same open
/// transaction). `f` must finalize every statement it prepares before returning (statements
/// are dropped with it; the cached ones go with the view). `f` runs on the caller's thread
/// and blocks it: it must not wait for a lock (no `BEGIN IMMEDIATE`, no write outside a
/// write transaction the connection already holds), because the task holding that lock may
/// need this very thread to release it. Take the lock through sqlx first (its worker waits).
#[allow(unsafe_code)]
pub(crate) async fn with_raw<T>(
    conn: &mut SqliteConnection,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let mut locked = conn.lock_handle().await?;
    let handle = locked.as_raw_handle().as_ptr();
    // SAFETY: `handle` is the live `sqlite3*` of `conn`, which `locked` keeps locked for
    // this whole function, so sqlx's worker thread does not touch it meanwhile. Both crates
    // link the same libsqlite3-sys, so the pointer types are one type. `from_handle` does
    // not take ownership: dropping the view below neither closes the connection nor ends
    // its transaction, and it finalizes the view's cached statements while the lock is
    // still held.
    let view = unsafe { rusqlite::Connection::from_handle(handle) }?;
    let out = f(&view);
    drop(view);
    drop(locked);
    out
}
