//! Every way a login can be refused: its `ErrorCode` (which carries the HTTP status and the words),
//! what the case adds to the words, and the outcome `/metrics` counts it under.

use axum::response::{IntoResponse, Response};
use steam_login_protocol::ErrorCode;

use crate::encrypted_tickets::Refusal;
use crate::http::error::{ApiError, STORE_RETRY_AFTER};
use crate::metrics::{Outcome, RejectionReason};
use crate::steam::web_api::SteamFault;
use crate::store::StoreError;
use crate::time_text::utc;

/// A refusal by the offline checks: the first problem's reason, and every problem in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRejection {
    pub reason: RejectionReason,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    RateLimited {
        retry_after: u64,
    },
    /// The body is not JSON.
    InvalidRequest(String),
    /// `?token=` given twice, or not text.
    InvalidQuery(String),
    /// No token string: none given, or `"token"` not a string.
    MissingToken(String),
    /// Not a Steam ticket at all: too long, not hex, cut short.
    MalformedTicket(String),
    /// A ticket that the offline checks refuse (forged, expired, another app); Steam is not asked.
    RejectedLocally(LocalRejection),
    /// Steam's `{"error": {"errorcode"}}`.
    RejectedBySteam {
        code: i64,
        description: String,
    },
    /// The ticket already logged in (a replay, or a retry after a lost answer): 0 Steam calls.
    TicketReused,
    /// An encrypted app ticket, and the server has no key for any.
    EncryptedTicketsOff,
    /// No configured key opens the encrypted app ticket.
    UnknownTicketKey,
    /// The encrypted app ticket's data is not a nonce of this server.
    InvalidNonce,
    /// The encrypted app ticket's nonce already logged in.
    NonceReused,
    /// The encrypted app ticket or its nonce is older than the window.
    StaleTicket(String),
    /// Banned by the game's operator (`steam-login-server admin ban`).
    OperatorBanned {
        reason: String,
        until: Option<i64>,
    },
    PublisherBanned,
    VacBanned,
    /// `--family-sharing deny` and the game is lent.
    FamilyShared,
    /// `--check-ownership` and Steam says the player does not own the app.
    NotOwner,
    /// The shared quota count (PostgreSQL) could not be reached.
    QuotaUnavailable,
    /// A `--simulation` server without a key, given a ticket only Steam can judge.
    NoWebApiKey,
    QuotaExhausted {
        retry_after: u64,
    },
    SteamKeyRejected,
    SteamThrottled {
        retry_after: u64,
    },
    SteamTimeout,
    /// Steam's answer was not usable: transport error, 5xx after retries, not its JSON.
    SteamFault(SteamFault),
    /// The database cannot be reached (PostgreSQL down or restarting): the instance is not ready.
    StoreUnavailable,
    /// The server's own failure (store, randomness); the details are logged, not sent.
    Internal(&'static str),
}

impl LoginError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::InvalidRequest(_) => ErrorCode::InvalidJson,
            Self::InvalidQuery(_) => ErrorCode::InvalidQuery,
            Self::MissingToken(_) => ErrorCode::MissingToken,
            Self::MalformedTicket(_) => ErrorCode::MalformedTicket,
            Self::RejectedLocally(_) => ErrorCode::TicketRejected,
            Self::RejectedBySteam { code: 101, .. } => ErrorCode::InvalidTicket,
            Self::RejectedBySteam { code: 102, .. } => ErrorCode::TicketForOtherApp,
            Self::RejectedBySteam { code: 3, .. } => ErrorCode::InvalidParameter,
            Self::RejectedBySteam { .. } => ErrorCode::SteamRejected,
            Self::TicketReused => ErrorCode::TicketReused,
            Self::EncryptedTicketsOff => ErrorCode::EncryptedTicketsOff,
            Self::UnknownTicketKey => ErrorCode::UnknownTicketKey,
            Self::InvalidNonce => ErrorCode::InvalidNonce,
            Self::NonceReused => ErrorCode::NonceReused,
            Self::StaleTicket(_) => ErrorCode::StaleTicket,
            Self::OperatorBanned { .. } => ErrorCode::Banned,
            Self::PublisherBanned => ErrorCode::PublisherBanned,
            Self::VacBanned => ErrorCode::VacBanned,
            Self::FamilyShared => ErrorCode::FamilyShared,
            Self::NotOwner => ErrorCode::NotOwner,
            Self::QuotaUnavailable => ErrorCode::QuotaUnavailable,
            Self::NoWebApiKey => ErrorCode::SteamUnavailable,
            Self::QuotaExhausted { .. } => ErrorCode::QuotaExhausted,
            Self::SteamKeyRejected => ErrorCode::SteamKeyRejected,
            Self::SteamThrottled { .. } => ErrorCode::SteamThrottled,
            Self::SteamTimeout => ErrorCode::SteamTimeout,
            Self::SteamFault(_) => ErrorCode::SteamError,
            Self::StoreUnavailable => ErrorCode::StoreUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// For the player's log and the server's; never holds the ticket, a token or the key. The
    /// code's own words unless the case knows more.
    pub fn message(&self) -> String {
        let words = self.code().default_message();
        match self {
            Self::InvalidRequest(why) | Self::InvalidQuery(why) | Self::MissingToken(why) => {
                why.clone()
            }
            Self::MalformedTicket(why) => format!("{words}: {why}"),
            Self::RejectedLocally(rejection) => format!("{words}: {}", rejection.detail),
            Self::RejectedBySteam { code, description } => {
                format!("{words} (Steam error {code}: {description})")
            }
            Self::OperatorBanned { reason, until } => match until {
                Some(until) => format!("{words} until {}: {reason}", utc(*until)),
                None => format!("{words}: {reason}"),
            },
            Self::SteamFault(why) => why.to_string(),
            Self::StaleTicket(why) => format!("{words}: {why}"),
            Self::Internal(what) => (*what).into(),
            _ => words.into(),
        }
    }

    pub fn outcome(&self) -> Outcome {
        match self {
            Self::RateLimited { .. } => Outcome::RateLimited,
            Self::InvalidRequest(_)
            | Self::InvalidQuery(_)
            | Self::MissingToken(_)
            | Self::MalformedTicket(_) => Outcome::BadRequest,
            Self::RejectedLocally(_) => Outcome::RejectedLocally,
            Self::RejectedBySteam { .. } => Outcome::RejectedBySteam,
            Self::TicketReused | Self::NonceReused => Outcome::TicketReused,
            Self::EncryptedTicketsOff => Outcome::BadRequest,
            Self::UnknownTicketKey | Self::InvalidNonce | Self::StaleTicket(_) => {
                Outcome::RejectedLocally
            }
            Self::OperatorBanned { .. } | Self::PublisherBanned | Self::VacBanned => {
                Outcome::Banned
            }
            Self::FamilyShared | Self::NotOwner => Outcome::Denied,
            Self::QuotaUnavailable => Outcome::Internal,
            Self::StoreUnavailable => Outcome::StoreUnavailable,
            Self::QuotaExhausted { .. } => Outcome::QuotaExhausted,
            Self::NoWebApiKey
            | Self::SteamKeyRejected
            | Self::SteamThrottled { .. }
            | Self::SteamTimeout
            | Self::SteamFault(_) => Outcome::UpstreamError,
            Self::Internal(_) => Outcome::Internal,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after }
            | Self::QuotaExhausted { retry_after }
            | Self::SteamThrottled { retry_after } => Some(*retry_after),
            Self::StoreUnavailable => Some(STORE_RETRY_AFTER),
            _ => None,
        }
    }

    /// A store failure during a login: `StoreUnavailable` when the database is away, else logged with
    /// `what` as the player's words.
    pub fn from_store(error: StoreError, what: &'static str) -> Self {
        if error.is_unavailable() {
            tracing::warn!("{what}: {error}");
            Self::StoreUnavailable
        } else {
            tracing::error!("{what}: {error}");
            Self::Internal(what)
        }
    }
}

impl From<Refusal> for LoginError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Malformed(why) => Self::MalformedTicket(why),
            Refusal::UnknownKey => Self::UnknownTicketKey,
            Refusal::WrongApp(detail) => Self::RejectedLocally(LocalRejection {
                reason: RejectionReason::WrongApp,
                detail,
            }),
            Refusal::InvalidNonce => Self::InvalidNonce,
            Refusal::Stale(why) => Self::StaleTicket(why),
        }
    }
}

impl From<&LoginError> for ApiError {
    fn from(error: &LoginError) -> Self {
        let api = ApiError::new(error.code(), error.message());
        match error.retry_after() {
            Some(seconds) => api.retry_after(seconds),
            None => api,
        }
    }
}

impl IntoResponse for LoginError {
    fn into_response(self) -> Response {
        ApiError::from(&self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steam_s_codes_keep_their_names() {
        let steam = |code| LoginError::RejectedBySteam {
            code,
            description: "x".into(),
        };
        assert_eq!(steam(101).code(), ErrorCode::InvalidTicket);
        assert_eq!(steam(102).code(), ErrorCode::TicketForOtherApp);
        assert_eq!(steam(3).code(), ErrorCode::InvalidParameter);
        assert_eq!(steam(7).code(), ErrorCode::SteamRejected);
        assert!(steam(101).message().contains("Steam error 101: x"));
    }

    #[test]
    fn retry_after_where_waiting_helps() {
        assert_eq!(
            LoginError::RateLimited { retry_after: 3 }.retry_after(),
            Some(3)
        );
        assert_eq!(LoginError::SteamTimeout.retry_after(), None);
        assert_eq!(LoginError::SteamTimeout.code().http_status(), 504);
        assert_eq!(LoginError::VacBanned.outcome(), Outcome::Banned);
    }
}
