//! steam-login-server as a library: the binary is a thin `main` over [`serve`], and tests run the same
//! router in-process.
//!
//! `POST /api/v1/auth/provider/steam/login` takes a Steam auth ticket as hex, rejects what can be
//! rejected offline (shape, signature, app, expiry) without spending Web API quota, asks Steam's
//! `ISteamUserAuth/AuthenticateUserTicket`, and answers with a 24-hour session.

pub mod app;
pub mod config;
pub mod error;
pub mod fake_steam;
pub mod http1;
pub mod metrics;
pub mod quota;
pub mod rate_limit;
pub mod steam_api;
pub mod store;
pub mod ticket_check;

use std::future::Future;
use std::net::SocketAddr;

pub use app::{router, AppState, StartupError};
pub use config::Config;

/// Serves until `shutdown` resolves; requests in flight then finish before this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let simulation = config.simulation;
    let state = AppState::new(config).await?;
    if simulation {
        tracing::warn!("SIMULATION MODE: tickets signed by the public simulation key are accepted without asking Steam; never run this in production");
    }
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| StartupError(format!("server error: {e}")))?;
    if let Err(e) = state.quota.flush(state.store.as_ref()).await {
        tracing::warn!("cannot persist the quota count at shutdown: {e}");
    }
    Ok(())
}
