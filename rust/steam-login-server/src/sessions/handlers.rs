//! `GET`/`DELETE /api/v1/auth/session` and `POST /api/v1/auth/session/refresh`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steam_login_protocol::{ErrorCode, SessionInfo};
use steam_ticket::{Clock, SystemClock};

use super::credentials::session_token;
use super::response::Issued;
use super::tokens::new_token;
use crate::friends::{stored_friends, Friends};
use crate::http::error::ApiError;
use crate::metrics::RefreshOutcome;
use crate::state::AppState;
use crate::store::{Refresh, Refreshed, StoreError, TokenHash};

fn store_failed(e: StoreError) -> ApiError {
    if e.is_unavailable() {
        tracing::warn!("session store: {e}");
        return ApiError::store_unavailable();
    }
    tracing::error!("session store: {e}");
    ApiError::new(ErrorCode::Internal, "the session store failed")
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
            let friends = Friends {
                list: stored_friends(state, steam_id).await,
                first_sync_done: true,
            };
            let issued = Issued {
                user_id,
                steam_id,
                token: new_token,
                generated: at,
                expire,
                friends,
            };
            Ok(issued.into_response(state))
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
