//! PostgreSQL through a connection pool, for deployments that run several server instances.

use async_trait::async_trait;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Statement};

use super::{
    refused, sql, Ban, NewLogin, Recorded, Refresh, Refreshed, SessionRecord, Store, StoreError,
    TicketKey, TokenHash, UserRecord,
};

/// In one transaction under an advisory lock: instances starting together would otherwise race on
/// `CREATE TABLE IF NOT EXISTS`, which PostgreSQL does not make atomic.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(5554400);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    steam_id BIGINT NOT NULL UNIQUE,
    owner_steam_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    steam_id BIGINT NOT NULL,
    generated BIGINT NOT NULL,
    expire BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE IF NOT EXISTS quota (
    day TEXT PRIMARY KEY,
    used BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS used_tickets (
    ticket_key BYTEA PRIMARY KEY,
    expire BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS bans (
    steam_id BIGINT PRIMARY KEY,
    reason TEXT NOT NULL,
    banned_at BIGINT NOT NULL,
    ends_at BIGINT
);
CREATE TABLE IF NOT EXISTS steam_friends (
    steam_id BIGINT NOT NULL,
    friend_steam_id BIGINT NOT NULL,
    PRIMARY KEY (steam_id, friend_steam_id)
);
CREATE TABLE IF NOT EXISTS friend_syncs (
    steam_id BIGINT PRIMARY KEY,
    synced_at BIGINT NOT NULL
);
COMMIT;
";

/// Revoke and insert in one statement: one round trip, atomic.
const REFRESH: &str = "WITH old AS (
    UPDATE sessions SET revoked_at = $2
    WHERE token_hash = $1 AND revoked_at IS NULL AND expire > $2 RETURNING user_id, steam_id)
INSERT INTO sessions (token_hash, user_id, steam_id, generated, expire)
SELECT $3, old.user_id, old.steam_id, $2, $4 FROM old RETURNING user_id, steam_id";

/// The ticket's claim, the upsert and the session insert in one statement, so a login is atomic in
/// one round trip; no row back when the ticket was already used (by any instance: the claim waits
/// for a concurrent one to commit, then finds its row).
const RECORD_LOGIN: &str = "WITH t AS (
    INSERT INTO used_tickets (ticket_key, expire) VALUES ($7, $8) ON CONFLICT DO NOTHING RETURNING 1),
u AS (
    INSERT INTO users (id, steam_id, owner_steam_id, created_at, last_login_at)
    SELECT $1, $2, $3, $4, $4 FROM t
    ON CONFLICT (steam_id) DO UPDATE SET owner_steam_id = excluded.owner_steam_id, last_login_at = excluded.last_login_at
    RETURNING id)
INSERT INTO sessions (token_hash, user_id, steam_id, generated, expire)
SELECT $5, u.id, $2, $4, $6 FROM u RETURNING user_id";

/// The ban and the revocation of the player's live sessions, in one statement.
const BAN: &str = "WITH b AS (
    INSERT INTO bans (steam_id, reason, banned_at, ends_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (steam_id) DO UPDATE SET reason = excluded.reason, banned_at = excluded.banned_at, ends_at = excluded.ends_at
    RETURNING steam_id)
UPDATE sessions SET revoked_at = $3 FROM b
WHERE sessions.steam_id = b.steam_id AND sessions.revoked_at IS NULL AND sessions.expire > $3";

pub struct PostgresStore {
    pool: Pool,
}

/// How long a login waits for a connection (from the pool, or a new one) before it is told the
/// database is unavailable: a stopped or unreachable PostgreSQL costs a login this at most, not a
/// hang.
const CONNECTION_WAIT: Duration = Duration::from_secs(2);

fn db_error(e: impl Into<Failure>) -> StoreError {
    match e.into() {
        Failure::Postgres(e) if connection_lost(&e) => StoreError::Unavailable(e.to_string()),
        Failure::Postgres(e) => StoreError::Query(e.to_string()),
        Failure::Pool(PoolError::Backend(e)) => db_error(e),
        Failure::Pool(PoolError::Timeout(_)) => StoreError::Unavailable(format!(
            "no connection within {} s",
            CONNECTION_WAIT.as_secs()
        )),
        Failure::Pool(e) => StoreError::Query(e.to_string()),
    }
}

/// What the pool and the driver fail with.
enum Failure {
    Postgres(tokio_postgres::Error),
    Pool(PoolError),
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Postgres(e)
    }
}

impl From<PoolError> for Failure {
    fn from(e: PoolError) -> Self {
        Failure::Pool(e)
    }
}

/// The connection is gone or cannot be made, rather than the statement being wrong: the socket
/// closed, an I/O error, or PostgreSQL's connection and shutdown classes (08, 57P01-57P03).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    std::error::Error::source(e).is_some_and(|source| source.is::<std::io::Error>())
}

impl PostgresStore {
    /// Connects and creates the tables if needed. The URL's password never appears in errors.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Open("DATABASE_URL is not a valid postgres:// URL".into()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECTION_WAIT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECTION_WAIT))
            .create_timeout(Some(CONNECTION_WAIT))
            .recycle_timeout(Some(CONNECTION_WAIT))
            .build()
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let client = pool
            .get()
            .await
            .map_err(|e| StoreError::Open(db_error(e).to_string()))?;
        client.batch_execute(SCHEMA).await.map_err(db_error)?;
        Ok(PostgresStore { pool })
    }

    /// A pooled connection and the statement `sql`, prepared once per connection.
    async fn prepared(
        &self,
        sql: &str,
    ) -> Result<(deadpool_postgres::Object, Statement), StoreError> {
        let client = self.pool.get().await.map_err(db_error)?;
        let statement = client.prepare_cached(sql).await.map_err(db_error)?;
        Ok((client, statement))
    }
}

/// A `SELECT_ACTIVE_BAN` / `SELECT_BANS` row.
fn ban_record(r: &tokio_postgres::Row) -> Ban {
    Ban {
        steam_id: r.get::<_, i64>(0) as u64,
        reason: r.get(1),
        banned_at: r.get(2),
        until: r.get(3),
    }
}

/// A `SELECT_SESSION` / `SELECT_USER_SESSIONS` row.
fn session_record(r: &tokio_postgres::Row) -> SessionRecord {
    SessionRecord {
        user_id: r.get(0),
        steam_id: r.get::<_, i64>(1) as u64,
        generated: r.get(2),
        expire: r.get(3),
        revoked: r.get::<_, Option<i64>>(4).is_some(),
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn record_login(&self, login: NewLogin) -> Result<Recorded, StoreError> {
        let (client, statement) = self.prepared(RECORD_LOGIN).await?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &login.candidate_user_id,
                    &(login.steam_id as i64),
                    &(login.owner_steam_id as i64),
                    &login.generated,
                    &login.token_hash.0.as_slice(),
                    &login.expire,
                    &login.ticket.key.0.as_slice(),
                    &login.ticket.expire,
                ],
            )
            .await
            .map_err(db_error)?;
        Ok(match row {
            Some(row) => Recorded::Login {
                user_id: row.get(0),
            },
            None => Recorded::TicketReused,
        })
    }

    async fn ticket_used(&self, key: &TicketKey) -> Result<bool, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_TICKET_USED).await?;
        let row = client
            .query_opt(&statement, &[&key.0.as_slice()])
            .await
            .map_err(db_error)?;
        Ok(row.is_some())
    }

    async fn delete_used_tickets(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(sql::DELETE_USED_TICKETS).await?;
        client
            .execute(&statement, &[&before, &i64::from(limit)])
            .await
            .map_err(db_error)
    }

    async fn ban(&self, ban: Ban) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(BAN).await?;
        client
            .execute(
                &statement,
                &[
                    &(ban.steam_id as i64),
                    &ban.reason,
                    &ban.banned_at,
                    &ban.until,
                ],
            )
            .await
            .map_err(db_error)
    }

    async fn unban(&self, steam_id: u64) -> Result<bool, StoreError> {
        let (client, statement) = self.prepared(sql::DELETE_BAN).await?;
        let n = client
            .execute(&statement, &[&(steam_id as i64)])
            .await
            .map_err(db_error)?;
        Ok(n > 0)
    }

    async fn active_ban(&self, steam_id: u64, now: i64) -> Result<Option<Ban>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_ACTIVE_BAN).await?;
        let row = client
            .query_opt(&statement, &[&(steam_id as i64), &now])
            .await
            .map_err(db_error)?;
        Ok(row.as_ref().map(ban_record))
    }

    async fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_BANS).await?;
        let rows = client.query(&statement, &[]).await.map_err(db_error)?;
        Ok(rows.iter().map(ban_record).collect())
    }

    async fn revoke_user(&self, steam_id: u64, at: i64) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(sql::REVOKE_USER).await?;
        client
            .execute(&statement, &[&(steam_id as i64), &at])
            .await
            .map_err(db_error)
    }

    async fn user_sessions(&self, steam_id: u64) -> Result<Vec<SessionRecord>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_USER_SESSIONS).await?;
        let rows = client
            .query(&statement, &[&(steam_id as i64)])
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(session_record).collect())
    }

    async fn quota_used(&self, day: &str) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_QUOTA).await?;
        let row = client
            .query_opt(&statement, &[&day])
            .await
            .map_err(db_error)?;
        Ok(row.map_or(0, |r| r.get::<_, i64>(0).max(0) as u64))
    }

    async fn friends_synced_at(&self, steam_id: u64) -> Result<Option<i64>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_FRIENDS_SYNCED).await?;
        let row = client
            .query_opt(&statement, &[&(steam_id as i64)])
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn replace_friends(
        &self,
        steam_id: u64,
        friends: Vec<u64>,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(db_error)?;
        let tx = client.transaction().await.map_err(db_error)?;
        let id = steam_id as i64;
        tx.execute(sql::DELETE_FRIENDS, &[&id])
            .await
            .map_err(db_error)?;
        let friends: Vec<i64> = friends.into_iter().map(|f| f as i64).collect();
        tx.execute(
            "INSERT INTO steam_friends (steam_id, friend_steam_id) \
             SELECT $1, f FROM unnest($2::BIGINT[]) AS f ON CONFLICT DO NOTHING",
            &[&id, &friends],
        )
        .await
        .map_err(db_error)?;
        tx.execute(sql::UPSERT_FRIENDS_SYNCED, &[&id, &at])
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn friend_users(&self, steam_id: u64) -> Result<Vec<(String, u64)>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_FRIEND_USERS).await?;
        let rows = client
            .query(&statement, &[&(steam_id as i64)])
            .await
            .map_err(db_error)?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    async fn user(&self, steam_id: u64) -> Result<Option<UserRecord>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_USER).await?;
        let row = client
            .query_opt(&statement, &[&(steam_id as i64)])
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| UserRecord {
            id: r.get(0),
            steam_id: r.get::<_, i64>(1) as u64,
            owner_steam_id: r.get::<_, i64>(2) as u64,
            created_at: r.get(3),
            last_login_at: r.get(4),
        }))
    }

    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError> {
        let (client, statement) = self.prepared(sql::SELECT_SESSION).await?;
        let row = client
            .query_opt(&statement, &[&token_hash.0.as_slice()])
            .await
            .map_err(db_error)?;
        Ok(row.as_ref().map(session_record))
    }

    async fn revoke(&self, token_hash: &TokenHash, at: i64) -> Result<bool, StoreError> {
        let (client, statement) = self.prepared(sql::REVOKE_SESSION).await?;
        let n = client
            .execute(&statement, &[&token_hash.0.as_slice(), &at])
            .await
            .map_err(db_error)?;
        Ok(n > 0)
    }

    async fn refresh(&self, refresh: Refresh) -> Result<Refreshed, StoreError> {
        let (client, statement) = self.prepared(REFRESH).await?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &refresh.old.0.as_slice(),
                    &refresh.at,
                    &refresh.new.0.as_slice(),
                    &refresh.expire,
                ],
            )
            .await
            .map_err(db_error)?;
        match row {
            Some(r) => Ok(Refreshed::Renewed {
                user_id: r.get(0),
                steam_id: r.get::<_, i64>(1) as u64,
            }),
            None => Ok(refused(self.session(&refresh.old).await?)),
        }
    }

    async fn delete_expired(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(sql::DELETE_EXPIRED).await?;
        client
            .execute(&statement, &[&before, &i64::from(limit)])
            .await
            .map_err(db_error)
    }

    async fn take_quota(&self, day: &str, budget: u64) -> Result<Option<u64>, StoreError> {
        if budget == 0 {
            return Ok(None);
        }
        let (client, statement) = self.prepared(sql::TAKE_QUOTA).await?;
        let row = client
            .query_opt(&statement, &[&day, &(budget as i64)])
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| r.get::<_, i64>(0).max(0) as u64))
    }

    async fn ready(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(db_error)?;
        client.simple_query("SELECT 1").await.map_err(db_error)?;
        Ok(())
    }

    fn shared(&self) -> bool {
        true
    }

    async fn add_quota(&self, day: &str, delta: u64) -> Result<u64, StoreError> {
        let (client, statement) = self.prepared(sql::ADD_QUOTA).await?;
        let row = client
            .query_one(&statement, &[&day, &(delta as i64)])
            .await
            .map_err(db_error)?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }
}
