//! The answer that hands a session out (login and refresh alike), with the session cookie when one is
//! configured.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steam_login_protocol::Session;
use steam_ticket::{Clock, SystemClock};

use crate::friends::Friends;
use crate::state::AppState;

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
    let body = Session::steam(
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
