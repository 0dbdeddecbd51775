//! `POST /api/v1/auth/provider/steam/login`: a ticket in, a session out. The request is read, the
//! ticket checked offline, refused if it already logged in or its player is banned, Steam asked
//! (unless the ticket is simulated), the operator's verdict policies applied, the session stored
//! (the ticket marked used in the same transaction), and the player's friends who play added.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steam_login_protocol::LoginRequest;
use steam_ticket::SystemClock;

use super::error::LoginError;
use super::ticket_check::{check_ticket, Checked, Verdict};
use crate::config::{self, Policy};
use crate::friends::{friends_of, Friends};
use crate::http::client_address::ClientAddress;
use crate::metrics::{Outcome, PolicyCheck};
use crate::sessions::{new_token_and_user_id, session_response, Issued};
use crate::state::AppState;
use crate::steam::web_api::{BudgetRefusal, CheckedTicket, Player, TicketAnswer, Upstream};
use crate::store::{NewLogin, Recorded, TokenHash, UsedTicket};
use steam_ticket::Clock;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(address): ConnectInfo<ClientAddress>,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let client = address.ip;
    let mut app_id = None;
    let result = login_flow(&state, client, query, &body, &mut app_id).await;
    let outcome = match &result {
        Ok(_) => Outcome::Ok,
        Err(error) => error.outcome(),
    };
    state.metrics.login(outcome, app_id, started.elapsed());
    match result {
        Ok(granted) => {
            tracing::info!(outcome = outcome.label(), %client, user = %granted.user_id, steam_id = granted.steam_id, app = granted.app_id, "login");
            let issued = Issued {
                user_id: &granted.user_id,
                steam_id: granted.steam_id,
                token: &granted.token,
                generated: granted.generated,
                expire: granted.expire,
            };
            session_response(&state, &issued, &granted.friends)
        }
        Err(error) => {
            // The message never holds the ticket, the token or the key; safe to log.
            tracing::info!(outcome = outcome.label(), %client, status = error.code().http_status(), code = error.code().as_str(), reason = %error.message(), "login refused");
            error.into_response()
        }
    }
}

async fn login_flow(
    state: &AppState,
    client: IpAddr,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: &[u8],
    app_id: &mut Option<u32>,
) -> Result<Granted, LoginError> {
    state
        .limiter
        .check(client)
        .map_err(|retry_after| LoginError::RateLimited { retry_after })?;
    let query_token = query
        .map_err(|rejection| LoginError::InvalidQuery(rejection.body_text()))?
        .0
        .token;
    let request: LoginRequest;
    let token = if body.iter().any(|b| !b.is_ascii_whitespace()) {
        request = serde_json::from_slice(body).map_err(|e| {
            if e.is_data() {
                LoginError::MissingToken(format!("\"token\" must be one string of hex: {e}"))
            } else {
                LoginError::InvalidRequest(format!("request body is not JSON: {e}"))
            }
        })?;
        request
            .token
            .as_deref()
            .ok_or_else(|| LoginError::MissingToken("request body has no \"token\" field".into()))?
    } else {
        query_token.as_deref().ok_or_else(|| {
            LoginError::MissingToken("send {\"token\": \"<ticket hex>\"} as JSON".into())
        })?
    };
    let checked = check_ticket(
        token,
        &state.keys,
        &state.config.app_id,
        state.config.simulation,
        &SystemClock,
    )
    .inspect_err(|error| match error {
        LoginError::RejectedLocally(rejection) => {
            state.metrics.local_rejection(Some(rejection.reason))
        }
        _ => state.metrics.local_rejection(None),
    })?;
    *app_id = Some(checked.app_id);
    let claimed_steam_id = checked.steam_id;
    refuse_replays_and_bans(state, &checked, claimed_steam_id).await?;
    let Checked {
        verdict,
        app_id,
        used,
        ..
    } = checked;
    let (player, asked_steam) = match verdict {
        Verdict::Simulated(player) => (player, false),
        Verdict::AskSteam(ticket) => (ask_steam(state, ticket).await?, true),
    };
    if player.steam_id != claimed_steam_id {
        // Steam vouches for another SteamID than the ticket names: judge the one Steam named.
        active_ban(state, player.steam_id).map_or(Ok(()), Err)?;
    }
    apply_policies(state, &player, app_id, asked_steam).await?;
    issue_session(state, &player, app_id, used).await
}

/// Before Steam is asked (which costs quota): a ticket that already logged in, and a player the
/// operator banned, are refused.
async fn refuse_replays_and_bans(
    state: &AppState,
    checked: &Checked<'_>,
    steam_id: u64,
) -> Result<(), LoginError> {
    let used = state
        .store
        .ticket_used(&checked.used.key)
        .await
        .map_err(|e| LoginError::from_store(e, "the login could not be checked"))?;
    if used {
        return Err(LoginError::TicketReused);
    }
    active_ban(state, steam_id).map_or(Ok(()), Err)
}

/// The operator's ban on `steam_id` in force now (as this instance knows them: `bans`), as the
/// refusal it causes.
fn active_ban(state: &AppState, steam_id: u64) -> Option<LoginError> {
    let now = SystemClock.unix_now() as i64;
    state
        .bans
        .active(steam_id, now)
        .map(|ban| LoginError::OperatorBanned {
            reason: ban.reason,
            until: ban.until,
        })
}

fn refused(error: BudgetRefusal, state: &AppState) -> LoginError {
    match error {
        BudgetRefusal::Spent => LoginError::QuotaExhausted {
            retry_after: state.quota.seconds_until_reset(),
        },
        BudgetRefusal::Unavailable(_) => LoginError::QuotaUnavailable,
    }
}

/// What Steam's answer means for a login, whatever the endpoint asked.
fn upstream_failure<T>(answer: Upstream<T>) -> Result<T, LoginError> {
    match answer {
        Upstream::Answer(answer) => Ok(answer),
        Upstream::BadKey => Err(LoginError::SteamKeyRejected),
        Upstream::Throttled { retry_after } => Err(LoginError::SteamThrottled {
            retry_after: retry_after.unwrap_or(60),
        }),
        Upstream::Timeout => Err(LoginError::SteamTimeout),
        Upstream::Fault(message) => Err(LoginError::SteamFault(message)),
    }
}

async fn ask_steam(state: &AppState, ticket: CheckedTicket<'_>) -> Result<Player, LoginError> {
    let Some(steam) = &state.steam else {
        return Err(LoginError::NoWebApiKey);
    };
    let answer = steam
        .authenticate(ticket, &*state.metrics, &*state.quota)
        .await;
    match upstream_failure(answer.map_err(|e| refused(e, state))?)? {
        TicketAnswer::Valid(player) => Ok(player),
        TicketAnswer::Rejected { code, description } => {
            Err(LoginError::RejectedBySteam { code, description })
        }
    }
}

/// The operator's verdict policies, each decision counted: publisher bans (always refused), VAC
/// bans and Family Sharing (per flag), and ownership (`--check-ownership`, only for tickets Steam
/// judged: a simulated ticket has no owner to look up).
async fn apply_policies(
    state: &AppState,
    player: &Player,
    app_id: u32,
    asked_steam: bool,
) -> Result<(), LoginError> {
    let config = &state.config;
    let decide = |check: PolicyCheck, allowed: bool, denial: LoginError| {
        state.metrics.policy(check, allowed);
        if allowed {
            Ok(())
        } else {
            Err(denial)
        }
    };
    if player.publisher_banned {
        decide(
            PolicyCheck::PublisherBan,
            false,
            LoginError::PublisherBanned,
        )?;
    }
    if player.vac_banned {
        let allowed = config.policy(app_id, config::PolicyCheck::VacBanned) == Policy::Allow;
        decide(PolicyCheck::VacBan, allowed, LoginError::VacBanned)?;
    }
    if player.owner_steam_id != player.steam_id {
        let allowed = config.policy(app_id, config::PolicyCheck::FamilySharing) == Policy::Allow;
        decide(
            PolicyCheck::FamilySharing,
            allowed,
            LoginError::FamilyShared,
        )?;
    }
    if config.check_ownership && asked_steam {
        let Some(steam) = &state.steam else {
            return Err(LoginError::NoWebApiKey);
        };
        let answer = steam
            .owns_app(player.steam_id, app_id, &*state.metrics, &*state.quota)
            .await;
        let owns = upstream_failure(answer.map_err(|e| refused(e, state))?)?;
        decide(PolicyCheck::Ownership, owns, LoginError::NotOwner)?;
    }
    Ok(())
}

/// A session issued for a login.
struct Granted {
    user_id: String,
    steam_id: u64,
    app_id: u32,
    token: String,
    generated: i64,
    expire: i64,
    friends: Friends,
}

async fn issue_session(
    state: &AppState,
    player: &Player,
    app_id: u32,
    used: UsedTicket,
) -> Result<Granted, LoginError> {
    let generated = SystemClock.unix_now() as i64;
    let expire = generated + state.config.session_ttl as i64;
    let (token, candidate_user_id) = new_token_and_user_id().map_err(|e| {
        tracing::error!("the OS random number generator failed: {e}");
        LoginError::Internal("no randomness for a session token")
    })?;
    let login = NewLogin {
        steam_id: player.steam_id,
        owner_steam_id: player.owner_steam_id,
        candidate_user_id,
        token_hash: TokenHash::of(&token),
        generated,
        expire,
        ticket: used,
    };
    let written = std::time::Instant::now();
    let recorded = state.store.record_login(login).await;
    state.metrics.store_write(written.elapsed());
    let user_id =
        match recorded.map_err(|e| LoginError::from_store(e, "the session could not be stored"))? {
            Recorded::Login { user_id } => user_id,
            // A concurrent login with the same ticket was recorded first.
            Recorded::TicketReused => return Err(LoginError::TicketReused),
        };
    let friends = friends_of(state, player.steam_id).await;
    Ok(Granted {
        user_id,
        steam_id: player.steam_id,
        app_id,
        token,
        generated,
        expire,
        friends,
    })
}
