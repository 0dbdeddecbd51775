//! Opening a connection: WAL, the page cache, and a busy handler suited to a writer that holds its
//! lock for microseconds.

use std::path::Path;
use std::thread;

use rusqlite::Connection;

use crate::store::StoreError;

pub(super) fn db_error(e: rusqlite::Error) -> StoreError {
    StoreError::Query(e.to_string())
}

pub(super) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn =
        Connection::open(path).map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
    // 64 MiB of page cache per connection: the hot part of the tables stays in memory.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -65536;",
    )
    .map_err(db_error)?;
    conn.busy_handler(Some(retry_soon)).map_err(db_error)?;
    Ok(conn)
}

/// SQLite's own busy timeout sleeps 1, 2, 5, 10… ms between tries, so a connection that finds the
/// writer mid-commit for a moment would then sleep for many commits. Locks here are held for
/// microseconds to a few milliseconds: try again every 50 µs, for up to 5 s.
fn retry_soon(attempt: i32) -> bool {
    if attempt >= 100_000 {
        return false;
    }
    thread::sleep(std::time::Duration::from_micros(50));
    true
}
