//! The login endpoint's wire format, written once for the server that sends it and the clients that
//! read it (the Rust client, the Godot extension): paths, the login request, the session body and the
//! error body. Serde types only; no HTTP.

mod error_body;
mod error_code;
mod request;
mod session;

pub use error_body::{ErrorBody, ErrorDetail};
pub use error_code::{ErrorCode, ReceivedCode};
pub use request::{LoginRequest, Nonce};
pub use session::{Friend, Provider, ProviderRef, Session, SessionInfo, SteamFlag, TriggerResults};

/// `POST`: a Steam ticket in, a session out.
pub const LOGIN_PATH: &str = "/api/v1/auth/provider/steam/login";
/// `POST`: a one-use nonce for an encrypted app ticket's data.
pub const NONCE_PATH: &str = "/api/v1/auth/provider/steam/nonce";
/// `GET` validates the session named by the Bearer token; `DELETE` revokes it.
pub const SESSION_PATH: &str = "/api/v1/auth/session";
/// `POST` with a live session's token: a new token with a fresh expiry, the old one revoked; the
/// login response's shape, and no Steam call.
pub const REFRESH_PATH: &str = "/api/v1/auth/session/refresh";
/// The server's liveness answer.
pub const HEALTH_PATH: &str = "/healthz";
/// The server's readiness answer: 503 while its database cannot be reached.
pub const READY_PATH: &str = "/readyz";
/// Prometheus text.
pub const METRICS_PATH: &str = "/metrics";
