//! Steam's Web API: `ISteamUserAuth/AuthenticateUserTicket/v1` (every login asking Steam),
//! `ISteamUser/CheckAppOwnership/v2` (with `--check-ownership`), `ISteamUser/GetFriendList/v1`
//! (with `--sync-friends`), their retries, and what the answers mean.
//!
//! The key travels in the `x-webapi-key` header, never in the URL; the URL holds the ticket, so no URL is
//! ever logged or put in an error (hyper's errors never carry it).
//!
//! HTTP is HTTP/1.1 keep-alive to one origin over hyper-rustls (ring, Mozilla's roots from
//! webpki-roots), each connection driven by the login that uses it (`http1_pool`), with a connect
//! timeout, a timeout per attempt, and retries with jittered exponential back-off.

use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, Request, Uri};
use http_body_util::Empty;
use hyper_util::client::legacy::connect::HttpConnector;

use super::http1_pool::{ExchangeError, Http1Pool};
use serde::Deserialize;

use crate::config::Secret;
use crate::metrics::{AttemptObserver, AttemptResult};

/// Steam's answers are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// Idle pooled connections are closed after this (servers close theirs after a while).
const POOL_IDLE: Duration = Duration::from_secs(50);
/// Idle connections kept open to Steam: as many as logins wait on it at once under load.
const MAX_IDLE_CONNECTIONS: usize = 256;

/// Steam's answer to one call, whatever the endpoint: what it said (HTTP 200), or why it said nothing
/// usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream<T> {
    Answer(T),
    /// HTTP 403: the server's key is wrong or revoked.
    BadKey,
    /// HTTP 429.
    Throttled {
        retry_after: Option<u64>,
    },
    /// No answer within the timeout (after retries).
    Timeout,
    /// Anything else: transport errors, 5xx after retries, 400, bodies that are not Steam's JSON.
    Fault(SteamFault),
}

/// Why Steam gave no usable answer; the words are safe to show (never the key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SteamFault {
    /// The request could not be built (a ticket or identity that does not fit in a URL).
    #[error("the Steam Web API request could not be built")]
    Request,
    /// No connection could be made (refused, DNS, TLS).
    #[error("cannot connect to Steam: {0}")]
    Connect(String),
    /// The connection failed during the exchange.
    #[error("cannot reach Steam: {0}")]
    Transport(String),
    /// An HTTP status other than 200, 403 and 429.
    #[error("Steam answered HTTP {0}")]
    Status(u16),
    /// The answer is larger than any answer of Steam's.
    #[error("Steam's answer is over {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
    /// The bytes are not HTTP.
    #[error("Steam's answer is not valid HTTP: {0}")]
    NotHttp(String),
    /// HTTP 200 whose body is not the JSON Steam sends (the parser says what is wrong).
    #[error("{0}")]
    Malformed(String),
}

/// What `AuthenticateUserTicket` said about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketAnswer {
    Valid(Player),
    /// `{"response":{"error":{...}}}`.
    Rejected {
        code: i64,
        description: String,
    },
}

pub type SteamAnswer = Upstream<TicketAnswer>;

/// Takes one call from the day's budget before each attempt.
#[async_trait::async_trait]
pub trait CallBudget: Send + Sync {
    async fn take(&self) -> Result<(), BudgetRefusal>;
}

/// Why no call was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetRefusal {
    /// The day's budget is spent.
    Spent,
    /// The shared count could not be reached (the database is down).
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    pub steam_id: u64,
    pub owner_steam_id: u64,
    pub vac_banned: bool,
    pub publisher_banned: bool,
}

/// The hex of a ticket that decoded and passed the offline checks, cut to its declared length:
/// trailing bytes (a whole SDK buffer sent) are not Steam's business, nor worth its quota. Only
/// `login::ticket_check::check_ticket` makes one, so whoever holds one has hex digits only, for one
/// of the server's apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedTicket<'t> {
    hex: &'t str,
    app_id: u32,
}

impl<'t> CheckedTicket<'t> {
    /// For `check_ticket` alone, once the ticket passed its checks.
    pub(crate) fn new(hex: &'t str, app_id: u32) -> Self {
        CheckedTicket { hex, app_id }
    }

    pub fn hex(&self) -> &'t str {
        self.hex
    }

    pub fn app_id(&self) -> u32 {
        self.app_id
    }
}

/// A player's Steam friends, as `GetFriendList` gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendList {
    Friends(Vec<u64>),
    /// The profile's friend list is private (Steam answers 401): nobody to show.
    Private,
}

/// One app's URLs, every parameter but the last encoded once.
struct AppUrls {
    app_id: u32,
    /// `…/AuthenticateUserTicket/v1/?appid=…[&identity=…]&ticket=`.
    ticket_prefix: String,
    /// `…/CheckAppOwnership/v2/?appid=…&steamid=`.
    ownership_prefix: String,
}

/// Reads an endpoint's HTTP-200 body: what it says, and how the attempt counts in `/metrics`.
type ParseAnswer<T> = fn(&[u8]) -> Result<(T, AttemptResult), String>;

pub struct SteamWebApi {
    http: Http1Pool,
    /// Per app of `--app-id`.
    apps: Vec<AppUrls>,
    /// `https://…/ISteamUser/GetFriendList/v1/?relationship=friend&steamid=`.
    friends_prefix: String,
    /// `x-webapi-key`, marked sensitive (hyper never shows it); only ever written to the socket.
    key: HeaderValue,
    timeout: Duration,
    retries: u32,
}

impl SteamWebApi {
    pub fn new(
        base: &str,
        key: Secret,
        app_ids: &[u32],
        identity: Option<String>,
        timeout: Duration,
        retries: u32,
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Self, String> {
        let endpoint = |path: &str, params: &[(&str, &str)]| {
            let endpoint = format!("{}{path}", base.trim_end_matches('/'));
            let url = url::Url::parse_with_params(&endpoint, params)
                .map_err(|e| format!("the Steam Web API base URL {base:?} is not a URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!(
                    "the Steam Web API base URL {base:?} must be http:// or https://"
                ));
            }
            Ok(url)
        };
        let mut apps = Vec::with_capacity(app_ids.len());
        for app_id in app_ids {
            let app = app_id.to_string();
            let mut params = vec![("appid", app.as_str())];
            if let Some(identity) = &identity {
                params.push(("identity", identity));
            }
            let ticket_url = endpoint("/ISteamUserAuth/AuthenticateUserTicket/v1/", &params)?;
            let ownership_url = endpoint("/ISteamUser/CheckAppOwnership/v2/", &[("appid", &app)])?;
            apps.push(AppUrls {
                app_id: *app_id,
                ticket_prefix: format!("{ticket_url}&ticket="),
                ownership_prefix: format!("{ownership_url}&steamid="),
            });
        }
        let friends_url = endpoint(
            "/ISteamUser/GetFriendList/v1/",
            &[("relationship", "friend")],
        )?;
        // A header value is visible ASCII, spaces and tabs; anything else could split the request.
        let mut key = HeaderValue::from_str(key.expose())
            .ok()
            .filter(|_| {
                key.expose()
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
            })
            .ok_or("the Steam Web API key holds characters an HTTP header cannot carry")?;
        key.set_sensitive(true);
        Ok(SteamWebApi {
            http: Http1Pool::new(
                https_connector(timeout.min(Duration::from_secs(3)), extra_roots)?,
                MAX_IDLE_CONNECTIONS,
                POOL_IDLE,
            ),
            apps,
            friends_prefix: format!("{friends_url}&steamid="),
            key,
            timeout,
            retries,
        })
    }

    /// Asks Steam about a ticket that passed the offline checks.
    pub async fn authenticate(
        &self,
        ticket: CheckedTicket<'_>,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<SteamAnswer, BudgetRefusal> {
        let Some(app) = self.app(ticket.app_id()) else {
            return Ok(Upstream::Fault(SteamFault::Request));
        };
        // Hex needs no percent-encoding, so the URL is a concatenation.
        let url = format!("{}{}", app.ticket_prefix, ticket.hex());
        self.call(&url, parse_answer, self.retries, observer, budget)
            .await
    }

    /// `ISteamUser/CheckAppOwnership` (publisher keys): whether `steam_id` owns `app_id`.
    pub async fn owns_app(
        &self,
        steam_id: u64,
        app_id: u32,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<Upstream<bool>, BudgetRefusal> {
        let Some(app) = self.app(app_id) else {
            return Ok(Upstream::Fault(SteamFault::Request));
        };
        let url = format!("{}{steam_id}", app.ownership_prefix);
        self.call(&url, parse_ownership, self.retries, observer, budget)
            .await
    }

    /// `ISteamUser/GetFriendList`: `steam_id`'s friends. One attempt, no retry: a login waits for
    /// it at most one timeout, and a failed sync is only tried again at a later login.
    pub async fn friends(
        &self,
        steam_id: u64,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<Upstream<FriendList>, BudgetRefusal> {
        let url = format!("{}{steam_id}", self.friends_prefix);
        let answer = self.call(&url, parse_friends, 0, observer, budget).await?;
        Ok(match answer {
            // A private friend list: Steam answers 401 to anyone but its owner.
            Upstream::Fault(SteamFault::Status(401)) => Upstream::Answer(FriendList::Private),
            other => other,
        })
    }

    fn app(&self, app_id: u32) -> Option<&AppUrls> {
        self.apps.iter().find(|a| a.app_id == app_id)
    }

    /// One call with its retries: transport errors and 5xx are retried at most `retries` times, each
    /// attempt taken from `budget` first.
    async fn call<T>(
        &self,
        url: &str,
        parse: ParseAnswer<T>,
        retries: u32,
        observer: &dyn AttemptObserver,
        budget: &dyn CallBudget,
    ) -> Result<Upstream<T>, BudgetRefusal> {
        let Ok(uri) = url.parse::<Uri>() else {
            return Ok(Upstream::Fault(SteamFault::Request));
        };
        let mut attempt = 0;
        loop {
            budget.take().await?;
            let started = Instant::now();
            let (answer, result, retryable) = self.attempt(uri.clone(), parse).await;
            observer.attempt(result, started.elapsed());
            if !retryable || attempt >= retries {
                return Ok(answer);
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    async fn attempt<T>(
        &self,
        uri: Uri,
        parse: ParseAnswer<T>,
    ) -> (Upstream<T>, AttemptResult, bool) {
        let request = Request::get(uri)
            .header("x-webapi-key", self.key.clone())
            .header(header::ACCEPT, HeaderValue::from_static("application/json"))
            .header(header::USER_AGENT, HeaderValue::from_static(USER_AGENT))
            .body(Empty::new());
        let request = match request {
            Ok(r) => r,
            Err(_) => {
                return (
                    Upstream::Fault(SteamFault::Request),
                    AttemptResult::Transport,
                    false,
                )
            }
        };
        let exchange = self.http.exchange(request, MAX_ANSWER_BYTES);
        let (parts, body) = match tokio::time::timeout(self.timeout, exchange).await {
            Err(_elapsed) => return (Upstream::Timeout, AttemptResult::Timeout, true),
            Ok(Err(e)) => return classify(e),
            Ok(Ok(answer)) => answer,
        };
        let retry_after = parts
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        match parts.status.as_u16() {
            403 => (Upstream::BadKey, AttemptResult::BadKey, false),
            429 => (
                Upstream::Throttled { retry_after },
                AttemptResult::Throttled,
                false,
            ),
            status @ 500..=599 => (
                Upstream::Fault(SteamFault::Status(status)),
                AttemptResult::ServerError,
                true,
            ),
            200..=299 => match parse(&body) {
                Ok((answer, result)) => (Upstream::Answer(answer), result, false),
                Err(message) => (
                    Upstream::Fault(SteamFault::Malformed(message)),
                    AttemptResult::Malformed,
                    false,
                ),
            },
            status => (
                Upstream::Fault(SteamFault::Status(status)),
                AttemptResult::Malformed,
                false,
            ),
        }
    }
}

const USER_AGENT: &str = concat!("steam-login-server/", env!("CARGO_PKG_VERSION"));

/// Connections over TLS (or plain HTTP, for a fake Steam on loopback), trusting Mozilla's
/// roots and `extra_roots`.
fn https_connector(
    connect_timeout: Duration,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
) -> Result<hyper_rustls::HttpsConnector<HttpConnector>, String> {
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    let mut roots =
        rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra_roots {
        roots
            .add(cert)
            .map_err(|e| format!("--steam-api-ca holds a certificate rustls refuses: {e}"))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .expect("ring supports TLS 1.2 and 1.3")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    Ok(https)
}

/// 100 ms, 200 ms, 400 ms… (at most 1.6 s), each scaled by a random 50-150 % so that many servers
/// retrying after one fault of Steam's do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 50u64 << attempt.clamp(1, 5);
    let jitter = getrandom::u32().map_or(500, |r| r % 1001);
    Duration::from_millis(base * (500 + u64::from(jitter)) / 1000)
}

fn root_cause<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> &'e (dyn std::error::Error + 'static) {
    std::iter::successors(Some(error), |e| e.source())
        .last()
        .unwrap_or(error)
}

/// What a failed exchange means: a timeout, a too large or non-HTTP answer (not retried), or a
/// connection that failed (retried).
fn classify<T>(error: ExchangeError) -> (Upstream<T>, AttemptResult, bool) {
    let root = root_cause(error.source_error());
    let timed_out = root
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
    if timed_out {
        return (Upstream::Timeout, AttemptResult::Timeout, true);
    }
    if root
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some()
    {
        return (
            Upstream::Fault(SteamFault::TooLarge),
            AttemptResult::Malformed,
            false,
        );
    }
    let fault = match &error {
        ExchangeError::Http(e) if e.is_parse() => {
            return (
                Upstream::Fault(SteamFault::NotHttp(root.to_string())),
                AttemptResult::Malformed,
                false,
            )
        }
        ExchangeError::Connect(_) => SteamFault::Connect(root.to_string()),
        ExchangeError::Http(_) | ExchangeError::Body(_) => SteamFault::Transport(root.to_string()),
    };
    (Upstream::Fault(fault), AttemptResult::Transport, true)
}

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

/// Parses `AuthenticateUserTicket`'s HTTP-200 body.
pub fn parse_answer(body: &[u8]) -> Result<(TicketAnswer, AttemptResult), String> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's answer is not the expected JSON: {e}"))?;
    if let Some(error) = envelope.response.error {
        let rejected = TicketAnswer::Rejected {
            code: error.errorcode,
            description: error.errordesc,
        };
        return Ok((rejected, AttemptResult::SteamError));
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
    let player = Player {
        steam_id,
        owner_steam_id,
        vac_banned: params.vacbanned,
        publisher_banned: params.publisherbanned,
    };
    Ok((TicketAnswer::Valid(player), AttemptResult::Ok))
}

#[derive(Deserialize)]
struct OwnershipEnvelope {
    appownership: Ownership,
}

#[derive(Deserialize)]
struct Ownership {
    ownsapp: bool,
    #[serde(default)]
    result: String,
}

/// Parses `CheckAppOwnership`'s HTTP-200 body: whether the user owns the app.
#[derive(Deserialize)]
struct FriendsEnvelope {
    friendslist: FriendsBody,
}

#[derive(Deserialize)]
struct FriendsBody {
    #[serde(default)]
    friends: Vec<FriendEntry>,
}

#[derive(Deserialize)]
struct FriendEntry {
    steamid: String,
}

/// `{"friendslist":{"friends":[{"steamid":"…","relationship":"friend","friend_since":…}]}}`; an
/// account without friends gets `{"friendslist":{"friends":[]}}` or `{}`.
pub fn parse_friends(body: &[u8]) -> Result<(FriendList, AttemptResult), String> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's friend list is not the expected JSON: {e}"))?;
    if value.as_object().is_some_and(|o| o.is_empty()) {
        return Ok((FriendList::Friends(Vec::new()), AttemptResult::Ok));
    }
    let envelope: FriendsEnvelope = serde_json::from_value(value)
        .map_err(|e| format!("Steam's friend list is not the expected JSON: {e}"))?;
    let friends = envelope
        .friendslist
        .friends
        .iter()
        .map(|f| {
            f.steamid
                .parse::<u64>()
                .map_err(|_| format!("Steam's friend steamid {:?} is not a number", f.steamid))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((FriendList::Friends(friends), AttemptResult::Ok))
}

pub fn parse_ownership(body: &[u8]) -> Result<(bool, AttemptResult), String> {
    let envelope: OwnershipEnvelope = serde_json::from_slice(body)
        .map_err(|e| format!("Steam's ownership answer is not the expected JSON: {e}"))?;
    let ownership = envelope.appownership;
    if ownership.result != "OK" {
        return Err(format!(
            "Steam's ownership answer has result {:?}",
            ownership.result
        ));
    }
    Ok((ownership.ownsapp, AttemptResult::Ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_friend_lists_empty_ones_and_refuses_junk() {
        let two = br#"{"friendslist":{"friends":[{"steamid":"76561198000000002","relationship":"friend","friend_since":1},{"steamid":"76561198000000003","relationship":"friend","friend_since":2}]}}"#;
        assert_eq!(
            parse_friends(two),
            Ok((
                FriendList::Friends(vec![76561198000000002, 76561198000000003]),
                AttemptResult::Ok
            ))
        );
        assert_eq!(
            parse_friends(b"{}"),
            Ok((FriendList::Friends(vec![]), AttemptResult::Ok))
        );
        assert!(parse_friends(br#"{"friendslist":{"friends":[{"steamid":"x"}]}}"#).is_err());
        assert!(parse_friends(b"<html>").is_err());
    }

    #[test]
    fn parses_ok_family_sharing_and_errors() {
        let ok = br#"{"response":{"params":{"result":"OK","steamid":"76561198000000001","ownersteamid":"76561198000000002","vacbanned":false,"publisherbanned":true}}}"#;
        let player = Player {
            steam_id: 76561198000000001,
            owner_steam_id: 76561198000000002,
            vac_banned: false,
            publisher_banned: true,
        };
        assert_eq!(
            parse_answer(ok),
            Ok((TicketAnswer::Valid(player), AttemptResult::Ok))
        );
        let err = br#"{"response":{"error":{"errorcode":101,"errordesc":"Invalid ticket"}}}"#;
        let rejected = TicketAnswer::Rejected {
            code: 101,
            description: "Invalid ticket".into(),
        };
        assert_eq!(parse_answer(err), Ok((rejected, AttemptResult::SteamError)));
        assert!(parse_answer(b"<html>").is_err());
        assert!(parse_answer(br#"{"response":{}}"#).is_err());
    }

    #[test]
    fn parses_ownership() {
        let owns = br#"{"appownership":{"ownsapp":true,"permanent":false,"timestamp":"2024-01-01T00:00:00Z","ownersteamid":"76561198000000001","sitelicense":false,"result":"OK"}}"#;
        assert_eq!(parse_ownership(owns), Ok((true, AttemptResult::Ok)));
        let not = br#"{"appownership":{"ownsapp":false,"permanent":false,"timestamp":"","ownersteamid":"0","sitelicense":false,"result":"OK"}}"#;
        assert_eq!(parse_ownership(not), Ok((false, AttemptResult::Ok)));
        assert!(
            parse_ownership(br#"{"appownership":{"ownsapp":false,"result":"Failure"}}"#).is_err()
        );
        assert!(parse_ownership(b"<html>").is_err());
    }
}
