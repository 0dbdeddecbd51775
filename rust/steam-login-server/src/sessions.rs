//! Sessions after a login: the token a request carries (Bearer header or session cookie), the answer
//! that hands a session out (login and refresh alike), and `GET`/`DELETE /api/v1/auth/session` and
//! `POST /api/v1/auth/session/refresh`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steam_login_protocol::{ErrorCode, SessionBody, SessionInfo};

use crate::friends::{stored_friends, Friends};
use crate::http::error::ApiError;
use crate::login::error::STORE_RETRY_AFTER;
use crate::metrics::RefreshOutcome;
use crate::state::AppState;
use crate::store::{Refresh, Refreshed, Store, StoreError, Swept, TokenHash};
use steam_ticket::{Clock, SystemClock};

/// A new session token and a user id for a login that may create its user, from one read of the OS
/// RNG (a syscall each would cost a login more).
pub fn new_token_and_user_id() -> Result<(String, String), getrandom::Error> {
    let mut random = [0u8; 26];
    getrandom::fill(&mut random)?;
    let (mut token_bits, mut user_bits) = ([0u8; 10], [0u8; 16]);
    token_bits.copy_from_slice(&random[..10]);
    user_bits.copy_from_slice(&random[10..]);
    let user_id = uuid::Builder::from_random_bytes(user_bits).into_uuid();
    Ok((token_from(&token_bits), user_id.to_string()))
}

/// A new session token (see [`token_from`]).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random)?;
    Ok(token_from(&random))
}

/// A UUID v7: the current millisecond, then 74 random bits. The time orders the sessions table (see
/// [`TokenHash`]); the random bits are what a guess must hit, beyond reach online and, as the store
/// keeps only a hash of the whole token, from a copy of the database.
fn token_from(random: &[u8; 10]) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    uuid::Builder::from_unix_timestamp_millis(millis, random)
        .into_uuid()
        .to_string()
}

/// A session being handed out.
pub struct Issued<'a> {
    pub user_id: &'a str,
    pub steam_id: u64,
    pub token: &'a str,
    pub generated: i64,
    pub expire: i64,
}

/// The login response (also refresh's), with the session cookie when one is configured.
pub fn session_response(state: &AppState, issued: &Issued<'_>, friends: &Friends) -> Response {
    let steam_id = issued.steam_id.to_string();
    let body = SessionBody::new(
        issued.user_id,
        &steam_id,
        issued.token,
        issued.generated,
        issued.expire,
    )
    .with_friends(&friends.list, friends.first_sync_done);
    let mut response = Json(body).into_response();
    if let Some(name) = &state.config.session_cookie {
        let max_age = (issued.expire - SystemClock.unix_now() as i64).max(0);
        let cookie = cookie::Cookie::build((name.as_str(), issued.token))
            .http_only(true)
            .path("/")
            .max_age(cookie::time::Duration::seconds(max_age))
            .secure(!state.config.session_cookie_insecure)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// The session token of a request: `Authorization: Bearer <token>` (the scheme in any case, RFC
/// 7235), or else the session cookie when `--session-cookie` names one.
fn session_token(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let cookie = || {
        let name = state.config.session_cookie.as_deref()?;
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == name && !c.value().is_empty())
            .map(|c| c.value().to_owned())
    };
    bearer.or_else(cookie).ok_or_else(|| {
        let how = match &state.config.session_cookie {
            Some(name) => {
                format!("send Authorization: Bearer <session token> or the {name} cookie")
            }
            None => "send Authorization: Bearer <session token>".into(),
        };
        ApiError::new(ErrorCode::MissingToken, how).with_status(StatusCode::UNAUTHORIZED)
    })
}

fn store_failed(e: StoreError) -> ApiError {
    if e.is_unavailable() {
        tracing::warn!("session store: {e}");
        return store_unavailable();
    }
    tracing::error!("session store: {e}");
    ApiError::new(ErrorCode::Internal, "the session store failed")
}

/// The answer while the database cannot be reached, for sessions and `/readyz`.
pub fn store_unavailable() -> ApiError {
    ApiError::of(ErrorCode::StoreUnavailable).retry_after(STORE_RETRY_AFTER)
}

pub async fn session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let token = session_token(&state, &headers)?;
    let record = state
        .store
        .session(&TokenHash::of(&token))
        .await
        .map_err(store_failed)?;
    let now = SystemClock.unix_now() as i64;
    match record {
        Some(s) if !s.revoked && s.expire > now => Ok(Json(SessionInfo {
            user_id: s.user_id,
            provider_id: s.steam_id.to_string(),
            generated: s.generated,
            expire: s.expire,
        })),
        Some(s) if s.revoked => Err(revoked()),
        Some(_) => Err(expired()),
        None => Err(ApiError::of(ErrorCode::InvalidSession)),
    }
}

fn revoked() -> ApiError {
    ApiError::of(ErrorCode::SessionRevoked)
}

fn expired() -> ApiError {
    ApiError::of(ErrorCode::SessionExpired)
}

pub async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = session_token(&state, &headers)?;
    let revoked = state
        .store
        .revoke(&TokenHash::of(&token), SystemClock.unix_now() as i64)
        .await
        .map_err(store_failed)?;
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidSession,
            "no such active session",
        ))
    }
}

/// A live session for a new one with a fresh expiry; the old token is revoked. No Steam call: this
/// is how a game that saved its session starts again without spending Web API quota.
pub async fn refresh(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (outcome, response) = match refresh_flow(&state, &headers).await {
        Ok(response) => (RefreshOutcome::Renewed, response),
        Err((outcome, error)) => (outcome, error.into_response()),
    };
    state.metrics.refresh(outcome);
    response
}

async fn refresh_flow(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Response, (RefreshOutcome, ApiError)> {
    let token = session_token(state, headers).map_err(|e| (RefreshOutcome::Missing, e))?;
    let internal = |e: ApiError| (RefreshOutcome::Internal, e);
    let new_token = new_token().map_err(|e| {
        tracing::error!("the OS random number generator failed: {e}");
        internal(ApiError::new(
            ErrorCode::Internal,
            "no randomness for a session token",
        ))
    })?;
    let at = SystemClock.unix_now() as i64;
    let expire = at + state.config.session_ttl as i64;
    let refresh = Refresh {
        old: TokenHash::of(&token),
        new: TokenHash::of(&new_token),
        at,
        expire,
    };
    match state.store.refresh(refresh).await {
        Ok(Refreshed::Renewed { user_id, steam_id }) => {
            tracing::info!(user = %user_id, "session refreshed");
            let issued = Issued {
                user_id: &user_id,
                steam_id,
                token: &new_token,
                generated: at,
                expire,
            };
            let friends = Friends {
                list: stored_friends(state, steam_id).await,
                first_sync_done: true,
            };
            Ok(session_response(state, &issued, &friends))
        }
        Ok(Refreshed::Expired) => Err((RefreshOutcome::Expired, expired())),
        Ok(Refreshed::Revoked) => Err((RefreshOutcome::Revoked, revoked())),
        Ok(Refreshed::Unknown) => Err((
            RefreshOutcome::Invalid,
            ApiError::of(ErrorCode::InvalidSession),
        )),
        Err(e) => Err(internal(store_failed(e))),
    }
}

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
    use crate::store::{sqlite::SqliteStore, NewLogin, TicketKey, UsedTicket};

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

    #[test]
    fn tokens_are_uuid_v7_whose_keys_sort_by_time_and_hide_the_random_bits() {
        use sha2::{Digest, Sha256};
        let (first, user_id) = new_token_and_user_id().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_token().unwrap();
        for token in [&first, &later] {
            let uuid = uuid::Uuid::parse_str(token).unwrap();
            assert_eq!(uuid.get_version_num(), 7, "{token}");
            let key = TokenHash::of(token).0;
            assert_eq!(
                key[..6],
                uuid.as_bytes()[..6],
                "the key leads with the millisecond"
            );
            let hash = Sha256::digest(token.as_bytes());
            assert_eq!(key[6..], hash[..26], "the rest of the key is the hash");
            assert!(!key.windows(10).any(|w| w == &uuid.as_bytes()[6..]));
        }
        assert!(TokenHash::of(&first).0 < TokenHash::of(&later).0);
        assert_ne!(first, later);
        assert_eq!(
            uuid::Uuid::parse_str(&user_id).unwrap().get_version_num(),
            4
        );
        // A token handed out before (a UUID v4) or any other string is keyed by its whole hash.
        for older in [user_id.as_str(), "live"] {
            assert_eq!(
                TokenHash::of(older).0,
                <[u8; 32]>::from(Sha256::digest(older))
            );
        }
    }
}
