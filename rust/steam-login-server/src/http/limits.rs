//! Request size and time limits, answered in the server's JSON error shape: the URI and header
//! fields' sizes (414/431), and the body read whole before routing, within a size cap (413) and a
//! deadline (408).
//!
//! Reading the body here, once, gives every route the same limits and lets a slow sender be cut off
//! by total time, where a per-frame timeout (tower-http's `RequestBodyTimeout`) lets a client that
//! sends one byte per interval hold its connection for ever.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use steam_login_protocol::ErrorCode;

use crate::http::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub max_uri_bytes: usize,
    /// Names and values of every header field together.
    pub max_header_bytes: usize,
    pub max_header_count: usize,
    pub max_body_bytes: usize,
    /// For the whole body, from the moment the head is read.
    pub body_timeout: Duration,
}

pub async fn enforce(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    match read_within_limits(limits, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn read_within_limits(limits: RequestLimits, request: Request) -> Result<Request, ApiError> {
    let uri_len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_len > limits.max_uri_bytes {
        return Err(ApiError::new(
            ErrorCode::UriTooLong,
            format!(
                "the request URI is {uri_len} bytes; at most {} are accepted (send the ticket in a JSON body)",
                limits.max_uri_bytes
            ),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > limits.max_header_count || header_bytes > limits.max_header_bytes {
        return Err(ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!(
                "the request has {} header fields of {header_bytes} bytes; at most {} fields of {} bytes are accepted",
                headers.len(),
                limits.max_header_count,
                limits.max_header_bytes
            ),
        )
        .closing());
    }
    let too_large = || {
        ApiError::new(
            ErrorCode::BodyTooLarge,
            format!(
                "the request body is over {} bytes (a ticket is at most 5,120 hex digits)",
                limits.max_body_bytes
            ),
        )
        .closing()
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limits.max_body_bytes as u64) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    let read = Limited::new(body, limits.max_body_bytes).collect();
    let bytes = match tokio::time::timeout(limits.body_timeout, read).await {
        Err(_elapsed) => {
            return Err(ApiError::new(
                ErrorCode::BodyTimeout,
                format!(
                    "the request body did not arrive within {} ms",
                    limits.body_timeout.as_millis()
                ),
            )
            .closing())
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Ok(Err(e)) => {
            return Err(ApiError::new(
                ErrorCode::BadBody,
                format!("the request body could not be read: {e}"),
            )
            .closing())
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
