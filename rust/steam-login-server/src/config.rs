//! Command-line flags, each with an environment fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that must send it (the `x-webapi-key` header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// Whether players in a given case may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    Allow,
    Deny,
}

/// steam-login-server: exchanges a Steam auth ticket for a game session.
#[derive(Debug, Clone, Parser)]
#[command(name = "steam-login-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "STEAM_LOGIN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Steam app id tickets must be for.
    #[arg(long, env = "STEAM_APP_ID", default_value_t = 555440)]
    pub app_id: u32,

    /// Steam Web API key (publisher or user key). Required unless --simulation.
    #[arg(long, env = "STEAM_WEB_API_KEY", hide_env_values = true)]
    pub web_api_key: Option<Secret>,

    /// Steam Web API base URL; publisher keys use https://partner.steam-api.com.
    #[arg(
        long,
        env = "STEAM_API_BASE",
        default_value = "https://api.steampowered.com"
    )]
    pub steam_api_base: String,

    /// Extra CA certificates (PEM) to trust for the Steam Web API besides the Mozilla roots: for an
    /// egress proxy that terminates TLS, or a test double.
    #[arg(long, env = "STEAM_API_CA", value_name = "PEM_FILE")]
    pub steam_api_ca: Option<PathBuf>,

    /// Identity the game passes to GetAuthTicketForWebApi, forwarded to Steam.
    #[arg(long, env = "STEAM_WEB_API_IDENTITY")]
    pub identity: Option<String>,

    /// Database: a SQLite file path (or sqlite://path), or a postgres:// URL.
    #[arg(long, env = "DATABASE_URL", default_value = "steam-login.db")]
    pub database: String,

    /// Session lifetime in seconds.
    #[arg(long, env = "STEAM_LOGIN_SESSION_TTL", default_value_t = 86_400)]
    pub session_ttl: u64,

    /// Offline development: accept tickets signed by the (public) simulation key without calling
    /// Steam. Never use in production.
    #[arg(long)]
    pub simulation: bool,

    /// Extra trusted public keys (PEM) for the offline signature check, besides Valve's.
    #[arg(long = "trust-key", value_name = "PEM_FILE")]
    pub trusted_keys: Vec<PathBuf>,

    /// Web API calls allowed per UTC day (Valve's limit is 100,000 per key).
    #[arg(long, env = "STEAM_LOGIN_DAILY_QUOTA", default_value_t = 100_000)]
    pub daily_quota: u64,

    /// Login requests per second per client IP (0 disables the limit).
    #[arg(long, env = "STEAM_LOGIN_RATE_LIMIT", default_value_t = 5.0)]
    pub rate_limit: f64,

    /// Burst of requests a client IP may make above the rate.
    #[arg(long, env = "STEAM_LOGIN_RATE_BURST", default_value_t = 20)]
    pub rate_burst: u32,

    /// Players Steam reports as VAC-banned: allow or deny.
    #[arg(
        long,
        value_enum,
        env = "STEAM_LOGIN_VAC_BANNED",
        default_value = "allow"
    )]
    pub vac_banned: Policy,

    /// Players of a game lent to them by Family Sharing (Steam's owner SteamID is not theirs): allow
    /// or deny.
    #[arg(
        long,
        value_enum,
        env = "STEAM_LOGIN_FAMILY_SHARING",
        default_value = "allow"
    )]
    pub family_sharing: Policy,

    /// After Steam accepts a ticket, also ask ISteamUser/CheckAppOwnership (needs a publisher key)
    /// and deny players who do not own the app: one more Web API call per login.
    #[arg(long, env = "STEAM_LOGIN_CHECK_OWNERSHIP")]
    pub check_ownership: bool,

    /// Also send the session token as a cookie of this name (e.g. bhvrSession), and accept that
    /// cookie wherever the Bearer header is accepted.
    #[arg(long, env = "STEAM_LOGIN_SESSION_COOKIE", value_name = "NAME")]
    pub session_cookie: Option<String>,

    /// Leave `Secure` off the session cookie, for plain-HTTP development.
    #[arg(long, env = "STEAM_LOGIN_SESSION_COOKIE_INSECURE")]
    pub session_cookie_insecure: bool,

    /// How often expired sessions are deleted, in seconds (0: never).
    #[arg(long, env = "STEAM_LOGIN_SESSION_SWEEP_SECS", default_value_t = 600)]
    pub session_sweep_secs: u64,

    /// How long an expired session is kept (answering "session_expired" rather than
    /// "invalid_session") before the sweep deletes it, in seconds.
    #[arg(
        long,
        env = "STEAM_LOGIN_SESSION_RETENTION_SECS",
        default_value_t = 86_400
    )]
    pub session_retention_secs: u64,

    /// Timeout of one Web API call, in milliseconds.
    #[arg(long, env = "STEAM_LOGIN_UPSTREAM_TIMEOUT_MS", default_value_t = 5_000)]
    pub upstream_timeout_ms: u64,

    /// Retries after a transport error or a 5xx from Steam.
    #[arg(long, env = "STEAM_LOGIN_UPSTREAM_RETRIES", default_value_t = 2)]
    pub upstream_retries: u32,

    /// Time from a request's first byte to its complete head, in milliseconds; then the connection
    /// is closed.
    #[arg(long, env = "STEAM_LOGIN_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,

    /// Time for a request's whole body, in milliseconds; then 408.
    #[arg(long, env = "STEAM_LOGIN_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,

    /// How long a keep-alive connection may wait for its next request, in milliseconds.
    #[arg(long, env = "STEAM_LOGIN_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    pub idle_timeout_ms: u64,

    /// Open client connections; beyond it the oldest idle one is closed. Lowered at start to what
    /// the open-file limit allows.
    #[arg(long, env = "STEAM_LOGIN_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// After SIGTERM: how long requests in flight may take before their connections are closed, in
    /// milliseconds.
    #[arg(
        long,
        env = "STEAM_LOGIN_SHUTDOWN_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub shutdown_timeout_ms: u64,
}

impl Config {
    /// Every default, with the store at `database` (a SQLite path or `postgres://` URL): for a server
    /// embedded in another tokio program with [`crate::serve`], as the tests and the client's tests do.
    pub fn with_database(database: impl Into<String>) -> Self {
        Config::parse_from(["steam-login-server", "--database", &database.into()])
    }
}
