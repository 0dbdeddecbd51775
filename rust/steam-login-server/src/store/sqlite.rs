//! SQLite in WAL mode. Writes go through one thread that commits whatever is queued in a single
//! transaction (group commit), which is what lets one file keep up with thousands of logins a second;
//! reads use their own connections.

use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::thread;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension, Statement};
use tokio::sync::{mpsc, oneshot};

use super::used_ticket_filter::UsedTicketFilter;
use super::{
    refused, sql, Ban, NewLogin, Recorded, Refresh, Refreshed, SessionRecord, Store, StoreError,
    TicketKey, TokenHash, UserRecord,
};

/// Bumped whenever the tables change; a file with another version is refused rather than misread,
/// except the versions listed in `UPGRADABLE`, whose tables are a subset of these.
const SCHEMA_VERSION: i64 = 2;
/// Version 1 lacked used tickets, bans and friends: creating those tables upgrades it.
const UPGRADABLE: &[i64] = &[1];

/// Users are keyed by SteamID (the rowid), so the login upsert is one B-tree lookup. Sessions are a
/// `WITHOUT ROWID` table keyed by the 32-byte token hash: one B-tree instead of a table plus an index.
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
    ticket_key BLOB PRIMARY KEY,
    expire INTEGER NOT NULL
) WITHOUT ROWID;
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

/// `$N` in SQLite names a parameter, numbered by first appearance (`$2 … $1` binds `$2` first);
/// `?N` is the exact index PostgreSQL's `$N` means. The shared statements are rewritten at compile
/// time.
macro_rules! sqlite_placeholders {
    ($sql:expr) => {{
        const SQL: &str = $sql;
        const BYTES: [u8; SQL.len()] = dollars_to_question_marks(SQL);
        match std::str::from_utf8(&BYTES) {
            Ok(sql) => sql,
            Err(_) => panic!("a one-byte swap keeps UTF-8 valid"),
        }
    }};
}

const fn dollars_to_question_marks<const N: usize>(sql: &str) -> [u8; N] {
    let bytes = sql.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = if bytes[i] == b'$' { b'?' } else { bytes[i] };
        i += 1;
    }
    out
}

const UPSERT_USER: &str = sqlite_placeholders!(sql::UPSERT_USER);
const INSERT_SESSION: &str = sqlite_placeholders!(sql::INSERT_SESSION);
const SELECT_USER: &str = sqlite_placeholders!(sql::SELECT_USER);
const SELECT_SESSION: &str = sqlite_placeholders!(sql::SELECT_SESSION);
const REVOKE_SESSION: &str = sqlite_placeholders!(sql::REVOKE_SESSION);
const ADD_QUOTA: &str = sqlite_placeholders!(sql::ADD_QUOTA);
const TAKE_QUOTA: &str = sqlite_placeholders!(sql::TAKE_QUOTA);
const REVOKE_LIVE_SESSION: &str = sqlite_placeholders!(sql::REVOKE_LIVE_SESSION);
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = ?1";
const CLAIM_TICKET: &str =
    "INSERT INTO used_tickets (ticket_key, expire) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
/// No index on `expire`: one would cost every login another B-tree insert and another WAL page
/// written (seen as +1.1 `pwrite` per login under strace). The sweep scans instead, on a connection
/// of its own.
const SELECT_EXPIRED: &str =
    sqlite_placeholders!("SELECT token_hash FROM sessions WHERE expire < $1 LIMIT $2");

/// Loads the [`UsedTicketFilter`].
const SELECT_USED_TICKET_KEYS: &str = "SELECT ticket_key FROM used_tickets";

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

enum Write {
    Login(NewLogin, oneshot::Sender<Result<Recorded, StoreError>>),
    Revoke(TokenHash, i64, oneshot::Sender<Result<bool, StoreError>>),
    Quota(String, u64, oneshot::Sender<Result<u64, StoreError>>),
    TakeQuota(
        String,
        u64,
        oneshot::Sender<Result<Option<u64>, StoreError>>,
    ),
    Refresh(Refresh, oneshot::Sender<Result<Refreshed, StoreError>>),
    DeleteSessions(Vec<TokenHash>, oneshot::Sender<Result<u64, StoreError>>),
    /// A rare write (an operator's command, a friends sync, the used-ticket sweep), run on the
    /// writer's connection; called with the failure instead when the batch cannot run.
    Exec(Job),
}

/// See [`Write::Exec`].
type Job = Box<dyn FnOnce(Result<&Connection, &str>) -> Option<Reply> + Send>;

pub struct SqliteStore {
    path: std::path::PathBuf,
    writes: mpsc::UnboundedSender<Write>,
    reader: Mutex<Connection>,
    /// Spares the replay check a database read for tickets never claimed.
    used_tickets: UsedTicketFilter,
}

fn db_error(e: rusqlite::Error) -> StoreError {
    StoreError::Query(e.to_string())
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
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
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(writer, rx, &restart))
            .map_err(|e| StoreError::Open(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writes: tx,
            reader: Mutex::new(reader),
            used_tickets: UsedTicketFilter::default(),
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

/// Creates the tables in a new file, or checks that an existing file has this version's tables.
fn create_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
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
    conn.execute_batch(SCHEMA).map_err(db_error)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(db_error)
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

/// WAL frames (4 KiB pages) beyond which the log is started over instead of growing.
const WAL_RESTART_FRAMES: i64 = 16_384;
/// WAL frames (1 GiB) beyond which the writer starts the log over even while logins wait.
const WAL_FORCED_RESTART_FRAMES: i64 = 262_144;
/// What the checkpointer asks of the writer.
const RESTART_NO: u8 = 0;
const RESTART_WHEN_IDLE: u8 = 1;
const RESTART_FORCED: u8 = 2;
/// Frames the writer may have to copy itself to let the log start over.
const WAL_RESTART_BACKLOG: i64 = 256;

/// `(frames in the log, frames copied into the database)` after a PASSIVE checkpoint, which never
/// waits for the writer or readers.
fn passive_checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
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
fn checkpoint_loop(conn: Connection, restart: &AtomicU8) {
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

/// The writer's statements, prepared once: a login runs two of them, thousands of times a second.
struct WriteStatements<'c> {
    conn: &'c Connection,
    savepoint: Statement<'c>,
    release: Statement<'c>,
    rollback_to: Statement<'c>,
    claim_ticket: Statement<'c>,
    upsert_user: Statement<'c>,
    insert_session: Statement<'c>,
    revoke_session: Statement<'c>,
    add_quota: Statement<'c>,
    take_quota: Statement<'c>,
    revoke_live_session: Statement<'c>,
    select_session: Statement<'c>,
    delete_session: Statement<'c>,
}

impl<'c> WriteStatements<'c> {
    fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        Ok(WriteStatements {
            conn,
            savepoint: conn.prepare("SAVEPOINT login")?,
            release: conn.prepare("RELEASE login")?,
            rollback_to: conn.prepare("ROLLBACK TO login")?,
            claim_ticket: conn.prepare(CLAIM_TICKET)?,
            upsert_user: conn.prepare(UPSERT_USER)?,
            insert_session: conn.prepare(INSERT_SESSION)?,
            revoke_session: conn.prepare(REVOKE_SESSION)?,
            add_quota: conn.prepare(ADD_QUOTA)?,
            take_quota: conn.prepare(TAKE_QUOTA)?,
            revoke_live_session: conn.prepare(REVOKE_LIVE_SESSION)?,
            select_session: conn.prepare(SELECT_SESSION)?,
            delete_session: conn.prepare(DELETE_SESSION)?,
        })
    }

    /// Runs one write inside the batch's transaction; the reply is sent once the commit's fate is
    /// known.
    fn apply(&mut self, op: Write) -> Reply {
        match op {
            Write::Login(login, sender) => deliver(sender, self.record_login(&login)),
            Write::Revoke(hash, at, sender) => deliver(
                sender,
                self.revoke_session
                    .execute(params![hash.0, at])
                    .map(|n| n > 0),
            ),
            Write::Quota(day, delta, sender) => deliver(
                sender,
                self.add_quota
                    .query_row(params![day, delta as i64], |r| r.get::<_, i64>(0))
                    .map(|used| used.max(0) as u64),
            ),
            Write::TakeQuota(day, budget, sender) => {
                let taken = if budget == 0 {
                    Ok(None)
                } else {
                    self.take_quota
                        .query_row(params![day, budget as i64], |r| r.get::<_, i64>(0))
                        .optional()
                        .map(|used| used.map(|u| u.max(0) as u64))
                };
                deliver(sender, taken)
            }
            Write::Refresh(refresh, sender) => deliver(sender, self.refresh(&refresh)),
            Write::DeleteSessions(hashes, sender) => {
                let deleted = hashes.iter().try_fold(0u64, |n, hash| {
                    Ok::<_, rusqlite::Error>(
                        n + self.delete_session.execute(params![hash.0])? as u64,
                    )
                });
                deliver(sender, deleted)
            }
            Write::Exec(job) => match job(Ok(self.conn)) {
                Some(reply) => reply,
                None => Box::new(|_| {}),
            },
        }
    }

    fn refresh(&mut self, refresh: &Refresh) -> rusqlite::Result<Refreshed> {
        let live: Option<(String, i64)> = self
            .revoke_live_session
            .query_row(params![refresh.old.0, refresh.at], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((user_id, steam_id)) = live else {
            let existing = self
                .select_session
                .query_row(params![refresh.old.0], session_record)
                .optional()?;
            return Ok(refused(existing));
        };
        self.insert_session.execute(params![
            refresh.new.0,
            user_id,
            steam_id,
            refresh.at,
            refresh.expire
        ])?;
        Ok(Refreshed::Renewed {
            user_id,
            steam_id: steam_id as u64,
        })
    }

    /// One login, all or nothing within the batch's transaction (a savepoint), so that a failed
    /// session insert does not leave its ticket spent.
    fn record_login(&mut self, login: &NewLogin) -> rusqlite::Result<Recorded> {
        self.savepoint.execute([])?;
        let recorded = self.record_login_steps(login);
        let end = if recorded.is_ok() {
            &mut self.release
        } else {
            &mut self.rollback_to
        };
        end.execute([])?;
        if recorded.is_err() {
            self.release.execute([])?;
        }
        recorded
    }

    fn record_login_steps(&mut self, login: &NewLogin) -> rusqlite::Result<Recorded> {
        let claimed = self
            .claim_ticket
            .execute(params![login.ticket.key.0, login.ticket.expire])?;
        if claimed == 0 {
            return Ok(Recorded::TicketReused);
        }
        let user_id: String = self.upsert_user.query_row(
            params![
                login.candidate_user_id,
                login.steam_id as i64,
                login.owner_steam_id as i64,
                login.generated
            ],
            |r| r.get(0),
        )?;
        self.insert_session.execute(params![
            login.token_hash.0,
            user_id,
            login.steam_id as i64,
            login.generated,
            login.expire
        ])?;
        Ok(Recorded::Login { user_id })
    }
}

fn write_loop(conn: Connection, mut rx: mpsc::UnboundedReceiver<Write>, restart: &AtomicU8) {
    let mut statements = match WriteStatements::prepare(&conn) {
        Ok(statements) => statements,
        Err(e) => {
            let message = format!("cannot prepare the SQLite writer's statements: {e}");
            tracing::error!("{message}");
            while let Some(op) = rx.blocking_recv() {
                fail(op, &message);
            }
            return;
        }
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        // Only this thread writes, so the transaction cannot nest.
        let tx = match conn.unchecked_transaction() {
            Ok(tx) => tx,
            Err(e) => {
                let message = e.to_string();
                for op in batch.drain(..) {
                    fail(op, &message);
                }
                continue;
            }
        };
        let mut replies = Vec::with_capacity(batch.len());
        for op in batch.drain(..) {
            replies.push(statements.apply(op));
        }
        let committed = tx.commit().map_err(|e| e.to_string());
        for reply in replies {
            reply(committed.clone());
        }
        // Between batches nothing else writes, so this copy completes, and the next transaction
        // starts the log over. It copies only the last few batches (the checkpointer did the rest),
        // but its fsyncs took 15-35 ms under load here: done when no login waits, unless the log
        // has grown past the hard limit.
        let wanted = restart.load(Ordering::Relaxed);
        if wanted == RESTART_FORCED || (wanted == RESTART_WHEN_IDLE && rx.is_empty()) {
            match passive_checkpoint(&conn) {
                Ok((log, copied)) if log == copied => restart.store(RESTART_NO, Ordering::Relaxed),
                Ok(_) => {}
                Err(e) => tracing::warn!("SQLite checkpoint failed: {e}"),
            }
        }
    }
}

/// A `SELECT_SESSION` row.
fn session_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        user_id: r.get(0)?,
        steam_id: r.get::<_, i64>(1)? as u64,
        generated: r.get(2)?,
        expire: r.get(3)?,
        revoked: r.get::<_, Option<i64>>(4)?.is_some(),
    })
}

type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The reply for one write: its own result, or the commit's failure.
fn deliver<T: Send + 'static>(
    sender: oneshot::Sender<Result<T, StoreError>>,
    result: rusqlite::Result<T>,
) -> Reply {
    Box::new(move |committed: Result<(), String>| {
        let outcome = match (result, committed) {
            (Ok(value), Ok(())) => Ok(value),
            (Err(e), _) => Err(db_error(e)),
            (Ok(_), Err(e)) => Err(StoreError::Query(format!("commit failed: {e}"))),
        };
        let _ = sender.send(outcome);
    })
}

fn fail(op: Write, message: &str) {
    let error = || StoreError::Query(message.to_owned());
    match op {
        Write::Login(_, s) => drop(s.send(Err(error()))),
        Write::Revoke(_, _, s) => drop(s.send(Err(error()))),
        Write::Quota(_, _, s) => drop(s.send(Err(error()))),
        Write::TakeQuota(_, _, s) => drop(s.send(Err(error()))),
        Write::Refresh(_, s) => drop(s.send(Err(error()))),
        Write::DeleteSessions(_, s) => drop(s.send(Err(error()))),
        Write::Exec(job) => drop(job(Err(message))),
    }
}

/// A `SELECT_ACTIVE_BAN` / `SELECT_BANS` row.
fn ban_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ban> {
    Ok(Ban {
        steam_id: r.get::<_, i64>(0)? as u64,
        reason: r.get(1)?,
        banned_at: r.get(2)?,
        until: r.get(3)?,
    })
}

impl SqliteStore {
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
        let key = login.ticket.key;
        let recorded = self.write(|reply| Write::Login(login, reply)).await?;
        // Claimed now, or by a login this one raced.
        self.used_tickets.insert(&key);
        Ok(recorded)
    }

    async fn ticket_used(&self, key: &TicketKey) -> Result<bool, StoreError> {
        let may_be_used = self.used_tickets.may_contain(key, || {
            self.read(|c| {
                let mut keys = Vec::new();
                let mut select = c.prepare(SELECT_USED_TICKET_KEYS)?;
                let mut rows = select.query([])?;
                while let Some(row) = rows.next()? {
                    // A key of another length cannot be any ticket's: nothing to remember.
                    if let Ok(key) = row.get::<_, Vec<u8>>(0)?.try_into() {
                        keys.push(TicketKey(key));
                    }
                }
                Ok(keys)
            })
        })?;
        if !may_be_used {
            return Ok(false);
        }
        self.read(|c| {
            c.prepare_cached(sqlite_placeholders!(sql::SELECT_TICKET_USED))?
                .exists(params![key.0])
        })
    }

    async fn delete_used_tickets(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let swept = self
            .exec(move |c| {
                c.prepare_cached(sqlite_placeholders!(sql::DELETE_USED_TICKETS))?
                    .query_map(params![before, i64::from(limit)], |r| {
                        r.get::<_, Vec<u8>>(0)
                    })?
                    .map(|key| Ok(key?.try_into().ok().map(TicketKey)))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let deleted = swept.len() as u64;
        self.used_tickets
            .remove_all(&swept.into_iter().flatten().collect::<Vec<_>>());
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
                .write(|reply| Write::DeleteSessions(hashes, reply))
                .await?;
        }
        Ok(deleted)
    }

    async fn take_quota(&self, day: &str, budget: u64) -> Result<Option<u64>, StoreError> {
        let day = day.to_owned();
        self.write(|reply| Write::TakeQuota(day, budget, reply))
            .await
    }

    fn shared(&self) -> bool {
        false
    }

    async fn revoke(&self, token_hash: &TokenHash, at: i64) -> Result<bool, StoreError> {
        let hash = *token_hash;
        self.write(|reply| Write::Revoke(hash, at, reply)).await
    }

    async fn add_quota(&self, day: &str, delta: u64) -> Result<u64, StoreError> {
        let day = day.to_owned();
        self.write(|reply| Write::Quota(day, delta, reply)).await
    }

    fn kind(&self) -> &'static str {
        "sqlite"
    }
}
