//! Every error code the server sends, with its HTTP status and default words, declared once per case
//! (in the style of axum's `define_rejection!`): the server builds its answers from this table, the
//! clients parse into it.

use std::fmt;

macro_rules! error_codes {
    ($(
        $(#[$doc:meta])*
        $name:ident = $wire:literal, $status:literal, $message:literal;
    )*) => {
        /// A stable, machine-readable error code: `{"error": {"code"}}`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $name, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];

            /// The code on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => $wire,)* }
            }

            /// The HTTP status the server answers this code with (`missing_token` on the session
            /// endpoints is 401: a credential, not a body field, is missing).
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorCode::$name => $status,)* }
            }

            /// The words sent when the case has nothing more specific to say.
            pub const fn default_message(self) -> &'static str {
                match self { $(ErrorCode::$name => $message,)* }
            }

            /// The code named by `wire`, or `None` for a code this version does not know.
            pub fn from_wire(wire: &str) -> Option<ErrorCode> {
                match wire {
                    $($wire => Some(ErrorCode::$name),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The login: the request.
    /// The body is not JSON.
    InvalidJson = "invalid_json", 400, "the request body is not JSON";
    /// `?token=` given twice, or not text.
    InvalidQuery = "invalid_query", 400, "the query string is not valid";
    /// No token: none in the body, or no Bearer token for a session endpoint.
    MissingToken = "missing_token", 400, "no token was given";
    /// Not a Steam ticket at all: too long, not hex, cut short.
    MalformedTicket = "malformed_ticket", 400, "the token is not a valid Steam auth ticket";
    /// Too many logins from one address.
    RateLimited = "rate_limited", 429, "too many login attempts from this address";

    // The login: the ticket.
    /// Refused by the offline checks (forged, expired, another app); Steam was not asked.
    TicketRejected = "ticket_rejected", 401, "ticket rejected without calling Steam";
    /// Steam's error 101.
    InvalidTicket = "invalid_ticket", 401, "Steam says the ticket is invalid (expired, already used, or not from a logged-in Steam client)";
    /// Steam's error 102.
    TicketForOtherApp = "ticket_for_other_app", 401, "Steam says the ticket was issued for another app";
    /// Steam's error 3.
    InvalidParameter = "invalid_parameter", 401, "Steam could not read the ticket (bad hex or wrong identity)";
    /// Any other error code from Steam.
    SteamRejected = "steam_rejected", 401, "Steam rejected the ticket";
    /// The ticket already logged in (a replay, or a retry after a lost answer).
    TicketReused = "ticket_reused", 401, "this ticket has already logged in; ask Steam for a new ticket and log in with that";

    // The login: encrypted app tickets.
    /// The server has no `--encrypted-ticket-key`.
    EncryptedTicketsOff = "encrypted_tickets_off", 400, "this server takes no encrypted app tickets (it has no --encrypted-ticket-key)";
    /// No key of the server opens the ticket.
    UnknownTicketKey = "unknown_ticket_key", 401, "no encrypted-ticket key of this server opens this ticket: its app has none here, or the key differs";
    /// The ticket's data is not a nonce this server handed out.
    InvalidNonce = "invalid_nonce", 401, "the ticket's data is not a nonce from this server's nonce endpoint";
    /// The ticket's nonce already logged in.
    NonceReused = "nonce_reused", 401, "this nonce has already logged in; ask for a new nonce and a new ticket";
    /// The ticket or its nonce is older than the server's window.
    StaleTicket = "stale_ticket", 401, "the ticket or its nonce is older than this server accepts; ask for a new nonce and a new ticket";

    // The login: the player.
    /// Banned by the game's operator (`steam-login-server admin ban`).
    Banned = "banned", 403, "this player is banned from this game";
    PublisherBanned = "publisher_banned", 403, "this player is banned from this game by its publisher";
    VacBanned = "vac_banned", 403, "this player is VAC-banned and this server admits no VAC-banned players";
    /// `--family-sharing deny` and the game is lent.
    FamilyShared = "family_shared", 403, "this player plays a copy lent by Family Sharing, which this server does not admit";
    /// `--check-ownership` and Steam says the player does not own the app.
    NotOwner = "not_owner", 403, "Steam says this player does not own the game";

    // The login: Steam and the server.
    /// A `--simulation` server without a key, given a ticket only Steam can judge.
    SteamUnavailable = "steam_unavailable", 503, "this server has no Steam Web API key and only accepts simulated tickets";
    /// The shared quota count (PostgreSQL) could not be reached.
    QuotaUnavailable = "quota_unavailable", 503, "the Steam Web API budget shared by this deployment cannot be read; retry shortly";
    QuotaExhausted = "quota_exhausted", 503, "the daily Steam Web API budget is spent; logins resume after midnight UTC";
    SteamKeyRejected = "steam_key_rejected", 502, "Steam rejected the server's Web API key";
    SteamThrottled = "steam_throttled", 503, "Steam is throttling this server; retry later";
    SteamTimeout = "steam_timeout", 504, "Steam did not answer in time";
    /// Steam's answer was not usable: transport error, 5xx after retries, not its JSON.
    SteamError = "steam_error", 502, "Steam's answer could not be used";
    /// The database cannot be reached (PostgreSQL down or restarting).
    StoreUnavailable = "store_unavailable", 503, "the login database cannot be reached right now; retry shortly";
    /// The server's own failure; the details are in its log.
    Internal = "internal", 500, "the server could not answer the request";

    // Sessions.
    InvalidSession = "invalid_session", 401, "no such session";
    SessionRevoked = "session_revoked", 401, "this session was revoked";
    SessionExpired = "session_expired", 401, "this session has expired";

    // HTTP, before any handler.
    NotFound = "not_found", 404, "no such endpoint";
    MethodNotAllowed = "method_not_allowed", 405, "this endpoint does not take that method (see the Allow header)";
    BadRequest = "bad_request", 400, "the request is not valid HTTP/1.1";
    BadBody = "bad_body", 400, "the request body could not be read";
    RequestTimeout = "request_timeout", 408, "the request took too long to arrive";
    BodyTimeout = "body_timeout", 408, "the request body did not arrive in time";
    BodyTooLarge = "body_too_large", 413, "the request body is too large";
    UriTooLong = "uri_too_long", 414, "the request URI is too long";
    HeadersTooLarge = "headers_too_large", 431, "the request's header fields are too large";
    NotImplemented = "not_implemented", 501, "the request uses something this server does not implement";
    HttpVersionNotSupported = "http_version_not_supported", 505, "this server speaks HTTP/1.1 only";
    TooManyConnections = "too_many_connections", 503, "the server has too many open connections; retry shortly";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code as received: one this version knows, or a newer server's, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReceivedCode {
    Known(ErrorCode),
    Unknown(String),
}

impl ReceivedCode {
    pub fn parse(wire: &str) -> ReceivedCode {
        match ErrorCode::from_wire(wire) {
            Some(code) => ReceivedCode::Known(code),
            None => ReceivedCode::Unknown(wire.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ReceivedCode::Known(code) => code.as_str(),
            ReceivedCode::Unknown(wire) => wire,
        }
    }

    /// The known code, if it is one.
    pub fn known(&self) -> Option<ErrorCode> {
        match self {
            ReceivedCode::Known(code) => Some(*code),
            ReceivedCode::Unknown(_) => None,
        }
    }
}

impl PartialEq<ErrorCode> for ReceivedCode {
    fn eq(&self, other: &ErrorCode) -> bool {
        self.known() == Some(*other)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_code_has_its_own_wire_string_and_reads_back() {
        let mut seen = HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
            assert!((400..600).contains(&code.http_status()), "{code}");
            assert!(!code.default_message().is_empty());
            assert!(code
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }

    #[test]
    fn a_newer_server_s_code_is_kept() {
        let code = ReceivedCode::parse("ticket_from_the_future");
        assert_eq!(code.as_str(), "ticket_from_the_future");
        assert_eq!(code.known(), None);
        assert_eq!(
            ReceivedCode::parse("ticket_reused"),
            ErrorCode::TicketReused
        );
    }
}
