//! Every error answer is JSON `{"error": {"code", "message"}}` with a stable code: the handlers', the
//! router's (unknown path, wrong method, limits) and hyper's own (see `connection::WatchedStream`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use steam_login_protocol::{ErrorBody, ErrorCode};

/// Seconds a client is asked to wait while the database is away.
pub const STORE_RETRY_AFTER: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code's own status unless [`ApiError::with_status`] says otherwise.
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Close the connection after this answer (a body left unread, say).
    pub close: bool,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status: status_of(code),
            code,
            message: message.into(),
            retry_after: None,
            close: false,
        }
    }

    /// The code's default words.
    pub fn of(code: ErrorCode) -> Self {
        Self::new(code, code.default_message())
    }

    /// The answer while the database cannot be reached (logins, sessions, `/readyz`).
    pub fn store_unavailable() -> Self {
        Self::of(ErrorCode::StoreUnavailable).retry_after(STORE_RETRY_AFTER)
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
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

/// The code for a status hyper answers by itself, before any handler runs.
fn bare_status_code(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::BadRequest,
        408 => ErrorCode::RequestTimeout,
        413 => ErrorCode::BodyTooLarge,
        414 => ErrorCode::UriTooLong,
        431 => ErrorCode::HeadersTooLarge,
        501 => ErrorCode::NotImplemented,
        505 => ErrorCode::HttpVersionNotSupported,
        500..=599 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    }
}

/// A complete HTTP/1.1 answer for a status hyper would have sent with an empty body; it closes the
/// connection, as hyper does after such an error.
pub fn bare_status_answer(status: u16) -> Vec<u8> {
    let code = bare_status_code(status);
    raw_answer(status, code, code.default_message())
}

/// An error answer as bytes on the wire, for the places that write to a socket themselves.
pub fn raw_answer(status: u16, code: ErrorCode, message: &str) -> Vec<u8> {
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
