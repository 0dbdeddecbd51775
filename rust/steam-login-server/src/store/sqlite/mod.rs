//! SQLite in WAL mode: one file, one process. Writes go through one thread (`writer`); reads use
//! connections of their own; `checkpoint` keeps the log short.
//!
//! One job per file: `statements` (the SQL and its rows), `connection` (opening one), `schema`
//! (the tables and upgrades), `writer` (group commit), `checkpoint` (the log), `backup` (a copy of a
//! live file). This file holds the store itself.

#[macro_use]
mod statements;
mod backup;
mod checkpoint;
mod claimed_tickets;
mod connection;
mod schema;
mod writer;

use std::path::Path;
use std::sync::atomic::AtomicU8;
use std::sync::Arc;
use std::thread;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::{
    sql, Ban, NewLogin, Recorded, Refresh, Refreshed, SessionRecord, Store, StoreError, TicketKey,
    TokenHash, UserRecord,
};
use checkpoint::{checkpoint_loop, RESTART_NO};
use claimed_tickets::ClaimedTickets;
use connection::{connect, db_error};
use schema::create_schema;
use statements::{
    ban_record, session_record, ADD_QUOTA, DELETE_SESSION, DELETE_USED_TICKETS, REVOKE_SESSION,
    SELECT_EXPIRED, SELECT_SESSION, SELECT_USER, TAKE_QUOTA,
};
use writer::{deliver, write_loop, Write};

pub use backup::{backup, BackupReport};

pub struct SqliteStore {
    path: std::path::PathBuf,
    writes: mpsc::UnboundedSender<Write>,
    reader: Mutex<Connection>,
    /// What refuses a replayed ticket, shared with the writer, which claims.
    claimed_tickets: Arc<ClaimedTickets>,
    /// Held while this store serves logins (see [`lock_for_serving`]).
    serving: Mutex<Option<std::fs::File>>,
}

/// Takes `<database>.lock` for this process: replays are refused from memory (`claimed_tickets`), so
/// two servers on one file would each accept a ticket the other had seen. `admin` commands, which
/// claim no ticket, do not take it. The OS lets go of it when the process ends, however it ends.
fn lock_for_serving(path: &Path) -> Result<std::fs::File, StoreError> {
    let lock_path = format!("{}.lock", path.display());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StoreError::Open(format!("{lock_path}: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Open(format!(
            "{} is already served by another steam-login-server ({lock_path} is locked): one \
             process serves a SQLite file; several instances share PostgreSQL",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError::Open(format!("cannot lock {lock_path}: {e}")))
        }
    }
}

impl SqliteStore {
    /// Opens (creating on first run) the database file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let writer = connect(path)?;
        create_schema(&writer, path)?;
        // Checkpoints fsync the database file; run on the writer they stall every login behind them.
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(db_error)?;
        let restart = Arc::new(AtomicU8::new(RESTART_NO));
        let checkpointer = connect(path)?;
        thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn({
                let restart = Arc::clone(&restart);
                move || checkpoint_loop(checkpointer, &restart)
            })
            .map_err(|e| StoreError::Open(format!("cannot start the SQLite checkpointer: {e}")))?;
        let reader = connect(path)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let claimed_tickets = Arc::new(ClaimedTickets::default());
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn({
                let claimed = Arc::clone(&claimed_tickets);
                move || write_loop(writer, rx, &restart, claimed)
            })
            .map_err(|e| StoreError::Open(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writes: tx,
            reader: Mutex::new(reader),
            claimed_tickets,
            serving: Mutex::new(None),
        })
    }

    async fn write<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Write,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writes
            .send(make(tx))
            .map_err(|_| StoreError::Stopped("SQLite writer"))?;
        rx.await.map_err(|_| StoreError::Stopped("SQLite writer"))?
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        f(&self.reader.lock()).map_err(db_error)
    }
}

impl SqliteStore {
    /// A full read of `used_tickets` (0.5 s for a million rows, measured before the table lost its
    /// key) on the writer's thread, so that no claim falls between the read and the set's load.
    async fn load_claimed_tickets(&self) -> Result<(), StoreError> {
        let claimed = Arc::clone(&self.claimed_tickets);
        self.exec(move |c| claimed.load_from(c)).await
    }

    /// Runs `f` on the writer's connection, in the next batch's transaction.
    async fn exec<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.write(|reply| {
            Write::Exec(Box::new(move |conn| match conn {
                Ok(conn) => Some(deliver(reply, f(conn))),
                Err(message) => {
                    let _ = reply.send(Err(StoreError::Query(message.to_owned())));
                    None
                }
            }))
        })
        .await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn record_login(&self, login: NewLogin) -> Result<Recorded, StoreError> {
        self.write(|reply| Write::Login(login, reply)).await
    }

    async fn ticket_used(&self, key: &TicketKey) -> Result<bool, StoreError> {
        if !self.claimed_tickets.is_loaded() {
            self.load_claimed_tickets().await?;
        }
        Ok(self.claimed_tickets.contains(key))
    }

    async fn delete_used_tickets(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let swept = self
            .exec(move |c| {
                c.prepare_cached(DELETE_USED_TICKETS)?
                    .query_map(params![before, i64::from(limit)], |r| {
                        r.get::<_, Vec<u8>>(0)
                    })?
                    .map(|key| Ok(key?.try_into().ok().map(TicketKey)))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let deleted = swept.len() as u64;
        self.claimed_tickets
            .release(&swept.into_iter().flatten().collect::<Vec<_>>());
        Ok(deleted)
    }

    async fn ban(&self, ban: Ban) -> Result<u64, StoreError> {
        self.exec(move |c| {
            c.prepare_cached(sqlite_placeholders!(sql::UPSERT_BAN))?
                .execute(params![
                    ban.steam_id as i64,
                    ban.reason,
                    ban.banned_at,
                    ban.until
                ])?;
            c.prepare_cached(sqlite_placeholders!(sql::REVOKE_USER))?
                .execute(params![ban.steam_id as i64, ban.banned_at])
                .map(|n| n as u64)
        })
        .await
    }

    async fn unban(&self, steam_id: u64) -> Result<bool, StoreError> {
        self.exec(move |c| {
            c.prepare_cached(sqlite_placeholders!(sql::DELETE_BAN))?
                .execute(params![steam_id as i64])
                .map(|n| n > 0)
        })
        .await
    }

    async fn active_ban(&self, steam_id: u64, now: i64) -> Result<Option<Ban>, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_ACTIVE_BAN))?
                .query_row(params![steam_id as i64, now], ban_record)
                .optional()
        })
    }

    async fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_BANS))?
                .query_map([], ban_record)?
                .collect()
        })
    }

    async fn revoke_user(&self, steam_id: u64, at: i64) -> Result<u64, StoreError> {
        self.exec(move |c| {
            c.prepare_cached(sqlite_placeholders!(sql::REVOKE_USER))?
                .execute(params![steam_id as i64, at])
                .map(|n| n as u64)
        })
        .await
    }

    async fn user_sessions(&self, steam_id: u64) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_USER_SESSIONS))?
                .query_map(params![steam_id as i64], session_record)?
                .collect()
        })
    }

    async fn quota_used(&self, day: &str) -> Result<u64, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_QUOTA))?
                .query_row(params![day], |r| r.get::<_, i64>(0))
                .optional()
                .map(|used| used.unwrap_or(0).max(0) as u64)
        })
    }

    async fn friends_synced_at(&self, steam_id: u64) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_FRIENDS_SYNCED))?
                .query_row(params![steam_id as i64], |r| r.get(0))
                .optional()
        })
    }

    async fn replace_friends(
        &self,
        steam_id: u64,
        friends: Vec<u64>,
        at: i64,
    ) -> Result<(), StoreError> {
        self.exec(move |c| {
            c.prepare_cached(sqlite_placeholders!(sql::DELETE_FRIENDS))?
                .execute(params![steam_id as i64])?;
            let mut insert = c.prepare_cached(sqlite_placeholders!(sql::INSERT_FRIEND))?;
            for friend in friends {
                insert.execute(params![steam_id as i64, friend as i64])?;
            }
            c.prepare_cached(sqlite_placeholders!(sql::UPSERT_FRIENDS_SYNCED))?
                .execute(params![steam_id as i64, at])?;
            Ok(())
        })
        .await
    }

    async fn friend_users(&self, steam_id: u64) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_FRIEND_USERS))?
                .query_map(params![steam_id as i64], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
                })?
                .collect()
        })
    }

    async fn user(&self, steam_id: u64) -> Result<Option<UserRecord>, StoreError> {
        self.read(|c| {
            c.prepare_cached(SELECT_USER)?
                .query_row(params![steam_id as i64], |r| {
                    Ok(UserRecord {
                        id: r.get(0)?,
                        steam_id: r.get::<_, i64>(1)? as u64,
                        owner_steam_id: r.get::<_, i64>(2)? as u64,
                        created_at: r.get(3)?,
                        last_login_at: r.get(4)?,
                    })
                })
                .optional()
        })
    }

    async fn session(&self, token_hash: &TokenHash) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| {
            c.prepare_cached(SELECT_SESSION)?
                .query_row(params![token_hash.0], session_record)
                .optional()
        })
    }

    async fn refresh(&self, refresh: Refresh) -> Result<Refreshed, StoreError> {
        self.write(|reply| Write::Refresh(refresh, reply)).await
    }

    /// Finds expired sessions on a connection of its own, off the async threads (a scan: see
    /// `SELECT_EXPIRED`), then deletes them by key through the writer, a hundred per write.
    async fn delete_expired(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let path = self.path.clone();
        let found = tokio::task::spawn_blocking(move || {
            let conn = connect(&path)?;
            let mut select = conn.prepare(SELECT_EXPIRED).map_err(db_error)?;
            let rows = select
                .query_map(params![before, i64::from(limit)], |r| {
                    r.get::<_, [u8; 32]>(0)
                })
                .map_err(db_error)?;
            rows.map(|r| r.map(TokenHash).map_err(db_error))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| {
            StoreError::Stopped(if e.is_panic() {
                "session sweep (it panicked)"
            } else {
                "session sweep"
            })
        })??;
        let mut deleted = 0;
        for chunk in found.chunks(100) {
            let hashes = chunk.to_vec();
            deleted += self
                .exec(move |c| {
                    let mut delete = c.prepare_cached(DELETE_SESSION)?;
                    hashes.iter().try_fold(0u64, |n, hash| {
                        Ok(n + delete.execute(params![hash.0])? as u64)
                    })
                })
                .await?;
        }
        Ok(deleted)
    }

    async fn take_quota(&self, day: &str, budget: u64) -> Result<Option<u64>, StoreError> {
        if budget == 0 {
            return Ok(None);
        }
        let day = day.to_owned();
        self.exec(move |c| {
            c.prepare_cached(TAKE_QUOTA)?
                .query_row(params![day, budget as i64], |r| r.get::<_, i64>(0))
                .optional()
                .map(|used| used.map(|u| u.max(0) as u64))
        })
        .await
    }

    /// Takes the file for this process, then reads the used tickets: at start, before the server
    /// listens, so no login waits behind the read.
    async fn prepare_to_serve(&self) -> Result<(), StoreError> {
        {
            let mut serving = self.serving.lock();
            if serving.is_none() {
                *serving = Some(lock_for_serving(&self.path)?);
            }
        }
        self.load_claimed_tickets().await
    }

    fn stop_serving(&self) {
        self.serving.lock().take();
    }

    async fn ready(&self) -> Result<(), StoreError> {
        if self.writes.is_closed() {
            return Err(StoreError::Stopped("SQLite writer"));
        }
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())))
    }

    fn shared(&self) -> bool {
        false
    }

    async fn revoke(&self, token_hash: &TokenHash, at: i64) -> Result<bool, StoreError> {
        let hash = *token_hash;
        self.exec(move |c| {
            c.prepare_cached(REVOKE_SESSION)?
                .execute(params![hash.0, at])
                .map(|n| n > 0)
        })
        .await
    }

    async fn add_quota(&self, day: &str, delta: u64) -> Result<u64, StoreError> {
        let day = day.to_owned();
        self.exec(move |c| {
            c.prepare_cached(ADD_QUOTA)?
                .query_row(params![day, delta as i64], |r| r.get::<_, i64>(0))
                .map(|used| used.max(0) as u64)
        })
        .await
    }

    fn kind(&self) -> &'static str {
        "sqlite"
    }
}
