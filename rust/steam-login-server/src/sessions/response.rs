//! The answer that hands a session out (login and refresh alike), with the session cookie when one is
//! configured.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steam_login_protocol::Session;

use crate::friends::Friends;
use crate::state::AppState;

/// A session being handed out, by a login or a refresh; `generated` is the request's time.
pub struct Issued {
    pub user_id: String,
    pub steam_id: u64,
    pub token: String,
    pub generated: i64,
    pub expire: i64,
    pub friends: Friends,
}

impl Issued {
    /// The login response (also refresh's), with the session cookie when one is configured.
    pub fn into_response(self, state: &AppState) -> Response {
        let steam_id = self.steam_id.to_string();
        let body = Session::steam(
            &self.user_id,
            &steam_id,
            &self.token,
            self.generated,
            self.expire,
        )
        .with_friends(&self.friends.list, self.friends.first_sync_done);
        let mut response = Json(body).into_response();
        if let Some(cookie) = session_cookie(state, &self) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        response
    }
}

fn session_cookie(state: &AppState, issued: &Issued) -> Option<HeaderValue> {
    let name = state.config.session_cookie.as_deref()?;
    let max_age = (issued.expire - issued.generated).max(0);
    let cookie = cookie::Cookie::build((name, issued.token.as_str()))
        .http_only(true)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(!state.config.session_cookie_insecure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}
