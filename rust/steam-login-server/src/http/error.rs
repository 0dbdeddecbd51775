//! Every error answer is JSON `{"error": {"code", "message"}}` with a stable code: the handlers', the
//! router's (unknown path, wrong method, limits) and hyper's own (see `connection::WatchedStream`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use steam_login_protocol::ErrorBody;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Close the connection after this answer (a body left unread, say).
    pub close: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            close: false,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody::new(self.code, &self.message).to_json();
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The code and message for a status hyper answers by itself, before any handler runs.
fn bare_status_error(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("bad_request", "the request is not valid HTTP/1.1"),
        408 => ("request_timeout", "the request took too long to arrive"),
        413 => ("body_too_large", "the request body is too large"),
        414 => ("uri_too_long", "the request URI is too long"),
        431 => (
            "headers_too_large",
            "the request's header fields are too large",
        ),
        501 => (
            "not_implemented",
            "the request uses something this server does not implement",
        ),
        505 => (
            "http_version_not_supported",
            "this server speaks HTTP/1.1 only",
        ),
        500..=599 => ("internal", "the server could not answer the request"),
        _ => ("bad_request", "the request could not be answered"),
    }
}

/// A complete HTTP/1.1 answer for a status hyper would have sent with an empty body; it closes the
/// connection, as hyper does after such an error.
pub fn bare_status_answer(status: u16) -> Vec<u8> {
    let (code, message) = bare_status_error(status);
    raw_answer(status, code, message)
}

/// An error answer as bytes on the wire, for the places that write to a socket themselves.
pub fn raw_answer(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = ErrorBody::new(code, message).to_json();
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
