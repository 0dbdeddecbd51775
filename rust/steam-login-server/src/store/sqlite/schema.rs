//! The tables, and what a file written by another version gets: upgraded, or refused with why.

use std::path::Path;

use rusqlite::Connection;

use super::connection::db_error;
use crate::store::StoreError;

/// Bumped whenever the tables change; a file with another version is refused rather than misread,
/// except the versions listed in `UPGRADABLE`, whose tables are a subset of these.
const SCHEMA_VERSION: i64 = 3;
/// Version 1 lacked used tickets, bans and friends: creating those tables upgrades it. Version 2 kept
/// used tickets keyed by their hash: its rows are copied into the appended table.
const UPGRADABLE: &[i64] = &[1, 2];

/// Version 2's `used_tickets` into version 3's, in the transaction that creates the rest.
const UPGRADE_USED_TICKETS_FROM_2: &str = "
ALTER TABLE used_tickets RENAME TO used_tickets_v2;
CREATE TABLE used_tickets (
    ticket_key BLOB NOT NULL,
    expire INTEGER NOT NULL
);
INSERT INTO used_tickets (ticket_key, expire) SELECT ticket_key, expire FROM used_tickets_v2;
DROP TABLE used_tickets_v2;
";

/// Users are keyed by SteamID (the rowid), so the login upsert is one B-tree lookup. Sessions are a
/// `WITHOUT ROWID` table keyed by the 32-byte token hash: one B-tree instead of a table plus an index.
/// Used tickets are appended and never looked up by key (see `claimed_tickets`).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    steam_id INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    owner_steam_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_login_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    steam_id INTEGER NOT NULL,
    generated INTEGER NOT NULL,
    expire INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quota (
    day TEXT PRIMARY KEY,
    used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS used_tickets (
    ticket_key BLOB NOT NULL,
    expire INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bans (
    steam_id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    banned_at INTEGER NOT NULL,
    ends_at INTEGER
);
CREATE TABLE IF NOT EXISTS steam_friends (
    steam_id INTEGER NOT NULL,
    friend_steam_id INTEGER NOT NULL,
    PRIMARY KEY (steam_id, friend_steam_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS friend_syncs (
    steam_id INTEGER PRIMARY KEY,
    synced_at INTEGER NOT NULL
);
";

/// Creates the tables in a new file, or checks that an existing file has this version's tables.
pub(super) fn create_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db_error)?;
    let has_tables: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'users')",
            [],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    match (version, has_tables) {
        (SCHEMA_VERSION, _) | (0, false) => {}
        (old, _) if UPGRADABLE.contains(&old) => {
            tracing::info!("upgrading {} from schema version {old} to {SCHEMA_VERSION}", path.display());
        }
        (0, true) => {
            return Err(StoreError::Schema(format!(
                "{} was written by a pre-release build with an older table layout; move it aside to start afresh",
                path.display()
            )))
        }
        (other, _) => {
            return Err(StoreError::Schema(format!(
                "{} has schema version {other}; this build knows version {SCHEMA_VERSION}",
                path.display()
            )))
        }
    }
    let upgrade = if version == 2 {
        UPGRADE_USED_TICKETS_FROM_2
    } else {
        ""
    };
    conn.execute_batch(&format!(
        "BEGIN; {upgrade} {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
    .map_err(db_error)
}
