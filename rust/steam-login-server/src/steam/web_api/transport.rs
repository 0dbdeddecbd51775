//! The HTTP side of Steam's Web API, whatever the endpoint: HTTP/1.1 keep-alive to one origin over
//! hyper-rustls (ring, Mozilla's roots from webpki-roots), each connection driven by the call that
//! uses it (`http1_pool`), with a connect timeout, a timeout per attempt, retries with jittered
//! exponential back-off, each attempt taken from the day's budget, and what a failure means.
//!
//! The key travels in the `x-webapi-key` header, never in the URL; the URL may hold a ticket, so no
//! URL is ever logged or put in an error (hyper's errors never carry it).

use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, Request, Uri};
use http_body_util::Empty;
use hyper_util::client::legacy::connect::HttpConnector;

use crate::config::Secret;
use crate::metrics::{AttemptObserver, AttemptResult};
use crate::steam::http1_pool::{ExchangeError, Http1Pool};

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

/// Reads an endpoint's HTTP-200 body: what it says, and how the attempt counts in `/metrics`.
type ParseAnswer<T> = fn(&[u8]) -> Result<(T, AttemptResult), String>;

/// The connection pool and what every request carries.
pub struct Transport {
    http: Http1Pool,
    /// `x-webapi-key`, marked sensitive (hyper never shows it); only ever written to the socket.
    key: HeaderValue,
    timeout: Duration,
}

impl Transport {
    pub fn new(
        key: Secret,
        timeout: Duration,
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Self, String> {
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
        Ok(Transport {
            http: Http1Pool::new(
                https_connector(timeout.min(Duration::from_secs(3)), extra_roots)?,
                MAX_IDLE_CONNECTIONS,
                POOL_IDLE,
            ),
            key,
            timeout,
        })
    }

    /// One call with its retries: transport errors and 5xx are retried at most `retries` times, each
    /// attempt taken from `budget` first.
    pub async fn call<T>(
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
