//! `steam-login-server`: see `--help`.

use std::io::IsTerminal;

use clap::{Parser, Subcommand};
use steam_login_server::config::LogFormat;
use steam_login_server::{admin, serve, Config};
use tracing_subscriber::EnvFilter;

/// steam-login-server: exchanges a Steam auth ticket for a game session. Without a subcommand it
/// serves; `admin` acts on its database.
#[derive(Debug, Parser)]
#[command(
    name = "steam-login-server",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    server: Config,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The operator's controls: bans, revoking sessions, a player's sessions, the quota.
    Admin(admin::Admin),
}

/// mimalloc: a login allocates and frees a few hundred small buffers across two threads, where glibc's
/// malloc spent ~9% of the server's CPU (perf, scripts/bench-server.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Admin(admin)) = cli.command {
        init_logs(LogFormat::Text, "warn");
        return match admin::run(admin).await {
            Ok(report) => {
                println!("{report}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("steam-login-server admin: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let config = cli.server;
    init_logs(config.log_format, "info");
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!(
        "listening on {}://{} (app {}, database {})",
        if config.tls_cert.is_some() {
            "https"
        } else {
            "http"
        },
        config.listen,
        config
            .app_id
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        if config.database.starts_with("postgres") {
            "postgres"
        } else {
            &config.database
        }
    );
    if config.tls_cert.is_none() {
        ignore_sighup();
    }
    match serve(listener, config, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs to stdout at `RUST_LOG` (else `default_level`): text, coloured only on a terminal and never
/// with `NO_COLOR` set (https://no-color.org), or one JSON object per line.
fn init_logs(format: LogFormat, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().with_current_span(false).init(),
        LogFormat::Text => {
            let colour = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            builder.with_ansi(colour).init()
        }
    }
}

/// Without TLS there is nothing to re-read: a SIGHUP (`systemctl reload`, the unit's `ExecReload`) is
/// logged instead of ending the process, as it would by default. With TLS, `serve` re-reads the
/// certificate on it.
fn ignore_sighup() {
    #[cfg(unix)]
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(mut hangups) => {
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    tracing::info!("SIGHUP: nothing to reload (no --tls-cert)");
                }
            });
        }
        Err(e) => tracing::warn!("cannot listen for SIGHUP: {e}"),
    }
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
