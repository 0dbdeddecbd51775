//! Why a login failed, as a type a game can branch on. No message ever holds the ticket or a token.

use std::error::Error;

use steam_login_protocol::{ErrorCode, ReceivedCode};

/// What kind of failure, for `match` in Rust and `error_kind` in GDScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server could not be reached: refused, DNS, TLS, connection reset.
    Transport,
    /// No complete answer within the timeout.
    Timeout,
    /// The server refused the login (4xx): the message is the server's.
    Rejected,
    /// The server failed (5xx).
    Server,
    /// The answer is not a session: not JSON, or required fields missing.
    Protocol,
    /// The game cancelled the login.
    Cancelled,
    /// The ticket given to the helper is unusable (bad hex, empty).
    InvalidTicket,
    /// The endpoint is plain `http://` to a host that is not loopback, and that was not allowed:
    /// tickets and session tokens would cross the network in clear text. Nothing was sent.
    InsecureEndpoint,
    /// The client's own settings are unusable (a CA file that cannot be read). Nothing was sent.
    Config,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Server => "server",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::InvalidTicket => "invalid_ticket",
            ErrorKind::InsecureEndpoint => "insecure_endpoint",
            ErrorKind::Config => "config",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoginError {
    pub kind: ErrorKind,
    pub message: String,
    /// HTTP status when the server answered, else 0.
    pub http_status: u16,
    /// The server's error code (`{"error": {"code"}}`), when it gave one.
    pub code: Option<ReceivedCode>,
}

impl LoginError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LoginError {
            kind,
            message: message.into(),
            http_status: 0,
            code: None,
        }
    }

    /// Whether the server answered with `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code.as_ref().is_some_and(|c| *c == code)
    }

    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "the login was cancelled")
    }

    /// Classifies a reqwest failure; the URL is dropped from the message.
    pub fn from_reqwest(err: reqwest::Error, endpoint: &str) -> Self {
        if err.is_timeout() {
            return Self::new(
                ErrorKind::Timeout,
                format!("the login server at {endpoint} did not answer in time"),
            );
        }
        let causes =
            || std::iter::successors(Some(&err as &(dyn Error + 'static)), |&e| e.source());
        let detail = causes().last().map(ToString::to_string).unwrap_or_default();
        // The refusal by its kind: its words are the platform's ("actively refused" on Windows).
        // DNS failures are named by hyper-util's own words on every platform; TLS ones by rustls'.
        let words = causes()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let reason = if causes().any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        }) {
            "the connection was refused (is the server running?)"
        } else if words.contains("dns error") {
            "its host name could not be resolved"
        } else if words.contains("certificate") || words.to_lowercase().contains("tls") {
            "the TLS handshake failed"
        } else {
            "the connection failed"
        };
        Self::new(
            ErrorKind::Transport,
            format!("cannot reach the login server at {endpoint}: {reason} ({detail})"),
        )
    }
}
