//! The one thread that writes: it commits whatever is queued in a single transaction (group
//! commit), which is what lets one file keep up with thousands of logins a second.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, Statement};
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::{passive_checkpoint, RESTART_FORCED, RESTART_NO, RESTART_WHEN_IDLE};
use super::claimed_tickets::ClaimedTickets;
use super::connection::db_error;
use super::statements::{
    session_record, APPEND_USED_TICKET, INSERT_SESSION, INSERT_USER, REVOKE_LIVE_SESSION,
    SELECT_SESSION, SELECT_USER_ID, TOUCH_USER,
};
use crate::store::{refused, NewLogin, Recorded, Refresh, Refreshed, StoreError, TicketKey};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// A write for the writer thread. The two a game makes at its rate have statements of their own;
/// every other is a job.
pub(super) enum Write {
    Login(NewLogin, oneshot::Sender<Result<Recorded, StoreError>>),
    Refresh(Refresh, oneshot::Sender<Result<Refreshed, StoreError>>),
    /// A write made far less often (a logout, a quota flush, a sweep, an operator's command, a
    /// friends sync), run on the writer's connection with its statement cached there; called with
    /// the failure instead when the batch cannot run.
    Exec(Job),
}

/// See [`Write::Exec`].
type Job = Box<dyn FnOnce(Result<&Connection, &str>) -> Option<Reply> + Send>;

/// The writer's statements, prepared once: a login runs four of them, thousands of times a second;
/// and the tickets claimed by the batch being written, given back if it does not commit.
struct WriteStatements<'c> {
    conn: &'c Connection,
    claimed: &'c ClaimedTickets,
    claimed_in_batch: Vec<TicketKey>,
    savepoint: Statement<'c>,
    release: Statement<'c>,
    rollback_to: Statement<'c>,
    append_used_ticket: Statement<'c>,
    select_user_id: Statement<'c>,
    touch_user: Statement<'c>,
    insert_user: Statement<'c>,
    insert_session: Statement<'c>,
    revoke_live_session: Statement<'c>,
    select_session: Statement<'c>,
}

impl<'c> WriteStatements<'c> {
    fn prepare(conn: &'c Connection, claimed: &'c ClaimedTickets) -> rusqlite::Result<Self> {
        Ok(WriteStatements {
            conn,
            claimed,
            claimed_in_batch: Vec::new(),
            savepoint: conn.prepare("SAVEPOINT login")?,
            release: conn.prepare("RELEASE login")?,
            rollback_to: conn.prepare("ROLLBACK TO login")?,
            append_used_ticket: conn.prepare(APPEND_USED_TICKET)?,
            select_user_id: conn.prepare(SELECT_USER_ID)?,
            touch_user: conn.prepare(TOUCH_USER)?,
            insert_user: conn.prepare(INSERT_USER)?,
            insert_session: conn.prepare(INSERT_SESSION)?,
            revoke_live_session: conn.prepare(REVOKE_LIVE_SESSION)?,
            select_session: conn.prepare(SELECT_SESSION)?,
        })
    }

    /// Runs one write inside the batch's transaction; the reply is sent once the commit's fate is
    /// known.
    fn apply(&mut self, op: Write) -> Reply {
        match op {
            Write::Login(login, sender) => deliver(sender, self.record_login(&login)),
            Write::Refresh(refresh, sender) => deliver(sender, self.refresh(&refresh)),
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

    /// One login, all or nothing within the batch's transaction (a savepoint, and the claim given
    /// back), so that a failed session insert does not leave its ticket spent.
    fn record_login(&mut self, login: &NewLogin) -> rusqlite::Result<Recorded> {
        let key = login.ticket.key;
        self.claimed.load_from(self.conn)?;
        if !self.claimed.claim(&key) {
            return Ok(Recorded::TicketReused);
        }
        let recorded = self.record_claimed_login(login);
        match recorded {
            Ok(_) => self.claimed_in_batch.push(key),
            Err(_) => self.claimed.release(&[key]),
        }
        recorded
    }

    fn record_claimed_login(&mut self, login: &NewLogin) -> rusqlite::Result<Recorded> {
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
        self.append_used_ticket
            .execute(params![login.ticket.key.0, login.ticket.expire])?;
        let steam_id = login.steam_id as i64;
        let known: Option<String> = self
            .select_user_id
            .query_row(params![steam_id], |r| r.get(0))
            .optional()?;
        let user_id = match known {
            Some(user_id) => {
                self.touch_user.execute(params![
                    steam_id,
                    login.owner_steam_id as i64,
                    login.generated
                ])?;
                user_id
            }
            None => {
                self.insert_user.execute(params![
                    login.candidate_user_id,
                    steam_id,
                    login.owner_steam_id as i64,
                    login.generated
                ])?;
                login.candidate_user_id.clone()
            }
        };
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

pub(super) fn write_loop(
    conn: Connection,
    mut rx: mpsc::UnboundedReceiver<Write>,
    restart: &AtomicU8,
    claimed: Arc<ClaimedTickets>,
) {
    let mut statements = match WriteStatements::prepare(&conn, &claimed) {
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
        if committed.is_err() {
            claimed.release(&statements.claimed_in_batch);
        }
        statements.claimed_in_batch.clear();
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

pub(super) type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The reply for one write: its own result, or the commit's failure.
pub(super) fn deliver<T: Send + 'static>(
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
        Write::Refresh(_, s) => drop(s.send(Err(error()))),
        Write::Exec(job) => drop(job(Err(message))),
    }
}
