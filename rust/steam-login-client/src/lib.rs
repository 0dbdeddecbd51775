//! The client half of Steam login: post a ticket's hex to a backend's
//! `POST /api/v1/auth/provider/steam/login` and get a typed [`Session`] or a typed [`LoginError`].
//!
//! Used by the Godot extension (off the main thread, on its own tokio runtime) and usable from any
//! Rust game or tool.

mod client;
mod error;

pub use client::{endpoint_url, is_cleartext_to_remote, ClientOptions, LoginClient};
pub use error::{ErrorKind, LoginError};
pub use steam_login_protocol::{
    ErrorCode, Provider, ProviderRef, ReceivedCode, Session, LOGIN_PATH,
};
