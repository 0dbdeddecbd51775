//! Command-line flags, each with an environment fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

pub use crate::http::client_address::TrustedNet;

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

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable; coloured only on a terminal and never with `NO_COLOR` set.
    Text,
    /// One JSON object per line.
    Json,
}

/// A verdict check an app may set apart from the server-wide flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCheck {
    FamilySharing,
    VacBanned,
}

/// `--app-policy APP:CHECK=POLICY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppPolicy {
    pub app_id: u32,
    pub check: PolicyCheck,
    pub policy: Policy,
}

impl std::str::FromStr for AppPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("{s:?} is not APP:CHECK=POLICY (e.g. 480:family-sharing=allow)");
        let (app, rest) = s.split_once(':').ok_or_else(usage)?;
        let (check, policy) = rest.split_once('=').ok_or_else(usage)?;
        let app_id = app.trim().parse().map_err(|_| usage())?;
        let check = match check.trim() {
            "family-sharing" => PolicyCheck::FamilySharing,
            "vac-banned" => PolicyCheck::VacBanned,
            other => {
                return Err(format!(
                    "{other:?} is not a check an app can set: family-sharing or vac-banned"
                ))
            }
        };
        let policy = Policy::from_str(policy.trim(), true)
            .map_err(|_| format!("{policy:?} is not a policy: allow or deny"))?;
        Ok(AppPolicy {
            app_id,
            check,
            policy,
        })
    }
}

/// `--encrypted-ticket-key APP=HEX`: an app's key for encrypted app tickets, 32 bytes. Never
/// printed: `Debug` shows the app only.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedTicketKey {
    pub app_id: u32,
    pub key: [u8; 32],
}

impl std::fmt::Debug for EncryptedTicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EncryptedTicketKey {{ app_id: {}, key: [redacted] }}",
            self.app_id
        )
    }
}

impl std::str::FromStr for EncryptedTicketKey {
    type Err = String;

    /// The error names the app and the key's length, never its digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (app, hex) = s
            .split_once('=')
            .ok_or("an encrypted-ticket key is APP=HEX (the app id, then 64 hex digits)")?;
        let app_id = app
            .trim()
            .parse()
            .map_err(|_| format!("{:?} is not an app id (APP=HEX)", app.trim()))?;
        let hex = hex.trim();
        let key = steam_ticket::hex::decode(hex)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| {
                format!(
                    "app {app_id}'s encrypted-ticket key must be 64 hex digits (32 bytes); it has {} characters",
                    hex.len()
                )
            })?;
        Ok(EncryptedTicketKey { app_id, key })
    }
}

/// steam-login-server: exchanges a Steam auth ticket for a game session.
#[derive(Debug, Clone, Parser)]
#[command(name = "steam-login-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "STEAM_LOGIN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Serve HTTPS with this certificate chain (PEM, leaf first); with --tls-key. Sent SIGHUP, the
    /// server reads both files again: new connections get the new certificate, open ones keep theirs.
    #[arg(
        long,
        env = "STEAM_LOGIN_TLS_CERT",
        value_name = "PEM_FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(
        long,
        env = "STEAM_LOGIN_TLS_KEY",
        value_name = "PEM_FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Proxies and load balancers in front of the server, comma-separated (`127.0.0.1`,
    /// `10.0.0.0/8`): from these peers the client's address is the right-most one in
    /// X-Forwarded-For (else Forwarded) that is not itself trusted; from any other peer those headers
    /// are ignored. That address keys the per-client rate limit and appears in logs.
    #[arg(
        long,
        env = "STEAM_LOGIN_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<TrustedNet>,

    /// Steam app ids tickets may be for, comma-separated (the game, its playtest, its demo): the
    /// ticket's app decides which one a login is for.
    #[arg(
        long,
        env = "STEAM_APP_ID",
        value_delimiter = ',',
        num_args = 1..,
        default_value = "555440"
    )]
    pub app_id: Vec<u32>,

    /// A policy of one app that differs from the server-wide flag: `APP:CHECK=allow|deny`, CHECK
    /// being `family-sharing` or `vac-banned` (e.g. `480:family-sharing=allow` for a playtest).
    /// Repeat for more.
    #[arg(
        long = "app-policy",
        env = "STEAM_LOGIN_APP_POLICY",
        value_delimiter = ' ',
        value_name = "APP:CHECK=POLICY"
    )]
    pub app_policies: Vec<AppPolicy>,

    /// An app's key for encrypted app tickets, from the Steamworks partner site (App Admin, SDK
    /// Auth): `APP=HEX`, 64 hex digits. Repeat for more apps (space-separated in the environment).
    /// Logins with such tickets call no Web API. Never logged.
    #[arg(
        long = "encrypted-ticket-key",
        env = "STEAM_LOGIN_ENCRYPTED_TICKET_KEY",
        value_delimiter = ' ',
        value_name = "APP=HEX",
        hide_env_values = true
    )]
    pub encrypted_ticket_keys: Vec<EncryptedTicketKey>,

    /// A file of `APP=HEX` lines, as --encrypted-ticket-key takes (systemd `LoadCredential`, a
    /// Docker or Kubernetes secret).
    #[arg(
        long,
        env = "STEAM_LOGIN_ENCRYPTED_TICKET_KEY_FILE",
        value_name = "FILE"
    )]
    pub encrypted_ticket_key_file: Option<PathBuf>,

    /// How old an encrypted app ticket, and the nonce it carries, may be when it logs in, in
    /// seconds.
    #[arg(
        long,
        env = "STEAM_LOGIN_ENCRYPTED_TICKET_WINDOW_SECS",
        default_value_t = 60
    )]
    pub encrypted_ticket_window_secs: u64,

    /// Fill the login response's `friends` with the player's Steam friends who also play: asks
    /// ISteamUser/GetFriendList (one Web API call) on a player's first login and again at most every
    /// --friends-sync-interval-secs.
    #[arg(long, env = "STEAM_LOGIN_SYNC_FRIENDS")]
    pub sync_friends: bool,

    /// How often a player's Steam friends are asked again, in seconds.
    #[arg(
        long,
        env = "STEAM_LOGIN_FRIENDS_SYNC_INTERVAL_SECS",
        default_value_t = 86_400
    )]
    pub friends_sync_interval_secs: u64,

    /// Log lines as plain text or one JSON object each (for log shippers).
    #[arg(
        long,
        value_enum,
        env = "STEAM_LOGIN_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// Steam Web API key (publisher or user key). Required unless --simulation or
    /// --web-api-key-file.
    #[arg(long, env = "STEAM_WEB_API_KEY", hide_env_values = true)]
    pub web_api_key: Option<Secret>,

    /// A file holding the Steam Web API key (surrounding white space ignored): systemd's
    /// LoadCredential, a Docker or Kubernetes secret. Keeps the key off the command line and out of
    /// the environment.
    #[arg(
        long,
        env = "STEAM_WEB_API_KEY_FILE",
        value_name = "FILE",
        conflicts_with = "web_api_key"
    )]
    pub web_api_key_file: Option<PathBuf>,

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
    /// The policy for `check` on logins to `app_id`: the app's own, else the server-wide flag.
    pub fn policy(&self, app_id: u32, check: PolicyCheck) -> Policy {
        self.app_policies
            .iter()
            .rev()
            .find(|p| p.app_id == app_id && p.check == check)
            .map(|p| p.policy)
            .unwrap_or(match check {
                PolicyCheck::FamilySharing => self.family_sharing,
                PolicyCheck::VacBanned => self.vac_banned,
            })
    }

    /// Every default, with the store at `database` (a SQLite path or `postgres://` URL): for a server
    /// embedded in another tokio program with [`crate::serve`], as the tests and the client's tests do.
    pub fn with_database(database: impl Into<String>) -> Self {
        Config::parse_from(["steam-login-server", "--database", &database.into()])
    }
}
