//! steam-login-server as a library: the binary is a thin `main` over [`serve`], and tests run the same
//! server in-process.
//!
//! `POST /api/v1/auth/provider/steam/login` takes a Steam auth ticket as hex, rejects what can be
//! rejected offline (shape, signature, app, expiry) without spending Web API quota, asks Steam's
//! `ISteamUserAuth/AuthenticateUserTicket`, and answers with a 24-hour session.

pub mod admin;
mod bans;
pub mod config;
mod encrypted_tickets;
mod friends;
mod http;
pub(crate) mod login;
mod metrics;
mod rate_limit;
mod router;
mod sessions;
mod state;
mod steam;
pub mod store;
mod time_text;

/// Nonces as the server makes them, for the benchmark's pre-minted encrypted tickets.
#[cfg(feature = "test-support")]
pub use encrypted_tickets::EncryptedTickets;
/// The open-file limit, raised at start; tests raise it the same way.
#[cfg(feature = "test-support")]
pub use http::fd_limit;
/// The daily Web API quota (its day boundaries and flush threshold are part of what tests check).
#[cfg(feature = "test-support")]
pub use steam::quota;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use config::Config;
pub use state::{AppState, StartupError};

use http::connection::Timeouts;
use http::listener::ConnectionLimits;

/// Serves until `shutdown` resolves; requests in flight then have `--shutdown-timeout-ms` to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartupError> {
    let nofile = http::fd_limit::raise_to_hard_limit();
    let max_connections = http::fd_limit::connection_cap(config.max_connections, nofile);
    match nofile {
        Some(limit) => {
            tracing::info!("open-file limit {limit}: up to {max_connections} client connections")
        }
        None => tracing::info!("up to {max_connections} client connections"),
    }
    let limits = ConnectionLimits {
        timeouts: Timeouts {
            header: Duration::from_millis(config.header_timeout_ms),
            idle: Duration::from_millis(config.idle_timeout_ms),
        },
        max_connections,
        shutdown_deadline: Duration::from_millis(config.shutdown_timeout_ms),
        max_head_bytes: 64 * 1024,
    };
    let simulation = config.simulation;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(http::tls::TlsFiles::load(cert, key)?),
        _ => None,
    };
    if let Some(files) = &tls {
        reload_on_sighup(Arc::clone(files));
    }
    let proxies = Arc::new(http::client_address::TrustedProxies::new(
        &config.trusted_proxies,
    ));
    let state = AppState::new(config).await?;
    // Building the state starts nothing; the tasks that keep it run from here.
    state.quota.spawn_flusher();
    state.limiter.spawn_sweeper();
    sessions::spawn_sweeper(&state);
    state.bans.spawn_refresh(Arc::clone(&state.store));
    if simulation {
        tracing::warn!("SIMULATION MODE: tickets signed by the public simulation key are accepted without asking Steam; never run this in production");
    }
    let app = router::router(Arc::clone(&state));
    let tls = match &tls {
        Some(files) => Some(files.acceptor()?),
        None => None,
    };
    http::listener::serve(
        listener,
        tls,
        proxies,
        app,
        limits,
        Arc::clone(&state.metrics),
        shutdown,
    )
    .await;
    if let Err(e) = state.quota.flush().await {
        tracing::warn!("cannot persist the quota count at shutdown: {e}");
    }
    state.store.stop_serving();
    Ok(())
}

/// Reads the TLS certificate and key again on each SIGHUP (a renewal needs no restart); a pair that
/// does not load is reported and the old one kept.
fn reload_on_sighup(files: Arc<http::tls::TlsFiles>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = match signal(SignalKind::hangup()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(
                    "cannot listen for SIGHUP, so the TLS certificate is never re-read: {e}"
                );
                return;
            }
        };
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match files.reload() {
                    Ok(()) => tracing::info!(
                        "SIGHUP: serving the TLS certificate in {} to new connections",
                        files.cert_path().display()
                    ),
                    Err(e) => {
                        tracing::error!("SIGHUP: {e}; still serving the previous certificate")
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(files);
}
