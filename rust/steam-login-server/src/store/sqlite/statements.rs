//! The SQL the SQLite store runs (the statements shared with PostgreSQL, respelt for SQLite, and
//! its own) and how their rows read.

use crate::store::{sql, Ban, SessionRecord};

/// `$N` in SQLite names a parameter, numbered by first appearance (`$2 … $1` binds `$2` first);
/// `?N` is the exact index PostgreSQL's `$N` means. The shared statements are rewritten at compile
/// time.
macro_rules! sqlite_placeholders {
    ($sql:expr) => {{
        const SQL: &str = $sql;
        const BYTES: [u8; SQL.len()] =
            $crate::store::sqlite::statements::dollars_to_question_marks(SQL);
        match std::str::from_utf8(&BYTES) {
            Ok(sql) => sql,
            Err(_) => panic!("a one-byte swap keeps UTF-8 valid"),
        }
    }};
}

pub(super) const fn dollars_to_question_marks<const N: usize>(sql: &str) -> [u8; N] {
    let bytes = sql.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = if bytes[i] == b'$' { b'?' } else { bytes[i] };
        i += 1;
    }
    out
}

/// A login's user: looked up, then touched or inserted. One `INSERT … ON CONFLICT … RETURNING`
/// would do, but SQLite answers `RETURNING` through a temporary table it builds and drops per
/// statement, which costs more than the extra lookup on the writer's own connection.
pub(super) const SELECT_USER_ID: &str = "SELECT id FROM users WHERE steam_id = ?1";
pub(super) const TOUCH_USER: &str =
    "UPDATE users SET owner_steam_id = ?2, last_login_at = ?3 WHERE steam_id = ?1";
pub(super) const INSERT_USER: &str =
    "INSERT INTO users (id, steam_id, owner_steam_id, created_at, last_login_at) \
     VALUES (?1, ?2, ?3, ?4, ?4)";
pub(super) const INSERT_SESSION: &str = sqlite_placeholders!(sql::INSERT_SESSION);
pub(super) const SELECT_USER: &str = sqlite_placeholders!(sql::SELECT_USER);
pub(super) const SELECT_SESSION: &str = sqlite_placeholders!(sql::SELECT_SESSION);
pub(super) const REVOKE_SESSION: &str = sqlite_placeholders!(sql::REVOKE_SESSION);
pub(super) const ADD_QUOTA: &str = sqlite_placeholders!(sql::ADD_QUOTA);
pub(super) const TAKE_QUOTA: &str = sqlite_placeholders!(sql::TAKE_QUOTA);
pub(super) const REVOKE_LIVE_SESSION: &str = sqlite_placeholders!(sql::REVOKE_LIVE_SESSION);
pub(super) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = ?1";
/// The claim itself is made in memory (`claimed_tickets`); the table is its durable copy.
pub(super) const APPEND_USED_TICKET: &str =
    "INSERT INTO used_tickets (ticket_key, expire) VALUES (?1, ?2)";
/// Names what it deleted, for the [`ClaimedTickets`](super::claimed_tickets::ClaimedTickets) to
/// forget. A scan, like the sessions sweep: an index on `expire` would cost every login.
pub(super) const DELETE_USED_TICKETS: &str = "DELETE FROM used_tickets WHERE rowid IN \
     (SELECT rowid FROM used_tickets WHERE expire < ?1 LIMIT ?2) RETURNING ticket_key";
/// No index on `expire`: one would cost every login another B-tree insert and another WAL page
/// written (seen as +1.1 `pwrite` per login under strace). The sweep scans instead, on a connection
/// of its own.
pub(super) const SELECT_EXPIRED: &str =
    sqlite_placeholders!("SELECT token_hash FROM sessions WHERE expire < $1 LIMIT $2");

/// Loads the [`ClaimedTickets`](super::claimed_tickets::ClaimedTickets).
pub(super) const SELECT_USED_TICKET_KEYS: &str = "SELECT ticket_key FROM used_tickets";

/// A `SELECT_SESSION` row.
pub(super) fn session_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        user_id: r.get(0)?,
        steam_id: r.get::<_, i64>(1)? as u64,
        generated: r.get(2)?,
        expire: r.get(3)?,
        revoked: r.get::<_, Option<i64>>(4)?.is_some(),
    })
}

/// A `SELECT_ACTIVE_BAN` / `SELECT_BANS` row.
pub(super) fn ban_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ban> {
    Ok(Ban {
        steam_id: r.get::<_, i64>(0)? as u64,
        reason: r.get(1)?,
        banned_at: r.get(2)?,
        until: r.get(3)?,
    })
}
