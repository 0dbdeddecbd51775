//! `POST /api/v1/auth/provider/steam/nonce`: a one-use nonce for an encrypted app ticket's data.

use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steam_login_protocol::Nonce;

use super::error::LoginError;
use crate::http::client_address::ClientAddress;
use crate::state::AppState;

/// Counts against the client's login rate limit: a nonce is half a login.
pub async fn nonce(
    State(state): State<Arc<AppState>>,
    ConnectInfo(address): ConnectInfo<ClientAddress>,
) -> Response {
    if let Err(retry_after) = state.limiter.check(address.ip) {
        return LoginError::RateLimited { retry_after }.into_response();
    }
    let Some(encrypted) = &state.encrypted else {
        return LoginError::EncryptedTicketsOff.into_response();
    };
    match encrypted.issue_nonce(state.clock.unix_now() as i64) {
        Ok(nonce) => Json(Nonce {
            nonce,
            expires_in: encrypted.window_secs(),
        })
        .into_response(),
        Err(e) => {
            tracing::error!("the OS random number generator failed: {e}");
            LoginError::Internal("no randomness for a nonce").into_response()
        }
    }
}
