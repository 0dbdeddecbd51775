//! `LoginClient`: one POST with timeouts, and retries only where the server cannot have acted.

use std::future::Future;
use std::time::Duration;

use serde_json::Value;
use steam_login_protocol::{
    ErrorBody, LoginRequest, Nonce, ReceivedCode, Session, LOGIN_PATH, NONCE_PATH, REFRESH_PATH,
};

use crate::error::{ErrorKind, LoginError};

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// The whole exchange, per attempt.
    pub timeout: Duration,
    /// Extra attempts after a refused connection or a 502/503/504.
    pub retries: u32,
    /// First back-off; doubles per retry.
    pub backoff: Duration,
    /// PEM certificates trusted beside the built-in (Mozilla) roots: a studio's own CA for a staging
    /// or self-hosted server. Empty: the built-in roots alone.
    pub extra_roots_pem: Vec<u8>,
    /// Allows `http://` to a host that is not loopback. Off, such an endpoint is refused with
    /// [`ErrorKind::InsecureEndpoint`] before anything is sent.
    pub allow_insecure_http: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            retries: 2,
            backoff: Duration::from_millis(250),
            extra_roots_pem: Vec::new(),
            allow_insecure_http: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoginClient {
    http: reqwest::Client,
    endpoint: String,
    /// The server's `POST /api/v1/auth/session/refresh`, beside the login endpoint.
    refresh_endpoint: String,
    nonce_endpoint: String,
    options: ClientOptions,
}

/// `base` is a server's base URL, or the full endpoint URL if it already ends with [`LOGIN_PATH`].
pub fn endpoint_url(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    if base.ends_with(LOGIN_PATH) {
        base.to_owned()
    } else {
        format!("{base}{LOGIN_PATH}")
    }
}

/// Whether `endpoint` would send tickets and tokens in clear text beyond this machine: `http://` to a
/// host other than `localhost` or a loopback address. Not a URL: false (`LoginClient::new` says why).
pub fn is_cleartext_to_remote(endpoint: &str) -> bool {
    reqwest::Url::parse(&endpoint_url(endpoint)).is_ok_and(|url| cleartext_to_remote(&url))
}

fn cleartext_to_remote(url: &reqwest::Url) -> bool {
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        None => true,
    }
}

impl LoginClient {
    pub fn new(base: &str, options: ClientOptions) -> Result<Self, LoginError> {
        let endpoint = endpoint_url(base);
        let parsed = reqwest::Url::parse(&endpoint).map_err(|e| {
            LoginError::new(
                ErrorKind::Transport,
                format!("login endpoint {endpoint:?} is not a URL: {e}"),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(LoginError::new(
                ErrorKind::Transport,
                format!("login endpoint {endpoint:?} must be http:// or https://"),
            ));
        }
        if cleartext_to_remote(&parsed) && !options.allow_insecure_http {
            return Err(LoginError::new(
                ErrorKind::InsecureEndpoint,
                format!(
                    "login endpoint {endpoint:?} is plain http:// to a host that is not loopback: \
                     tickets and session tokens would cross the network in clear text; use https://, \
                     or allow plain HTTP explicitly"
                ),
            ));
        }
        let mut builder = reqwest::Client::builder();
        if !options.extra_roots_pem.is_empty() {
            let roots = reqwest::Certificate::from_pem_bundle(&options.extra_roots_pem)
                .ok()
                .filter(|roots| !roots.is_empty())
                .ok_or_else(|| {
                    LoginError::new(
                        ErrorKind::Config,
                        "the extra CA certificates are not PEM certificates (-----BEGIN CERTIFICATE-----)",
                    )
                })?;
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let http = builder
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("steam-auth-godot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                LoginError::new(
                    ErrorKind::Transport,
                    format!("cannot build the HTTP client: {}", e.without_url()),
                )
            })?;
        let base = endpoint.strip_suffix(LOGIN_PATH).unwrap_or(&endpoint);
        let refresh_endpoint = format!("{base}{REFRESH_PATH}");
        let nonce_endpoint = format!("{base}{NONCE_PATH}");
        Ok(LoginClient {
            http,
            endpoint,
            refresh_endpoint,
            nonce_endpoint,
            options,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Posts `{"token": ticket_hex}` and parses the session.
    pub async fn login(&self, ticket_hex: &str) -> Result<Session<'static>, LoginError> {
        self.login_until(ticket_hex, std::future::pending()).await
    }

    /// Like [`login`](Self::login), but gives up with `Cancelled` as soon as `cancelled` resolves.
    pub async fn login_until(
        &self,
        ticket_hex: &str,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Session<'static>, LoginError> {
        self.post_login(LoginRequest::new(ticket_hex), "the ticket", cancelled)
            .await
    }

    /// Trades a saved session's token for a new session (`POST /api/v1/auth/session/refresh`): no
    /// Steam ticket, no Web API call. A 401 (`Rejected`) means the session is gone: log in again.
    pub async fn refresh_until(
        &self,
        token: &str,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Session<'static>, LoginError> {
        if token.is_empty() {
            return Err(LoginError::new(
                ErrorKind::Rejected,
                "the saved session has no token",
            ));
        }
        let refresh = self.with_retries(
            || self.http.post(&self.refresh_endpoint).bearer_auth(token),
            Session::from_json,
        );
        until(cancelled, refresh).await
    }

    /// A one-use nonce for an encrypted app ticket's data (`POST .../steam/nonce`).
    pub async fn nonce_until(
        &self,
        cancelled: impl Future<Output = ()>,
    ) -> Result<String, LoginError> {
        let nonce = self.with_retries(
            || self.http.post(&self.nonce_endpoint),
            |body| {
                serde_json::from_slice::<Nonce>(body)
                    .map(|n| n.nonce)
                    .map_err(|e| format!("the nonce answer is not {{\"nonce\"}}: {e}"))
            },
        );
        until(cancelled, nonce).await
    }

    /// Posts `{"encryptedTicket": ticket_hex}` (an encrypted app ticket holding a nonce from
    /// [`nonce_until`](Self::nonce_until)) and parses the session.
    pub async fn login_encrypted_until(
        &self,
        ticket_hex: &str,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Session<'static>, LoginError> {
        let body = LoginRequest::encrypted(ticket_hex);
        self.post_login(body, "the encrypted app ticket", cancelled)
            .await
    }

    /// Posts a login body holding one ticket (`what`, for the error when it is empty).
    async fn post_login(
        &self,
        body: LoginRequest<'_>,
        what: &str,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Session<'static>, LoginError> {
        let ticket = body.token.as_deref().or(body.encrypted_ticket.as_deref());
        if ticket.is_none_or(str::is_empty) {
            return Err(LoginError::new(
                ErrorKind::InvalidTicket,
                format!("{what} is empty"),
            ));
        }
        let login = self.with_retries(
            || self.http.post(&self.endpoint).json(&body),
            Session::from_json,
        );
        until(cancelled, login).await
    }

    async fn with_retries<T>(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
        parse: fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, LoginError> {
        let mut attempt = 0;
        loop {
            let result = self.attempt(request(), parse).await;
            match result {
                Err(Retry::Safe(error)) if attempt < self.options.retries => {
                    attempt += 1;
                    tokio::time::sleep(self.options.backoff * (1 << (attempt - 1).min(6))).await;
                    drop(error);
                }
                Err(Retry::Safe(error)) | Err(Retry::Never(error)) => return Err(error),
                Ok(session) => return Ok(session),
            }
        }
    }

    async fn attempt<T>(
        &self,
        request: reqwest::RequestBuilder,
        parse: fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, Retry> {
        let sent = request.send().await;
        let response = match sent {
            Ok(r) => r,
            // Not connected: the server never saw the ticket.
            Err(e) if e.is_connect() => {
                return Err(Retry::Safe(LoginError::from_reqwest(e, &self.endpoint)))
            }
            Err(e) => return Err(Retry::Never(LoginError::from_reqwest(e, &self.endpoint))),
        };
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Retry::Never(LoginError::from_reqwest(e, &self.endpoint)))?;
        if (200..300).contains(&status) {
            return parse(&bytes).map_err(|message| {
                Retry::Never(with_status(
                    LoginError::new(ErrorKind::Protocol, message),
                    status,
                    None,
                ))
            });
        }
        let (code, server_message) = server_error(&bytes);
        let message = match &server_message {
            Some(m) => format!("the login server answered {status}: {m}"),
            None => format!("the login server answered HTTP {status}"),
        };
        let kind = if status >= 500 {
            ErrorKind::Server
        } else {
            ErrorKind::Rejected
        };
        let error = with_status(LoginError::new(kind, message), status, code);
        // 502/503/504 say the request was not processed; any other answer is final.
        if matches!(status, 502..=504) {
            Err(Retry::Safe(error))
        } else {
            Err(Retry::Never(error))
        }
    }
}

/// `work`'s result, or `Cancelled` as soon as `cancelled` resolves.
async fn until<T>(
    cancelled: impl Future<Output = ()>,
    work: impl Future<Output = Result<T, LoginError>>,
) -> Result<T, LoginError> {
    tokio::select! {
        biased;
        _ = cancelled => Err(LoginError::cancelled()),
        result = work => result,
    }
}

enum Retry {
    Safe(LoginError),
    Never(LoginError),
}

fn with_status(mut error: LoginError, status: u16, code: Option<ReceivedCode>) -> LoginError {
    error.http_status = status;
    error.code = code;
    error
}

/// `{"error": {"code", "message"}}`, or, from other servers, a plain `{"message"}` / `{"error": "..."}`.
fn server_error(body: &[u8]) -> (Option<ReceivedCode>, Option<String>) {
    if let Ok(ErrorBody { error }) = serde_json::from_slice::<ErrorBody>(body) {
        return (
            Some(error.received_code()),
            Some(error.message.into_owned()),
        );
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (None, None);
    };
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match &value["error"] {
        Value::Object(e) => (
            e.get("code")
                .and_then(Value::as_str)
                .map(ReceivedCode::parse),
            e.get("message").and_then(text),
        ),
        Value::String(s) => (None, Some(s.clone())),
        _ => (None, value.get("message").and_then(text)),
    }
}
