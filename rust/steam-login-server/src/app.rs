//! The HTTP API: state, router and handlers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use steam_ticket::{KeyRing, SystemClock, TrustedKey};

use crate::config::{Config, VacPolicy};
use crate::error::ApiError;
use crate::metrics::{Metrics, Outcome};
use crate::quota::{unix_now, QuotaGuard};
use crate::rate_limit::RateLimiter;
use crate::steam_api::{Player, SteamAnswer, SteamWebApi};
use crate::store::{self, NewLogin, Store, TokenHash};
use crate::ticket_check::{check_shape, check_ticket};

pub const LOGIN_PATH: &str = "/api/v1/auth/provider/steam/login";
pub const SESSION_PATH: &str = "/api/v1/auth/session";
/// Request bodies above this are refused: a ticket is at most 5,120 hex characters.
const BODY_LIMIT: usize = 8 * 1024;

pub struct AppState {
    pub config: Config,
    keys: KeyRing,
    steam: Option<SteamWebApi>,
    pub store: Arc<dyn Store>,
    pub metrics: Metrics,
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
        quota.spawn_flusher(Arc::clone(&store), Duration::from_secs(1));
        let metrics = Metrics::default();
        metrics.set_quota(quota.used(), quota.budget());
        Ok(Arc::new(AppState {
            limiter: RateLimiter::new(config.rate_limit, config.rate_burst),
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
    Router::new()
        .route(LOGIN_PATH, post(login))
        .route(SESSION_PATH, get(session).delete(revoke))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Response {
    let (outcome, response) = match login_flow(&state, peer, query.token, &body).await {
        Ok(granted) => {
            let steam_id = granted.steam_id.to_string();
            tracing::info!(outcome = Outcome::Ok.label(), user = %granted.user_id, steam_id, "login");
            let body = SessionBody::new(
                &granted.user_id,
                &steam_id,
                &granted.token,
                granted.generated,
                granted.expire,
            );
            (Outcome::Ok, Json(body).into_response())
        }
        Err((outcome, error)) => {
            // The message never holds the ticket, the token or the key; safe to log.
            tracing::info!(outcome = outcome.label(), status = error.status.as_u16(), code = error.code, message = %error.message, "login refused");
            (outcome, error.into_response())
        }
    };
    state.metrics.login(outcome);
    response
}

type Failure = (Outcome, ApiError);

async fn login_flow(
    state: &AppState,
    peer: SocketAddr,
    query_token: Option<String>,
    body: &[u8],
) -> Result<Granted, Failure> {
    state.limiter.check(peer.ip()).map_err(|wait| {
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many login attempts from this address",
        )
        .retry_after(wait);
        (Outcome::RateLimited, error)
    })?;
    let token = token_from(query_token, body).map_err(|e| (Outcome::BadRequest, e))?;
    check_shape(&token).map_err(|e| {
        state.metrics.local_rejection("malformed");
        (Outcome::BadRequest, e)
    })?;
    let (decoded, signer) = check_ticket(&token, &state.keys, state.config.app_id, &SystemClock)
        .map_err(|(e, reason)| {
            state.metrics.local_rejection(reason);
            let outcome = if reason == "malformed" {
                Outcome::BadRequest
            } else {
                Outcome::RejectedLocally
            };
            (outcome, e)
        })?;

    let player = if state.config.simulation && signer == steam_ticket::keys::SIMULATION {
        let t = &decoded.ticket;
        Player {
            steam_id: t.steam_id,
            owner_steam_id: t.ownership.steam_id,
            vac_banned: false,
            publisher_banned: false,
        }
    } else {
        ask_steam(state, &token).await?
    };
    if player.publisher_banned {
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "publisher_banned",
            "this player is banned from this game by its publisher",
        );
        return Err((Outcome::Banned, error));
    }
    if player.vac_banned && state.config.vac_banned == VacPolicy::Deny {
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "vac_banned",
            "this player is VAC-banned and this server admits no VAC-banned players",
        );
        return Err((Outcome::Banned, error));
    }
    issue_session(state, &player).await
}

fn token_from(query_token: Option<String>, body: &[u8]) -> Result<String, ApiError> {
    if body.iter().any(|b| !b.is_ascii_whitespace()) {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request("invalid_json", format!("request body is not JSON: {e}"))
        })?;
        return match value.get("token") {
            Some(Value::String(token)) => Ok(token.clone()),
            Some(_) => Err(ApiError::bad_request(
                "missing_token",
                "\"token\" must be a string of hex",
            )),
            None => Err(ApiError::bad_request(
                "missing_token",
                "request body has no \"token\" field",
            )),
        };
    }
    query_token.ok_or_else(|| {
        ApiError::bad_request(
            "missing_token",
            "send {\"token\": \"<ticket hex>\"} as JSON",
        )
    })
}

async fn ask_steam(state: &AppState, token: &str) -> Result<Player, Failure> {
    let Some(steam) = &state.steam else {
        let error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "steam_unavailable",
            "this server has no Steam Web API key and only accepts simulated tickets",
        );
        return Err((Outcome::UpstreamError, error));
    };
    let quota = &state.quota;
    let answer = steam
        .authenticate(token, &state.metrics, &|| quota.try_acquire())
        .await;
    state.metrics.set_quota(quota.used(), quota.budget());
    let answer = answer.map_err(|_| {
        let error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "quota_exhausted",
            "the daily Steam Web API budget is spent; logins resume after midnight UTC",
        )
        .retry_after(quota.seconds_until_reset());
        (Outcome::QuotaExhausted, error)
    })?;
    let upstream = |status: StatusCode, code: &'static str, message: String| {
        (Outcome::UpstreamError, ApiError::new(status, code, message))
    };
    match answer {
        SteamAnswer::Valid(player) => Ok(player),
        SteamAnswer::Rejected { code, description } => {
            let (code_name, meaning) = match code {
                101 => ("invalid_ticket", "Steam says the ticket is invalid (expired, already used, or not from a logged-in Steam client)"),
                102 => ("ticket_for_other_app", "Steam says the ticket was issued for another app"),
                3 => ("invalid_parameter", "Steam could not read the ticket (bad hex or wrong identity)"),
                _ => ("steam_rejected", "Steam rejected the ticket"),
            };
            let message = format!("{meaning} (Steam error {code}: {description})");
            Err((
                Outcome::RejectedBySteam,
                ApiError::unauthorized(code_name, message),
            ))
        }
        SteamAnswer::BadKey => Err(upstream(
            StatusCode::BAD_GATEWAY,
            "steam_key_rejected",
            "Steam rejected the server's Web API key".into(),
        )),
        SteamAnswer::Throttled { retry_after } => {
            let error = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "steam_throttled",
                "Steam is throttling this server; retry later",
            )
            .retry_after(retry_after.unwrap_or(60));
            Err((Outcome::UpstreamError, error))
        }
        SteamAnswer::Timeout => Err(upstream(
            StatusCode::GATEWAY_TIMEOUT,
            "steam_timeout",
            "Steam did not answer in time".into(),
        )),
        SteamAnswer::Fault(message) => {
            Err(upstream(StatusCode::BAD_GATEWAY, "steam_error", message))
        }
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

async fn issue_session(state: &AppState, player: &Player) -> Result<Granted, Failure> {
    let generated = unix_now() as i64;
    let expire = generated + state.config.session_ttl as i64;
    // One read of the OS RNG for both ids.
    let mut random = [[0u8; 16]; 2];
    getrandom::fill(random.as_flattened_mut()).map_err(|e| {
        tracing::error!("the OS random number generator failed: {e}");
        (
            Outcome::Internal,
            ApiError::internal("no randomness for a session token"),
        )
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
        (
            Outcome::Internal,
            ApiError::internal("the session could not be stored"),
        )
    })?;
    Ok(Granted {
        user_id,
        steam_id: player.steam_id,
        token,
        generated,
        expire,
    })
}

/// The response of ../shared/spec/login-endpoint.md, in its field order. A typed struct serializes
/// straight into the response buffer, where a `json!` value built a map of maps per login first.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody<'a> {
    preferred_language: &'static str,
    friends_first_sync: SteamFlag,
    fixed_my_friends_user_platform_id: SteamFlag,
    id: &'a str,
    provider: Provider<'a>,
    providers: [ProviderEntry<'a>; 1],
    friends: [(); 0],
    trigger_results: TriggerResults,
    token_id: &'a str,
    generated: i64,
    expire: i64,
    user_id: &'a str,
    token: &'a str,
}

#[derive(Serialize)]
struct SteamFlag {
    steam: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provider<'a> {
    provider_id: &'a str,
    provider_name: &'static str,
    user_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderEntry<'a> {
    provider_name: &'static str,
    provider_id: &'a str,
}

#[derive(Serialize)]
struct TriggerResults {
    success: [(); 0],
    error: [(); 0],
}

impl<'a> SessionBody<'a> {
    pub fn new(
        user_id: &'a str,
        steam_id: &'a str,
        token: &'a str,
        generated: i64,
        expire: i64,
    ) -> Self {
        SessionBody {
            preferred_language: "en",
            friends_first_sync: SteamFlag { steam: true },
            fixed_my_friends_user_platform_id: SteamFlag { steam: true },
            id: user_id,
            provider: Provider {
                provider_id: steam_id,
                provider_name: "steam",
                user_id,
            },
            providers: [ProviderEntry {
                provider_name: "steam",
                provider_id: steam_id,
            }],
            friends: [],
            trigger_results: TriggerResults {
                success: [],
                error: [],
            },
            token_id: token,
            generated,
            expire,
            user_id,
            token,
        }
    }
}

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
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
) -> Result<Json<Value>, ApiError> {
    let token = bearer(&headers)?;
    let record = state
        .store
        .session(&TokenHash::of(&token))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let now = unix_now() as i64;
    match record {
        Some(s) if !s.revoked && s.expire > now => Ok(Json(json!({
            "userId": s.user_id,
            "providerId": s.steam_id.to_string(),
            "generated": s.generated,
            "expire": s.expire,
        }))),
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
