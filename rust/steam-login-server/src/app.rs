//! The HTTP API: state, router and handlers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use steam_login_protocol::{
    LoginRequest, SessionBody, SessionInfo, HEALTH_PATH, LOGIN_PATH, METRICS_PATH, SESSION_PATH,
};
use steam_ticket::{KeyRing, SystemClock, TrustedKey};

use crate::config::{Config, VacPolicy};
use crate::error::ApiError;
use crate::limits::{self, RequestLimits};
use crate::login_error::LoginError;
use crate::metrics::{Metrics, Outcome};
use crate::quota::{unix_now, QuotaGuard};
use crate::rate_limit::RateLimiter;
use crate::steam_api::{Player, SteamAnswer, SteamWebApi};
use crate::store::{self, NewLogin, Store, TokenHash};
use crate::ticket_check::{check_ticket, Verdict};

/// Request bodies above this are refused: a ticket is at most 5,120 hex characters.
const BODY_LIMIT: usize = 8 * 1024;

pub struct AppState {
    pub config: Config,
    keys: KeyRing,
    steam: Option<SteamWebApi>,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub quota: Arc<QuotaGuard>,
    limiter: RateLimiter,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

impl AppState {
    /// Validates the configuration and opens the store. Refuses to start without a Web API key unless
    /// `--simulation` was asked for explicitly.
    pub async fn new(config: Config) -> Result<Arc<Self>, StartupError> {
        if config.web_api_key.is_none() && !config.simulation {
            return Err(StartupError(
                "no Steam Web API key: set STEAM_WEB_API_KEY (or --web-api-key), or pass --simulation for offline development".into(),
            ));
        }
        let mut keys = KeyRing::default();
        if config.simulation {
            keys = keys.trusting(TrustedKey::simulation());
        }
        for path in &config.trusted_keys {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                StartupError(format!("cannot read trusted key {}: {e}", path.display()))
            })?;
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("extra");
            let key = TrustedKey::from_pem(name, &pem).map_err(|e| {
                StartupError(format!("{} is not a PEM public key: {e}", path.display()))
            })?;
            keys = keys.trusting(key);
        }
        let steam = match &config.web_api_key {
            Some(key) => Some(
                SteamWebApi::new(
                    &config.steam_api_base,
                    key.clone(),
                    config.app_id,
                    config.identity.clone(),
                    Duration::from_millis(config.upstream_timeout_ms),
                    config.upstream_retries,
                )
                .map_err(StartupError)?,
            ),
            None => None,
        };
        let store = store::open(&config.database)
            .await
            .map_err(|e| StartupError(e.to_string()))?;
        let quota = Arc::new(
            QuotaGuard::load(store.as_ref(), config.daily_quota)
                .await
                .map_err(|e| StartupError(e.to_string()))?,
        );
        quota.spawn_flusher(Arc::clone(&store));
        let metrics = Arc::new(Metrics::default());
        metrics.set_quota(quota.used(), quota.budget());
        let limiter = RateLimiter::new(config.rate_limit, config.rate_burst);
        limiter.spawn_sweeper();
        Ok(Arc::new(AppState {
            limiter,
            config,
            keys,
            steam,
            store,
            metrics,
            quota,
        }))
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    let limits = RequestLimits {
        max_uri_bytes: 8 * 1024,
        max_header_bytes: 16 * 1024,
        max_header_count: 64,
        max_body_bytes: BODY_LIMIT,
        body_timeout: Duration::from_millis(state.config.body_timeout_ms),
    };
    Router::new()
        .route(LOGIN_PATH, post(login))
        .route(SESSION_PATH, get(session).delete(revoke))
        .route(HEALTH_PATH, get(healthz))
        .route(METRICS_PATH, get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(limits, limits::enforce))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such endpoint; logins go to POST {LOGIN_PATH}"),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method (see the Allow header)",
    )
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: Bytes,
) -> Response {
    let result = login_flow(&state, peer, query, &body).await;
    let outcome = match &result {
        Ok(_) => Outcome::Ok,
        Err(error) => error.outcome(),
    };
    state.metrics.login(outcome);
    match result {
        Ok(granted) => {
            let steam_id = granted.steam_id.to_string();
            tracing::info!(outcome = outcome.label(), user = %granted.user_id, steam_id, "login");
            let body = SessionBody::new(
                &granted.user_id,
                &steam_id,
                &granted.token,
                granted.generated,
                granted.expire,
            );
            Json(body).into_response()
        }
        Err(error) => {
            // The message never holds the ticket, the token or the key; safe to log.
            tracing::info!(outcome = outcome.label(), status = error.status().as_u16(), code = error.code(), message = %error.message(), "login refused");
            error.into_response()
        }
    }
}

async fn login_flow(
    state: &AppState,
    peer: SocketAddr,
    query: Result<Query<TokenQuery>, QueryRejection>,
    body: &[u8],
) -> Result<Granted, LoginError> {
    state
        .limiter
        .check(peer.ip())
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
    let verdict = check_ticket(
        token,
        &state.keys,
        state.config.app_id,
        state.config.simulation,
        &SystemClock,
    )
    .inspect_err(|error| match error {
        LoginError::RejectedLocally(rejection) => {
            state.metrics.local_rejection(Some(rejection.reason))
        }
        _ => state.metrics.local_rejection(None),
    })?;
    let player = match verdict {
        Verdict::Simulated(player) => player,
        Verdict::AskSteam { ticket_hex } => ask_steam(state, ticket_hex).await?,
    };
    if player.publisher_banned {
        return Err(LoginError::PublisherBanned);
    }
    if player.vac_banned && state.config.vac_banned == VacPolicy::Deny {
        return Err(LoginError::VacBanned);
    }
    issue_session(state, &player).await
}

async fn ask_steam(state: &AppState, ticket_hex: &str) -> Result<Player, LoginError> {
    let Some(steam) = &state.steam else {
        return Err(LoginError::NoWebApiKey);
    };
    let quota = &state.quota;
    let answer = steam
        .authenticate(ticket_hex, &*state.metrics, &|| quota.try_acquire())
        .await;
    state.metrics.set_quota(quota.used(), quota.budget());
    let answer = answer.map_err(|_| LoginError::QuotaExhausted {
        retry_after: quota.seconds_until_reset(),
    })?;
    match answer {
        SteamAnswer::Valid(player) => Ok(player),
        SteamAnswer::Rejected { code, description } => {
            Err(LoginError::RejectedBySteam { code, description })
        }
        SteamAnswer::BadKey => Err(LoginError::SteamKeyRejected),
        SteamAnswer::Throttled { retry_after } => Err(LoginError::SteamThrottled {
            retry_after: retry_after.unwrap_or(60),
        }),
        SteamAnswer::Timeout => Err(LoginError::SteamTimeout),
        SteamAnswer::Fault(message) => Err(LoginError::SteamFault(message)),
    }
}

/// A session issued for a login.
struct Granted {
    user_id: String,
    steam_id: u64,
    token: String,
    generated: i64,
    expire: i64,
}

async fn issue_session(state: &AppState, player: &Player) -> Result<Granted, LoginError> {
    let generated = unix_now() as i64;
    let expire = generated + state.config.session_ttl as i64;
    // One read of the OS RNG for both ids.
    let mut random = [[0u8; 16]; 2];
    getrandom::fill(random.as_flattened_mut()).map_err(|e| {
        tracing::error!("the OS random number generator failed: {e}");
        LoginError::Internal("no randomness for a session token")
    })?;
    let [token, user_id] = random.map(|bytes| {
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    });
    let login = NewLogin {
        steam_id: player.steam_id,
        owner_steam_id: player.owner_steam_id,
        candidate_user_id: user_id,
        token_hash: TokenHash::of(&token),
        generated,
        expire,
    };
    let user_id = state.store.record_login(login).await.map_err(|e| {
        tracing::error!("cannot record a login: {e}");
        LoginError::Internal("the session could not be stored")
    })?;
    Ok(Granted {
        user_id,
        steam_id: player.steam_id,
        token,
        generated,
        expire,
    })
}

/// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235).
fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing_token",
                "send Authorization: Bearer <session token>",
            )
        })
}

async fn session(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let token = bearer(&headers)?;
    let record = state
        .store
        .session(&TokenHash::of(&token))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let now = unix_now() as i64;
    match record {
        Some(s) if !s.revoked && s.expire > now => Ok(Json(SessionInfo {
            user_id: s.user_id,
            provider_id: s.steam_id.to_string(),
            generated: s.generated,
            expire: s.expire,
        })),
        Some(s) if s.revoked => Err(ApiError::unauthorized(
            "session_revoked",
            "this session was revoked",
        )),
        Some(_) => Err(ApiError::unauthorized(
            "session_expired",
            "this session has expired",
        )),
        None => Err(ApiError::unauthorized("invalid_session", "no such session")),
    }
}

async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    let revoked = state
        .store
        .revoke(&TokenHash::of(&token), unix_now() as i64)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::unauthorized(
            "invalid_session",
            "no such active session",
        ))
    }
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(
        json!({"status": "ok", "database": state.store.kind(), "simulation": state.config.simulation}),
    )
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    state
        .metrics
        .set_quota(state.quota.used(), state.quota.budget());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
