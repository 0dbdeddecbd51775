//! The session token a request carries: a Bearer header, or the session cookie.

use axum::http::{header, HeaderMap, StatusCode};
use steam_login_protocol::ErrorCode;

use crate::http::error::ApiError;
use crate::state::AppState;

/// The session token of a request: `Authorization: Bearer <token>` (the scheme in any case, RFC
/// 7235), or else the session cookie when `--session-cookie` names one.
pub fn session_token(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
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
