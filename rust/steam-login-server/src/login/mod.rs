//! `POST /api/v1/auth/provider/steam/login`: the offline ticket checks, Steam's verdict and the
//! game's policies, and every way a login can be refused.

pub mod error;
mod handler;
mod nonce;
pub mod ticket_check;

pub use handler::login;
pub use nonce::nonce;
