//! The sweep of expired sessions and used tickets.

use std::sync::Arc;

use steam_ticket::{Clock, SystemClock};

use crate::state::AppState;
use crate::store::{Store, Swept};

/// Every `--session-sweep-secs`: [`sweep`] at the time it is.
pub fn spawn_sweeper(state: &Arc<AppState>) {
    let period = state.config.session_sweep_secs;
    if period == 0 {
        return;
    }
    let state = Arc::clone(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(period));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = SystemClock.unix_now() as i64;
            let swept = sweep(&*state.store, now, state.config.session_retention_secs).await;
            state.metrics.sessions_swept(swept.sessions);
            state.metrics.tickets_swept(swept.tickets);
        }
    });
}

/// Deletes, as of `now`, the sessions expired for longer than `retention_secs` (until then they
/// answer "session_expired" rather than "invalid_session"), and the records of used tickets that
/// have expired (an expired ticket is refused offline anyway): a thousand at a time, so that no
/// write waits long behind it. A failure is logged and ends this sweep; the next one tries again.
async fn sweep(store: &dyn Store, now: i64, retention_secs: u64) -> Swept {
    let mut swept = Swept::default();
    let sessions_before = now.saturating_sub(retention_secs.min(i64::MAX as u64) as i64);
    swept.sessions = drain(
        || store.delete_expired(sessions_before, SWEEP_BATCH),
        "expired sessions",
    )
    .await;
    swept.tickets = drain(
        || store.delete_used_tickets(now, SWEEP_BATCH),
        "used tickets",
    )
    .await;
    swept
}

/// Runs `batch` until it deletes fewer than a batch; how many it deleted in all.
async fn drain<F, Fut>(batch: F, what: &str) -> u64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<u64, crate::store::StoreError>>,
{
    let mut total = 0;
    loop {
        match batch().await {
            Ok(n) => {
                total += n;
                if n < u64::from(SWEEP_BATCH) {
                    return total;
                }
                tokio::task::yield_now().await;
            }
            Err(e) => {
                tracing::warn!("cannot delete {what}: {e}");
                return total;
            }
        }
    }
}

const SWEEP_BATCH: u32 = 1_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{sqlite::SqliteStore, NewLogin, TicketKey, TokenHash, UsedTicket};

    const NOW: i64 = 1_900_000_000;
    const RETENTION: u64 = 3_600;

    fn login(steam_id: u64, token: &str, expire: i64, ticket_expire: i64) -> NewLogin {
        NewLogin {
            steam_id,
            owner_steam_id: steam_id,
            candidate_user_id: format!("user-{steam_id}"),
            token_hash: TokenHash::of(token),
            generated: expire - 86_400,
            expire,
            ticket: UsedTicket {
                key: TicketKey::of(steam_id, steam_id ^ 0xabc),
                expire: ticket_expire,
            },
        }
    }

    #[tokio::test]
    async fn the_sweep_keeps_live_and_recently_expired_sessions_and_deletes_older_ones() {
        let dir = std::env::temp_dir().join(format!("sweep-{}-{}", std::process::id(), NOW));
        let store = SqliteStore::open(&dir).unwrap();
        let cases = [
            (1, "live", NOW + 600, true),
            (2, "expired-a-minute-ago", NOW - 60, true),
            (
                3,
                "expired-just-inside-retention",
                NOW - RETENTION as i64 + 1,
                true,
            ),
            (
                4,
                "expired-just-past-retention",
                NOW - RETENTION as i64 - 1,
                false,
            ),
            (5, "expired-long-ago", NOW - 10 * RETENTION as i64, false),
        ];
        for (id, token, expire, _) in cases {
            let ticket_expire = if id % 2 == 0 { NOW - 1 } else { NOW + 1 };
            store
                .record_login(login(76561198000000000 + id, token, expire, ticket_expire))
                .await
                .unwrap();
        }
        let swept = sweep(&store, NOW, RETENTION).await;
        assert_eq!(
            swept,
            Swept {
                sessions: 2,
                tickets: 2
            }
        );
        for (id, token, _, kept) in cases {
            let found = store.session(&TokenHash::of(token)).await.unwrap();
            assert_eq!(found.is_some(), kept, "{token}");
            let ticket = TicketKey::of(76561198000000000 + id, (76561198000000000 + id) ^ 0xabc);
            assert_eq!(
                store.ticket_used(&ticket).await.unwrap(),
                id % 2 == 1,
                "ticket of {token}"
            );
        }
        // Without retention, every expired session goes; a second sweep finds nothing more.
        let swept = sweep(&store, NOW, 0).await;
        assert_eq!(
            swept,
            Swept {
                sessions: 2,
                tickets: 0
            }
        );
        assert!(store
            .session(&TokenHash::of("live"))
            .await
            .unwrap()
            .is_some());
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", dir.display()));
        }
    }
}
