//! Persistence of users, sessions and the daily quota: one trait, SQLite and PostgreSQL behind it.

use std::sync::Arc;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

pub mod postgres;
pub mod sqlite;

/// A login to record: the ticket is marked used, the user created on first sight, the session
/// always; all or nothing.
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
    /// The ticket this login spends: a second login with it is refused until it expires.
    pub ticket: UsedTicket,
}

/// What became of a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored; the user's id (the existing one if the SteamID is known).
    Login { user_id: String },
    /// The ticket had already logged in (here or on another instance sharing the database).
    TicketReused,
}

/// A ticket that logged in, kept until it expires so that it cannot log in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsedTicket {
    pub key: TicketKey,
    /// When the ticket itself expires (its ownership part's expiry): then the record is swept.
    pub expire: i64,
}

/// Which ticket a login spent: SHA-256 of its SteamID and GC token. Those two name one ticket
/// whatever its hex case or trailing bytes, and a changed GC token is one Steam refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketKey(pub [u8; 32]);

impl TicketKey {
    pub fn of(steam_id: u64, gc_token: u64) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"steam-ticket\0");
        hasher.update(steam_id.to_le_bytes());
        hasher.update(gc_token.to_le_bytes());
        TicketKey(hasher.finalize().into())
    }

    /// An encrypted app ticket's nonce: a login with it is refused until the nonce expires.
    pub fn of_nonce(nonce: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"encrypted-ticket nonce\0");
        hasher.update(nonce);
        TicketKey(hasher.finalize().into())
    }
}

/// An operator's ban of a SteamID (`steam-login-server admin ban`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub steam_id: u64,
    pub reason: String,
    pub banned_at: i64,
    /// When it ends; `None`: never.
    pub until: Option<i64>,
}

/// The key a session is stored and found by: a hash of its token, so that a copy of the database does
/// not hold live tokens.
///
/// A token this server hands out is a UUID v7 (`sessions::new_token`), whose first 6 bytes are the
/// millisecond it was made. Those 6 bytes lead its key and the token's SHA-256 fills the other 26, so
/// new sessions go to the end of the sessions B-tree: a batch of logins writes one or two of its pages
/// instead of one page each (on the benchmark, 8.6 KB of write-ahead log a login instead of 14.8 KB,
/// and 11 to 14% more logins a second). A token of any other shape (one handed out by an older build, or
/// made up) is keyed by its whole SHA-256, so older sessions still resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        match uuid::Uuid::try_parse(token) {
            Ok(uuid) if uuid.get_version_num() == 7 => {
                let mut key = [0u8; 32];
                key[..6].copy_from_slice(&uuid.as_bytes()[..6]);
                key[6..].copy_from_slice(&hash[..26]);
                TokenHash(key)
            }
            _ => TokenHash(hash),
        }
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
    /// The database server cannot be reached now (down, restarting, the network): worth retrying, and
    /// the instance is not ready (`/readyz`) until it answers again.
    #[error("the database cannot be reached: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// The store cannot answer anything now, as opposed to one statement failing.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Stopped(_))
    }
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub tickets: u64,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Records a login, unless its ticket already logged in.
    async fn record_login(&self, login: NewLogin) -> Result<Recorded, StoreError>;
    /// Whether a ticket already logged in (checked before Steam is asked, which costs quota).
    async fn ticket_used(&self, key: &TicketKey) -> Result<bool, StoreError>;
    async fn user(&self, steam_id: u64) -> Result<Option<UserRecord>, StoreError>;
    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError>;
    /// Marks a session revoked; false if there is no such session or it was already revoked.
    async fn revoke(&self, token_hash: &TokenHash, at: i64) -> Result<bool, StoreError>;
    /// Replaces a live session by a new one for the same user; only one of concurrent refreshes of
    /// one session succeeds.
    async fn refresh(&self, refresh: Refresh) -> Result<Refreshed, StoreError>;
    /// Deletes at most `limit` sessions that expired before `before`; returns how many.
    async fn delete_expired(&self, before: i64, limit: u32) -> Result<u64, StoreError>;
    /// Deletes at most `limit` used-ticket records of tickets that expired before `before`.
    async fn delete_used_tickets(&self, before: i64, limit: u32) -> Result<u64, StoreError>;
    /// Bans a SteamID (replacing an earlier ban) and revokes its live sessions at `ban.banned_at`,
    /// in one transaction; returns how many sessions were revoked.
    async fn ban(&self, ban: Ban) -> Result<u64, StoreError>;
    /// Lifts a ban; false if there was none.
    async fn unban(&self, steam_id: u64) -> Result<bool, StoreError>;
    /// The ban on `steam_id` in force at `now`, if any.
    async fn active_ban(&self, steam_id: u64, now: i64) -> Result<Option<Ban>, StoreError>;
    /// Every ban, lifted by time or not, newest first.
    async fn bans(&self) -> Result<Vec<Ban>, StoreError>;
    /// Revokes every live session of `steam_id` at `at`; returns how many.
    async fn revoke_user(&self, steam_id: u64, at: i64) -> Result<u64, StoreError>;
    /// The sessions of `steam_id` still stored (live, revoked or expired), newest first.
    async fn user_sessions(&self, steam_id: u64) -> Result<Vec<SessionRecord>, StoreError>;
    /// The Web API calls counted for `day` (YYYY-MM-DD, UTC).
    async fn quota_used(&self, day: &str) -> Result<u64, StoreError>;
    /// When `steam_id`'s Steam friends were last stored, if ever.
    async fn friends_synced_at(&self, steam_id: u64) -> Result<Option<i64>, StoreError>;
    /// Stores `steam_id`'s Steam friends (all of them, users or not) as of `at`.
    async fn replace_friends(
        &self,
        steam_id: u64,
        friends: Vec<u64>,
        at: i64,
    ) -> Result<(), StoreError>;
    /// `steam_id`'s stored Steam friends who are users, as (user id, SteamID), by SteamID.
    async fn friend_users(&self, steam_id: u64) -> Result<Vec<(String, u64)>, StoreError>;
    /// Adds `delta` Web API calls to `day` (YYYY-MM-DD, UTC); returns the day's total.
    async fn add_quota(&self, day: &str, delta: u64) -> Result<u64, StoreError>;
    /// Takes one call of `day`'s `budget` in the database itself: the day's new total, or `None`
    /// when the budget is spent. What instances sharing a database count the quota with.
    async fn take_quota(&self, day: &str, budget: u64) -> Result<Option<u64>, StoreError>;
    /// Reads what the store keeps in memory for serving logins (SQLite's used tickets), once, before
    /// the first request; `admin` commands skip it. Nothing to do for PostgreSQL.
    async fn prepare_to_serve(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Gives up what `prepare_to_serve` took (SQLite's hold on its file) once the server has stopped,
    /// so that another may serve the file while this process lives on.
    fn stop_serving(&self) {}
    /// Whether the store answers now (`/readyz`): a round trip to PostgreSQL, the SQLite writer alive.
    async fn ready(&self) -> Result<(), StoreError>;
    /// Several server instances may share this store (PostgreSQL): the quota is then counted in it.
    fn shared(&self) -> bool;
    /// Which database this is, for logs: "sqlite" or "postgres".
    fn kind(&self) -> &'static str;
}

/// Opens the store a `--database` value names: `postgres://…`/`postgresql://…`, else a SQLite file.
pub async fn open(database: &str) -> Result<Arc<dyn Store>, StoreError> {
    match sqlite_path(database) {
        None => Ok(Arc::new(postgres::PostgresStore::connect(database).await?)),
        Some(path) => Ok(Arc::new(sqlite::SqliteStore::open(path)?)),
    }
}

/// The SQLite file a `--database` value names; `None` for a PostgreSQL URL.
pub fn sqlite_path(database: &str) -> Option<&str> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        None
    } else {
        Some(database.strip_prefix("sqlite://").unwrap_or(database))
    }
}

/// Statements in PostgreSQL's `$n` placeholders; SQLite runs them with `?n` (see `sqlite`).
pub(crate) mod sql {
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
    pub const SELECT_TICKET_USED: &str = "SELECT 1 FROM used_tickets WHERE ticket_key = $1";
    /// PostgreSQL's (SQLite's table has no key: see `sqlite::claimed_tickets`).
    pub const DELETE_USED_TICKETS: &str = "DELETE FROM used_tickets WHERE ticket_key IN \
         (SELECT ticket_key FROM used_tickets WHERE expire < $1 LIMIT $2) RETURNING ticket_key";
    pub const UPSERT_BAN: &str = "INSERT INTO bans (steam_id, reason, banned_at, ends_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (steam_id) DO UPDATE SET reason = excluded.reason, banned_at = excluded.banned_at, ends_at = excluded.ends_at";
    pub const DELETE_BAN: &str = "DELETE FROM bans WHERE steam_id = $1";
    pub const SELECT_ACTIVE_BAN: &str = "SELECT steam_id, reason, banned_at, ends_at FROM bans \
         WHERE steam_id = $1 AND (ends_at IS NULL OR ends_at > $2)";
    pub const SELECT_BANS: &str =
        "SELECT steam_id, reason, banned_at, ends_at FROM bans ORDER BY banned_at DESC, steam_id";
    pub const REVOKE_USER: &str = "UPDATE sessions SET revoked_at = $2 \
         WHERE steam_id = $1 AND revoked_at IS NULL AND expire > $2";
    pub const SELECT_USER_SESSIONS: &str =
        "SELECT user_id, steam_id, generated, expire, revoked_at \
         FROM sessions WHERE steam_id = $1 ORDER BY generated DESC";
    pub const SELECT_QUOTA: &str = "SELECT used FROM quota WHERE day = $1";
    pub const SELECT_FRIENDS_SYNCED: &str =
        "SELECT synced_at FROM friend_syncs WHERE steam_id = $1";
    pub const DELETE_FRIENDS: &str = "DELETE FROM steam_friends WHERE steam_id = $1";
    pub const INSERT_FRIEND: &str =
        "INSERT INTO steam_friends (steam_id, friend_steam_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    pub const UPSERT_FRIENDS_SYNCED: &str =
        "INSERT INTO friend_syncs (steam_id, synced_at) VALUES ($1, $2) \
         ON CONFLICT (steam_id) DO UPDATE SET synced_at = excluded.synced_at";
    pub const SELECT_FRIEND_USERS: &str = "SELECT u.id, u.steam_id FROM steam_friends f \
         JOIN users u ON u.steam_id = f.friend_steam_id WHERE f.steam_id = $1 ORDER BY u.steam_id";
}

/// Why a refresh found no live session to replace.
pub(crate) fn refused(existing: Option<SessionRecord>) -> Refreshed {
    match existing {
        Some(s) if s.revoked => Refreshed::Revoked,
        Some(_) => Refreshed::Expired,
        None => Refreshed::Unknown,
    }
}
