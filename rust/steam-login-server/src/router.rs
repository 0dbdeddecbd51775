//! The HTTP API: every path to its handler, one JSON error shape for the rest, and the request
//! limits in front of all of them.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde_json::{json, Value};
use steam_login_protocol::{
    ErrorCode, HEALTH_PATH, LOGIN_PATH, METRICS_PATH, NONCE_PATH, READY_PATH, REFRESH_PATH,
    SESSION_PATH,
};

use crate::http::error::ApiError;
use crate::http::limits::{self, RequestLimits};
use crate::state::AppState;
use crate::{login, sessions};

/// Request bodies above this are refused: a ticket is at most 5,120 hex characters.
const BODY_LIMIT: usize = 8 * 1024;

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
        .route(NONCE_PATH, post(login::nonce))
        .route(HEALTH_PATH, get(healthz))
        .route(READY_PATH, get(readyz))
        .route(METRICS_PATH, get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(limits, limits::enforce))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no such endpoint; logins go to POST {LOGIN_PATH}"),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::of(ErrorCode::MethodNotAllowed)
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(
        json!({"status": "ok", "database": state.store.kind(), "simulation": state.config.simulation}),
    )
}

/// Readiness, for a load balancer: 200 while the store answers, else 503 `store_unavailable` (the
/// process is alive, so `/healthz` stays 200 and nothing restarts it).
async fn readyz(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let checked = tokio::time::timeout(READY_CHECK_TIMEOUT, state.store.ready()).await;
    match checked {
        Ok(Ok(())) => Ok(Json(
            json!({"status": "ready", "database": state.store.kind()}),
        )),
        Ok(Err(e)) => {
            tracing::warn!("not ready: {e}");
            Err(ApiError::store_unavailable())
        }
        Err(_) => {
            tracing::warn!("not ready: the store did not answer within {READY_CHECK_TIMEOUT:?}");
            Err(ApiError::store_unavailable())
        }
    }
}

/// A readiness probe's own deadline, shorter than load balancers' usual probe timeouts.
const READY_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state
            .metrics
            .render(state.quota.used(), state.quota.budget()),
    )
}
