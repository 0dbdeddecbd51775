//! Why a login failed, as a type a game can branch on. No message ever holds the ticket or a token.

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
    /// Steam gave no ticket to post: not initialised, no `Steam` singleton, or no ticket in time.
    Steam,
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
            ErrorKind::Steam => "steam",
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
    pub code: Option<String>,
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
        let detail = root_cause(&err);
        let reason = if detail.contains("dns error") || detail.contains("failed to lookup") {
            "its host name could not be resolved"
        } else if detail.contains("Connection refused") {
            "the connection was refused (is the server running?)"
        } else if detail.contains("certificate") || detail.contains("tls") || detail.contains("TLS")
        {
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

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
