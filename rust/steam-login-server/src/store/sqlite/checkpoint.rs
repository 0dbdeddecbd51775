//! Keeping the write-ahead log short under steady load, without making the writer wait.

use std::sync::atomic::{AtomicU8, Ordering};
use std::thread;

use rusqlite::Connection;

/// WAL frames (4 KiB pages) beyond which the log is started over instead of growing.
const WAL_RESTART_FRAMES: i64 = 16_384;
/// WAL frames (1 GiB) beyond which the writer starts the log over even while logins wait.
const WAL_FORCED_RESTART_FRAMES: i64 = 262_144;
/// What the checkpointer asks of the writer.
pub(super) const RESTART_NO: u8 = 0;
pub(super) const RESTART_WHEN_IDLE: u8 = 1;
pub(super) const RESTART_FORCED: u8 = 2;
/// Frames the writer may have to copy itself to let the log start over.
const WAL_RESTART_BACKLOG: i64 = 256;

/// `(frames in the log, frames copied into the database)` after a PASSIVE checkpoint, which never
/// waits for the writer or readers.
pub(super) fn passive_checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

/// Copies the WAL into the database every second on its own thread (PASSIVE: the writer never
/// waits for it). Under steady load the copy never catches up with the writer, and SQLite only starts
/// the log over once every frame is copied, so the log would grow without bound. Once it passes
/// `WAL_RESTART_FRAMES`, passive rounds run back to back until few frames are left, and then the
/// writer is asked to copy the rest when it is idle (see `write_loop`). A RESTART checkpoint from
/// this thread would do the same but fights the writer for its lock: that cost p99 20 ms under load.
pub(super) fn checkpoint_loop(conn: Connection, restart: &AtomicU8) {
    let round = || -> rusqlite::Result<()> {
        let (mut log, mut copied) = passive_checkpoint(&conn)?;
        if log <= WAL_RESTART_FRAMES {
            return Ok(());
        }
        for _ in 0..16 {
            if log - copied <= WAL_RESTART_BACKLOG {
                let level = if log > WAL_FORCED_RESTART_FRAMES {
                    RESTART_FORCED
                } else {
                    RESTART_WHEN_IDLE
                };
                restart.store(level, Ordering::Relaxed);
                break;
            }
            (log, copied) = passive_checkpoint(&conn)?;
        }
        Ok(())
    };
    loop {
        thread::sleep(std::time::Duration::from_secs(1));
        if let Err(e) = round() {
            tracing::warn!("SQLite checkpoint failed: {e}");
        }
    }
}
