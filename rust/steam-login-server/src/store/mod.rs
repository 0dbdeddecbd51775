//! Persistence of users, sessions and the daily quota: one trait, SQLite and PostgreSQL behind it.

use std::sync::Arc;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

pub mod postgres;
pub mod sqlite;

/// A login to record: the user is created on first sight, the session always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogin {
    pub steam_id: u64,
    pub owner_steam_id: u64,
    /// Fresh id for the user, used only if the SteamID is new.
    pub candidate_user_id: String,
    /// The token itself is never stored.
    pub token_hash: TokenHash,
    pub generated: i64,
    pub expire: i64,
}

/// SHA-256 of a session token. Sessions are stored and found by it, so a copy of the database does not
/// hold live tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub steam_id: u64,
    pub owner_steam_id: u64,
    pub created_at: i64,
    pub last_login_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: String,
    pub steam_id: u64,
    pub generated: i64,
    pub expire: i64,
    pub revoked: bool,
}

/// A session to replace another (`POST /api/v1/auth/session/refresh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refresh {
    pub old: TokenHash,
    pub new: TokenHash,
    /// Now: the old session must not have expired by then; it is revoked at this time.
    pub at: i64,
    pub expire: i64,
}

/// What became of a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The new session is stored and the old one revoked, in one transaction.
    Renewed {
        user_id: String,
        steam_id: u64,
    },
    Expired,
    Revoked,
    Unknown,
}

/// Why the store could not do what was asked, one case per thing an operator would look at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or reached (a path, a URL, a connection).
    #[error("cannot open the database: {0}")]
    Open(String),
    /// The database holds a layout this build does not know.
    #[error("{0}")]
    Schema(String),
    /// A statement or a commit failed.
    #[error("database error: {0}")]
    Query(String),
    /// A worker of the store (named) is not running, so nothing it does can be done.
    #[error("the {0} has stopped")]
    Stopped(&'static str),
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Records a login; returns the user's id (the existing one if the SteamID is known).
    async fn record_login(&self, login: NewLogin) -> Result<String, StoreError>;
    async fn user(&self, steam_id: u64) -> Result<Option<UserRecord>, StoreError>;
    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError>;
    /// Marks a session revoked; false if there is no such session or it was already revoked.
    async fn revoke(&self, token_hash: &TokenHash, at: i64) -> Result<bool, StoreError>;
    /// Replaces a live session by a new one for the same user; only one of concurrent refreshes of
    /// one session succeeds.
    async fn refresh(&self, refresh: Refresh) -> Result<Refreshed, StoreError>;
    /// Deletes at most `limit` sessions that expired before `before`; returns how many.
    async fn delete_expired(&self, before: i64, limit: u32) -> Result<u64, StoreError>;
    /// Adds `delta` Web API calls to `day` (YYYY-MM-DD, UTC); returns the day's total.
    async fn add_quota(&self, day: &str, delta: u64) -> Result<u64, StoreError>;
    /// Takes one call of `day`'s `budget` in the database itself: the day's new total, or `None`
    /// when the budget is spent. What instances sharing a database count the quota with.
    async fn take_quota(&self, day: &str, budget: u64) -> Result<Option<u64>, StoreError>;
    /// Several server instances may share this store (PostgreSQL): the quota is then counted in it.
    fn shared(&self) -> bool;
    /// Which database this is, for logs: "sqlite" or "postgres".
    fn kind(&self) -> &'static str;
}

/// Opens the store a `--database` value names: `postgres://…`/`postgresql://…`, else a SQLite file.
pub async fn open(database: &str) -> Result<Arc<dyn Store>, StoreError> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::connect(database).await?))
    } else {
        let path = database.strip_prefix("sqlite://").unwrap_or(database);
        Ok(Arc::new(sqlite::SqliteStore::open(path)?))
    }
}

/// Statements in PostgreSQL's `$n` placeholders; SQLite runs them with `?n` (see `sqlite`).
pub(crate) mod sql {
    pub const UPSERT_USER: &str = "INSERT INTO users (id, steam_id, owner_steam_id, created_at, last_login_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (steam_id) DO UPDATE SET owner_steam_id = excluded.owner_steam_id, last_login_at = excluded.last_login_at \
         RETURNING id";
    pub const INSERT_SESSION: &str =
        "INSERT INTO sessions (token_hash, user_id, steam_id, generated, expire) \
         VALUES ($1, $2, $3, $4, $5)";
    pub const SELECT_USER: &str =
        "SELECT id, steam_id, owner_steam_id, created_at, last_login_at FROM users WHERE steam_id = $1";
    pub const SELECT_SESSION: &str =
        "SELECT user_id, steam_id, generated, expire, revoked_at FROM sessions WHERE token_hash = $1";
    pub const REVOKE_SESSION: &str =
        "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL";
    pub const ADD_QUOTA: &str = "INSERT INTO quota (day, used) VALUES ($1, $2) \
         ON CONFLICT (day) DO UPDATE SET used = quota.used + excluded.used RETURNING used";
    /// No row back when the budget ($2 ≥ 1) is spent.
    pub const TAKE_QUOTA: &str = "INSERT INTO quota (day, used) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET used = quota.used + 1 WHERE quota.used < $2 RETURNING used";
    /// Revokes the old session if it is live; its user, for the new session.
    pub const REVOKE_LIVE_SESSION: &str = "UPDATE sessions SET revoked_at = $2 \
         WHERE token_hash = $1 AND revoked_at IS NULL AND expire > $2 RETURNING user_id, steam_id";
    /// No index on `expire` (it would cost every login a B-tree insert): PostgreSQL scans without
    /// blocking the inserts.
    pub const DELETE_EXPIRED: &str = "DELETE FROM sessions WHERE token_hash IN \
         (SELECT token_hash FROM sessions WHERE expire < $1 LIMIT $2)";
}

/// Why a refresh found no live session to replace.
pub(crate) fn refused(existing: Option<SessionRecord>) -> Refreshed {
    match existing {
        Some(s) if s.revoked => Refreshed::Revoked,
        Some(_) => Refreshed::Expired,
        None => Refreshed::Unknown,
    }
}
