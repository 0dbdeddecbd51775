//! `ISteamUserAuth/AuthenticateUserTicket/v1`: the one Web API call, its retries, and what Steam's
//! answers mean.
//!
//! The key travels in the `x-webapi-key` header, never in the URL; the URL holds the ticket, so no URL is
//! ever logged or put in an error (the HTTP client's errors never carry it).

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::config::Secret;
use crate::http1::{Http1Client, HttpError};

/// What Steam said about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SteamAnswer {
    Valid(Player),
    /// HTTP 200 with `{"response":{"error":{...}}}`.
    Rejected {
        code: i64,
        description: String,
    },
    /// HTTP 403: the server's key is wrong or revoked.
    BadKey,
    /// HTTP 429.
    Throttled {
        retry_after: Option<u64>,
    },
    /// No answer within the timeout (after retries).
    Timeout,
    /// Anything else: transport errors, 5xx after retries, 400, bodies that are not Steam's JSON.
    Fault(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    pub steam_id: u64,
    pub owner_steam_id: u64,
    pub vac_banned: bool,
    pub publisher_banned: bool,
}

/// One upstream attempt's result, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    Ok,
    SteamError,
    BadKey,
    Throttled,
    ServerError,
    Timeout,
    Transport,
    Malformed,
}

impl AttemptResult {
    pub const ALL: [AttemptResult; 8] = [
        Self::Ok,
        Self::SteamError,
        Self::BadKey,
        Self::Throttled,
        Self::ServerError,
        Self::Timeout,
        Self::Transport,
        Self::Malformed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::SteamError => "steam_error",
            Self::BadKey => "bad_key",
            Self::Throttled => "throttled",
            Self::ServerError => "server_error",
            Self::Timeout => "timeout",
            Self::Transport => "transport",
            Self::Malformed => "malformed",
        }
    }
}

/// Reports each attempt (result, latency) to whoever counts them.
pub trait AttemptObserver: Send + Sync {
    fn attempt(&self, result: AttemptResult, latency: Duration);
}

pub struct SteamWebApi {
    http: Http1Client,
    /// The endpoint's path with every parameter but the ticket, encoded once:
    /// `/…/ISteamUserAuth/AuthenticateUserTicket/v1/?appid=…[&identity=…]`.
    path_prefix: String,
    /// `x-webapi-key`: checked once to be a valid header value; only ever written to the socket.
    key: Secret,
    timeout: Duration,
    retries: u32,
}

impl SteamWebApi {
    pub fn new(
        base: &str,
        key: Secret,
        app_id: u32,
        identity: Option<String>,
        timeout: Duration,
        retries: u32,
    ) -> Result<Self, String> {
        let endpoint = format!(
            "{}/ISteamUserAuth/AuthenticateUserTicket/v1/",
            base.trim_end_matches('/')
        );
        let app_id = app_id.to_string();
        let mut params = vec![("appid", app_id.as_str())];
        if let Some(identity) = &identity {
            params.push(("identity", identity));
        }
        let url = url::Url::parse_with_params(&endpoint, &params)
            .map_err(|e| format!("the Steam Web API base URL {base:?} is not a URL: {e}"))?;
        let http = Http1Client::new(&url, 256, timeout.min(Duration::from_secs(3)))
            .map_err(|e| format!("the Steam Web API base URL {base:?}: {e}"))?;
        let path_prefix = format!("{}?{}", url.path(), url.query().unwrap_or_default());
        // A header value is visible ASCII, spaces and tabs; anything else could split the request.
        if !key
            .expose()
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            return Err(
                "the Steam Web API key holds characters an HTTP header cannot carry".into(),
            );
        }
        Ok(SteamWebApi {
            http,
            path_prefix,
            key,
            timeout,
            retries,
        })
    }

    /// Asks Steam about `ticket_hex` (hex digits only: anything else is a fault, not a call), retrying
    /// transport errors and 5xx at most `retries` times. `before_attempt` is asked before every attempt
    /// (the quota guard); `false` stops.
    pub async fn authenticate(
        &self,
        ticket_hex: &str,
        observer: &dyn AttemptObserver,
        before_attempt: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<SteamAnswer, QuotaExhausted> {
        if !ticket_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(SteamAnswer::Fault("the ticket is not hex".into()));
        }
        // Hex needs no percent-encoding, so the path is a concatenation.
        let path = format!("{}&ticket={ticket_hex}", self.path_prefix);
        let mut attempt = 0;
        loop {
            if !before_attempt() {
                return Err(QuotaExhausted);
            }
            let started = Instant::now();
            let (answer, result, retryable) = self.attempt(&path).await;
            observer.attempt(result, started.elapsed());
            if !retryable || attempt >= self.retries {
                return Ok(answer);
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(50 * (1 << attempt.min(4)))).await;
        }
    }

    async fn attempt(&self, path: &str) -> (SteamAnswer, AttemptResult, bool) {
        let headers = [
            ("x-webapi-key", self.key.expose()),
            ("accept", "application/json"),
            ("user-agent", USER_AGENT),
        ];
        let response = match tokio::time::timeout(self.timeout, self.http.get(path, &headers)).await
        {
            Err(_elapsed) => return (SteamAnswer::Timeout, AttemptResult::Timeout, true),
            Ok(Err(HttpError::Connect(e))) if e.kind() == std::io::ErrorKind::TimedOut => {
                return (SteamAnswer::Timeout, AttemptResult::Timeout, true)
            }
            Ok(Err(e @ HttpError::Protocol(_))) => {
                let message = format!("Steam's answer is not valid HTTP: {e}");
                return (SteamAnswer::Fault(message), AttemptResult::Malformed, false);
            }
            Ok(Err(e)) => {
                let message = format!("cannot reach Steam: {e}");
                return (SteamAnswer::Fault(message), AttemptResult::Transport, true);
            }
            Ok(Ok(response)) => response,
        };
        match response.status {
            403 => (SteamAnswer::BadKey, AttemptResult::BadKey, false),
            429 => {
                let retry_after = response.retry_after.as_deref().and_then(|v| v.parse().ok());
                (
                    SteamAnswer::Throttled { retry_after },
                    AttemptResult::Throttled,
                    false,
                )
            }
            status @ 500..=599 => {
                let message = format!("Steam answered HTTP {status}");
                (
                    SteamAnswer::Fault(message),
                    AttemptResult::ServerError,
                    true,
                )
            }
            200..=299 => match parse_answer(&response.body) {
                Ok(answer @ SteamAnswer::Valid(_)) => (answer, AttemptResult::Ok, false),
                Ok(answer) => (answer, AttemptResult::SteamError, false),
                Err(message) => (SteamAnswer::Fault(message), AttemptResult::Malformed, false),
            },
            status => {
                let message = format!("Steam answered HTTP {status}");
                (SteamAnswer::Fault(message), AttemptResult::Malformed, false)
            }
        }
    }
}

const USER_AGENT: &str = concat!("steam-login-server/", env!("CARGO_PKG_VERSION"));

/// The quota guard refused the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExhausted;

#[derive(Deserialize)]
struct Envelope {
    response: ResponseBody,
}

#[derive(Deserialize)]
struct ResponseBody {
    params: Option<Params>,
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct Params {
    result: String,
    steamid: String,
    ownersteamid: Option<String>,
    #[serde(default)]
    vacbanned: bool,
    #[serde(default)]
    publisherbanned: bool,
}

#[derive(Deserialize)]
struct ErrorBody {
    errorcode: i64,
    #[serde(default)]
    errordesc: String,
}

/// Parses Steam's HTTP-200 body.
pub fn parse_answer(body: &[u8]) -> Result<SteamAnswer, String> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's answer is not the expected JSON: {e}"))?;
    if let Some(error) = envelope.response.error {
        return Ok(SteamAnswer::Rejected {
            code: error.errorcode,
            description: error.errordesc,
        });
    }
    let params = envelope
        .response
        .params
        .ok_or("Steam's answer has neither params nor error")?;
    if params.result != "OK" {
        return Err(format!("Steam's answer has result {:?}", params.result));
    }
    let parse_id = |s: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("Steam's steamid {s:?} is not a number"))
    };
    let steam_id = parse_id(&params.steamid)?;
    let owner_steam_id = match params.ownersteamid.as_deref() {
        Some(owner) => parse_id(owner)?,
        None => steam_id,
    };
    Ok(SteamAnswer::Valid(Player {
        steam_id,
        owner_steam_id,
        vac_banned: params.vacbanned,
        publisher_banned: params.publisherbanned,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ok_family_sharing_and_errors() {
        let ok = br#"{"response":{"params":{"result":"OK","steamid":"76561198000000001","ownersteamid":"76561198000000002","vacbanned":false,"publisherbanned":true}}}"#;
        assert_eq!(
            parse_answer(ok),
            Ok(SteamAnswer::Valid(Player {
                steam_id: 76561198000000001,
                owner_steam_id: 76561198000000002,
                vac_banned: false,
                publisher_banned: true,
            }))
        );
        let err = br#"{"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}}"#;
        assert_eq!(
            parse_answer(err),
            Ok(SteamAnswer::Rejected {
                code: 101,
                description: "Invalid ticket".into()
            })
        );
        assert!(parse_answer(b"<html>").is_err());
        assert!(parse_answer(br#"{"response":{}}"#).is_err());
    }
}
