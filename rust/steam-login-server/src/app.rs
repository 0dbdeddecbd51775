//! The HTTP API: state, router and handlers.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use steam_login_protocol::{HEALTH_PATH, LOGIN_PATH, METRICS_PATH, REFRESH_PATH, SESSION_PATH};
use steam_ticket::{KeyRing, TrustedKey};

use crate::config::Config;
use crate::error::ApiError;
use crate::limits::{self, RequestLimits};
use crate::metrics::Metrics;
use crate::quota::QuotaGuard;
use crate::rate_limit::RateLimiter;
use crate::steam_api::SteamWebApi;
use crate::store::{self, Store};
use crate::{login, sessions};

/// Request bodies above this are refused: a ticket is at most 5,120 hex characters.
const BODY_LIMIT: usize = 8 * 1024;

pub struct AppState {
    pub config: Config,
    pub(crate) keys: KeyRing,
    pub(crate) steam: Option<SteamWebApi>,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub quota: Arc<QuotaGuard>,
    pub(crate) limiter: RateLimiter,
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
        let extra_roots = match &config.steam_api_ca {
            Some(path) => extra_roots(path)?,
            None => Vec::new(),
        };
        let steam = match &config.web_api_key {
            Some(key) => Some(
                SteamWebApi::new(
                    &config.steam_api_base,
                    key.clone(),
                    config.app_id,
                    config.identity.clone(),
                    Duration::from_millis(config.upstream_timeout_ms),
                    config.upstream_retries,
                    extra_roots,
                )
                .map_err(StartupError)?,
            ),
            None => None,
        };
        let store = store::open(&config.database)
            .await
            .map_err(|e| StartupError(e.to_string()))?;
        let quota = Arc::new(
            QuotaGuard::load(Arc::clone(&store), config.daily_quota)
                .await
                .map_err(|e| StartupError(e.to_string()))?,
        );
        quota.spawn_flusher();
        let metrics = Arc::new(Metrics::default());
        metrics.set_quota(quota.used(), quota.budget());
        let limiter = RateLimiter::new(config.rate_limit, config.rate_burst);
        limiter.spawn_sweeper();
        let state = Arc::new(AppState {
            limiter,
            config,
            keys,
            steam,
            store,
            metrics,
            quota,
        });
        sessions::spawn_sweeper(&state);
        Ok(state)
    }
}

/// The certificates of `--steam-api-ca`.
fn extra_roots(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, StartupError> {
    let unreadable = |e: rustls::pki_types::pem::Error| {
        StartupError(format!(
            "cannot read CA certificates from {}: {e}",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(unreadable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    if certs.is_empty() {
        return Err(StartupError(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
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
        .route(LOGIN_PATH, post(login::login))
        .route(
            SESSION_PATH,
            get(sessions::session).delete(sessions::revoke),
        )
        .route(REFRESH_PATH, post(sessions::refresh))
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
