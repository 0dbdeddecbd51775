//! Every way a login can be refused, each with its HTTP status, stable code, message and the outcome
//! `/metrics` counts it under, so that no two places can disagree.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
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
    pub fn status(&self) -> StatusCode {
        match self {
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::InvalidRequest(_)
            | Self::InvalidQuery(_)
            | Self::MissingToken(_)
            | Self::MalformedTicket(_) => StatusCode::BAD_REQUEST,
            Self::RejectedLocally(_) | Self::RejectedBySteam { .. } | Self::TicketReused => {
                StatusCode::UNAUTHORIZED
            }
            Self::OperatorBanned { .. }
            | Self::PublisherBanned
            | Self::VacBanned
            | Self::FamilyShared
            | Self::NotOwner => StatusCode::FORBIDDEN,
            Self::NoWebApiKey
            | Self::QuotaExhausted { .. }
            | Self::QuotaUnavailable
            | Self::StoreUnavailable
            | Self::SteamThrottled { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::SteamKeyRejected | Self::SteamFault(_) => StatusCode::BAD_GATEWAY,
            Self::SteamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidRequest(_) => "invalid_json",
            Self::InvalidQuery(_) => "invalid_query",
            Self::MissingToken(_) => "missing_token",
            Self::MalformedTicket(_) => "malformed_ticket",
            Self::RejectedLocally(_) => "ticket_rejected",
            Self::RejectedBySteam { code: 101, .. } => "invalid_ticket",
            Self::RejectedBySteam { code: 102, .. } => "ticket_for_other_app",
            Self::RejectedBySteam { code: 3, .. } => "invalid_parameter",
            Self::RejectedBySteam { .. } => "steam_rejected",
            Self::TicketReused => "ticket_reused",
            Self::OperatorBanned { .. } => "banned",
            Self::PublisherBanned => "publisher_banned",
            Self::VacBanned => "vac_banned",
            Self::FamilyShared => "family_shared",
            Self::NotOwner => "not_owner",
            Self::QuotaUnavailable => "quota_unavailable",
            Self::NoWebApiKey => "steam_unavailable",
            Self::QuotaExhausted { .. } => "quota_exhausted",
            Self::SteamKeyRejected => "steam_key_rejected",
            Self::SteamThrottled { .. } => "steam_throttled",
            Self::SteamTimeout => "steam_timeout",
            Self::SteamFault(_) => "steam_error",
            Self::StoreUnavailable => "store_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// For the player's log and the server's; never holds the ticket, a token or the key.
    pub fn message(&self) -> String {
        match self {
            Self::RateLimited { .. } => "too many login attempts from this address".into(),
            Self::InvalidRequest(why) | Self::InvalidQuery(why) | Self::MissingToken(why) => {
                why.clone()
            }
            Self::MalformedTicket(why) => format!("token is not a valid Steam auth ticket: {why}"),
            Self::RejectedLocally(rejection) => {
                format!(
                    "ticket rejected without calling Steam: {}",
                    rejection.detail
                )
            }
            Self::RejectedBySteam { code, description } => {
                let meaning = match code {
                    101 => "Steam says the ticket is invalid (expired, already used, or not from a logged-in Steam client)",
                    102 => "Steam says the ticket was issued for another app",
                    3 => "Steam could not read the ticket (bad hex or wrong identity)",
                    _ => "Steam rejected the ticket",
                };
                format!("{meaning} (Steam error {code}: {description})")
            }
            Self::TicketReused => {
                "this ticket has already logged in; ask Steam for a new ticket and log in with that"
                    .into()
            }
            Self::OperatorBanned { reason, until } => match until {
                Some(until) => format!(
                    "this player is banned from this game until {}: {reason}",
                    utc(*until)
                ),
                None => format!("this player is banned from this game: {reason}"),
            },
            Self::PublisherBanned => "this player is banned from this game by its publisher".into(),
            Self::VacBanned => {
                "this player is VAC-banned and this server admits no VAC-banned players".into()
            }
            Self::FamilyShared => {
                "this player plays a copy lent by Family Sharing, which this server does not admit"
                    .into()
            }
            Self::NotOwner => "Steam says this player does not own the game".into(),
            Self::QuotaUnavailable => {
                "the Steam Web API budget shared by this deployment cannot be read; retry shortly"
                    .into()
            }
            Self::NoWebApiKey => {
                "this server has no Steam Web API key and only accepts simulated tickets".into()
            }
            Self::QuotaExhausted { .. } => {
                "the daily Steam Web API budget is spent; logins resume after midnight UTC".into()
            }
            Self::SteamKeyRejected => "Steam rejected the server's Web API key".into(),
            Self::SteamThrottled { .. } => "Steam is throttling this server; retry later".into(),
            Self::SteamTimeout => "Steam did not answer in time".into(),
            Self::SteamFault(why) => why.to_string(),
            Self::StoreUnavailable => {
                "the login database cannot be reached right now; retry shortly".into()
            }
            Self::Internal(what) => (*what).into(),
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
            Self::TicketReused => Outcome::TicketReused,
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

/// Seconds a client is asked to wait while the database is away.
pub const STORE_RETRY_AFTER: u64 = 1;

impl From<&LoginError> for ApiError {
    fn from(error: &LoginError) -> Self {
        let api = ApiError::new(error.status(), error.code(), error.message());
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
        assert_eq!(steam(101).code(), "invalid_ticket");
        assert_eq!(steam(102).code(), "ticket_for_other_app");
        assert_eq!(steam(3).code(), "invalid_parameter");
        assert_eq!(steam(7).code(), "steam_rejected");
        assert!(steam(101).message().contains("Steam error 101: x"));
    }

    #[test]
    fn retry_after_where_waiting_helps() {
        assert_eq!(
            LoginError::RateLimited { retry_after: 3 }.retry_after(),
            Some(3)
        );
        assert_eq!(LoginError::SteamTimeout.retry_after(), None);
        assert_eq!(
            LoginError::SteamTimeout.status(),
            StatusCode::GATEWAY_TIMEOUT
        );
        assert_eq!(LoginError::VacBanned.outcome(), Outcome::Banned);
    }
}
