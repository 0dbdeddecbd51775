//! `admin backup`: a consistent copy of a live database through SQLite's online backup API.
//!
//! The whole file is copied in one step, inside one read transaction: the server's writer goes on
//! committing to the write-ahead log meanwhile, and the copy holds exactly what was committed when
//! the step began (a copy made in several steps would start over at every commit, and under load
//! never finish). It is written beside its destination and renamed into place, so a failed backup
//! never leaves a half-written file under the name an operator restores from.

use std::path::Path;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::connection::db_error;
use crate::store::StoreError;

/// What a backup copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub users: u64,
    pub sessions: u64,
}

/// Copies the database at `source` to `destination` (replacing it).
pub fn backup(source: &Path, destination: &Path) -> Result<BackupReport, StoreError> {
    if !source.exists() {
        return Err(StoreError::Open(format!(
            "{}: no such database",
            source.display()
        )));
    }
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Open(format!("{}: {e}", source.display())))?;
    from.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(db_error)?;
    let partial = destination.with_extension(format!("partial-{}", std::process::id()));
    let copied = copy(&from, &partial);
    match copied {
        Ok(report) => {
            std::fs::rename(&partial, destination).map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                StoreError::Open(format!("cannot write {}: {e}", destination.display()))
            })?;
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn copy(from: &Connection, to_path: &Path) -> Result<BackupReport, StoreError> {
    let _ = std::fs::remove_file(to_path);
    let mut to = Connection::open(to_path)
        .map_err(|e| StoreError::Open(format!("{}: {e}", to_path.display())))?;
    {
        let backup = Backup::new(from, &mut to).map_err(db_error)?;
        // -1: every page in one step, one snapshot (see the module's comment). Busy only while
        // another connection holds an exclusive lock, which the server's writer never does for long.
        let mut busy_since = None;
        loop {
            match backup.step(-1).map_err(db_error)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    let since = *busy_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() > std::time::Duration::from_secs(10) {
                        return Err(StoreError::Query(
                            "the database stayed locked for 10 s; try again".into(),
                        ));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                _ => {}
            }
        }
    }
    // One self-contained file: no write-ahead log beside the copy.
    to.execute_batch("PRAGMA journal_mode = DELETE;")
        .map_err(db_error)?;
    let check: String = to
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(db_error)?;
    if check != "ok" {
        return Err(StoreError::Query(format!(
            "the copy does not pass SQLite's quick_check: {check}"
        )));
    }
    let count = |table: &str| -> Result<u64, StoreError> {
        to.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as u64)
        .map_err(db_error)
    };
    let users = count("users")?;
    let sessions = count("sessions")?;
    drop(to);
    let bytes = std::fs::metadata(to_path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        bytes,
        users,
        sessions,
    })
}
