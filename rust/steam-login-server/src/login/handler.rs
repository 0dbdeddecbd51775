//! `POST /api/v1/auth/provider/steam/login`: a ticket in, a session out. The request is read, the
//! ticket checked offline, refused if it already logged in or its player is banned, Steam asked
//! (unless the ticket is simulated), the operator's verdict policies applied, the session stored
//! (the ticket marked used in the same transaction), and the player's friends who play added.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steam_login_protocol::LoginRequest;
use steam_ticket::FixedClock;

use super::error::LoginError;
use super::ticket_check::{check_ticket, Checked, Verdict};
use crate::config::{self, Policy};
use crate::encrypted_tickets::CheckedEncrypted;
use crate::friends::friends_of;
use crate::http::client_address::ClientAddress;
use crate::metrics::{Outcome, PolicyCheck, TicketKind};
use crate::sessions::{new_token_and_user_id, Issued};
use crate::state::AppState;
use crate::steam::web_api::{BudgetRefusal, CheckedTicket, Player, TicketAnswer, Upstream};
use crate::store::{NewLogin, Recorded, TokenHash, UsedTicket};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenQuery {
    token: Option<String>,
    encrypted_ticket: Option<String>,
}

/// What a login request presents.
enum Presented<'b> {
    /// A Steam auth ticket's hex (`token`): checked offline, then by Steam's Web API.
    AuthTicket(Cow<'b, str>),
    /// An encrypted app ticket's hex (`encryptedTicket`): read offline with the app's key.
    Encrypted(Cow<'b, str>),
}

/// One login request: what every step reads, made once.
struct LoginContext<'s> {
    state: &'s AppState,
    client: IpAddr,
    /// Unix seconds when the request arrived: the ticket's expiry, bans and the session's times are
    /// all judged at this one time.
    now: i64,
}

pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(address): ConnectInfo<ClientAddress>,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let ctx = LoginContext {
        state: &state,
        client: address.ip,
        now: state.clock.unix_now() as i64,
    };
    let (ticket, app_id, result) = match read_token(&ctx, query, &body) {
        Err(error) => (TicketKind::None, None, Err(error)),
        Ok(Presented::AuthTicket(token)) => match check(&ctx, &token) {
            Err(error) => (TicketKind::Auth, None, Err(error)),
            Ok(checked) => (
                TicketKind::Auth,
                Some(checked.app_id),
                grant(&ctx, checked).await,
            ),
        },
        Ok(Presented::Encrypted(hex)) => {
            let checked = match &state.encrypted {
                None => Err(LoginError::EncryptedTicketsOff),
                Some(encrypted) => encrypted.check(&hex, ctx.now).map_err(LoginError::from),
            };
            match checked {
                Err(error) => (TicketKind::Encrypted, None, Err(error)),
                Ok(checked) => (
                    TicketKind::Encrypted,
                    Some(checked.app_id),
                    grant_encrypted(&ctx, checked).await,
                ),
            }
        }
    };
    let outcome = match &result {
        Ok(_) => Outcome::Ok,
        Err(error) => error.outcome(),
    };
    state
        .metrics
        .login(outcome, app_id, ticket, started.elapsed());
    let client = ctx.client;
    match result {
        Ok(issued) => {
            tracing::info!(outcome = outcome.label(), %client, user = %issued.user_id, steam_id = issued.steam_id, app = app_id, ticket = ticket.label(), "login");
            issued.into_response(&state)
        }
        Err(error) => {
            // The message never holds the ticket, the token or the key; safe to log.
            tracing::info!(outcome = outcome.label(), %client, ticket = ticket.label(), status = error.code().http_status(), code = error.code().as_str(), reason = %error.message(), "login refused");
            error.into_response()
        }
    }
}

/// The request: within the rate limit, and the ticket's hex from the body or the query.
fn read_token<'b>(
    ctx: &LoginContext<'_>,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: &'b [u8],
) -> Result<Presented<'b>, LoginError> {
    ctx.state
        .limiter
        .check(ctx.client)
        .map_err(|retry_after| LoginError::RateLimited { retry_after })?;
    let query = query
        .map_err(|rejection| LoginError::InvalidQuery(rejection.body_text()))?
        .0;
    token_of(body, query)
}

/// The offline checks, each refusal counted.
fn check<'t>(ctx: &LoginContext<'_>, token: &'t str) -> Result<Checked<'t>, LoginError> {
    let state = ctx.state;
    check_ticket(
        token,
        &state.keys,
        &state.config.app_id,
        state.config.simulation,
        &FixedClock(ctx.now as u64),
    )
    .inspect_err(|error| match error {
        LoginError::RejectedLocally(rejection) => {
            state.metrics.local_rejection(Some(rejection.reason))
        }
        _ => state.metrics.local_rejection(None),
    })
}

/// The ticket's hex: `{"token": "..."}` or `{"encryptedTicket": "..."}` in the body, else the same
/// names in the query; one of them.
fn token_of(body: &[u8], query: TokenQuery) -> Result<Presented<'_>, LoginError> {
    if !body.iter().any(|b| !b.is_ascii_whitespace()) {
        return one(
            query.token.map(Cow::Owned),
            query.encrypted_ticket.map(Cow::Owned),
            "send {\"token\": \"<ticket hex>\"} as JSON",
        );
    }
    let request: LoginRequest = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            LoginError::MissingToken(format!("\"token\" must be one string of hex: {e}"))
        } else {
            LoginError::InvalidRequest(format!("request body is not JSON: {e}"))
        }
    })?;
    one(
        request.token,
        request.encrypted_ticket,
        "request body has no \"token\" field",
    )
}

/// A ticket that passed the offline checks to a session: replays and bans refused, Steam asked
/// (unless the ticket is simulated), the policies applied, the session stored.
async fn grant(ctx: &LoginContext<'_>, checked: Checked<'_>) -> Result<Issued, LoginError> {
    refuse_replays_and_bans(ctx, &checked).await?;
    let Checked {
        verdict,
        steam_id: claimed_steam_id,
        app_id,
        used,
    } = checked;
    let (player, asked_steam) = match verdict {
        Verdict::Simulated(player) => (player, false),
        Verdict::AskSteam(ticket) => (ask_steam(ctx.state, ticket).await?, true),
    };
    if player.steam_id != claimed_steam_id {
        // Steam vouches for another SteamID than the ticket names: judge the one Steam named.
        active_ban(ctx, player.steam_id).map_or(Ok(()), Err)?;
    }
    apply_policies(ctx.state, &player, app_id, asked_steam).await?;
    issue_session(ctx, &player, used).await
}

/// Exactly one of the two tickets; `missing` says what to send when there is none.
fn one<'b>(
    token: Option<Cow<'b, str>>,
    encrypted: Option<Cow<'b, str>>,
    missing: &str,
) -> Result<Presented<'b>, LoginError> {
    match (token, encrypted) {
        (Some(token), None) => Ok(Presented::AuthTicket(token)),
        (None, Some(encrypted)) => Ok(Presented::Encrypted(encrypted)),
        (None, None) => Err(LoginError::MissingToken(missing.to_owned())),
        (Some(_), Some(_)) => Err(LoginError::MissingToken(
            "send \"token\" or \"encryptedTicket\", not both".into(),
        )),
    }
}

/// An encrypted app ticket that passed its offline checks to a session: no Steam call. Bans and
/// the operator's policies apply as for a ticket Steam judged (a borrowed licence as Family
/// Sharing); the nonce is claimed in the session's transaction.
async fn grant_encrypted(
    ctx: &LoginContext<'_>,
    checked: CheckedEncrypted,
) -> Result<Issued, LoginError> {
    let CheckedEncrypted {
        player,
        app_id,
        used,
    } = checked;
    active_ban(ctx, player.steam_id).map_or(Ok(()), Err)?;
    apply_policies(ctx.state, &player, app_id, false).await?;
    issue_session(ctx, &player, used)
        .await
        .map_err(|error| match error {
            LoginError::TicketReused => LoginError::NonceReused,
            other => other,
        })
}

/// Before Steam is asked (which costs quota): a ticket that already logged in, and a player the
/// operator banned, are refused.
async fn refuse_replays_and_bans(
    ctx: &LoginContext<'_>,
    checked: &Checked<'_>,
) -> Result<(), LoginError> {
    let used = ctx
        .state
        .store
        .ticket_used(&checked.used.key)
        .await
        .map_err(|e| LoginError::from_store(e, "the login could not be checked"))?;
    if used {
        return Err(LoginError::TicketReused);
    }
    active_ban(ctx, checked.steam_id).map_or(Ok(()), Err)
}

/// The operator's ban on `steam_id` in force now (as this instance knows them: `bans`), as the
/// refusal it causes.
fn active_ban(ctx: &LoginContext<'_>, steam_id: u64) -> Option<LoginError> {
    ctx.state
        .bans
        .active(steam_id, ctx.now)
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

async fn issue_session(
    ctx: &LoginContext<'_>,
    player: &Player,
    used: UsedTicket,
) -> Result<Issued, LoginError> {
    let state = ctx.state;
    let generated = ctx.now;
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
    Ok(Issued {
        user_id,
        steam_id: player.steam_id,
        token,
        generated,
        expire,
        friends,
    })
}
