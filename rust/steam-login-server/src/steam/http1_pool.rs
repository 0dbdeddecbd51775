//! HTTP/1.1 connections to Steam, each driven by the task that uses it.
//!
//! hyper-util's pooled client spawns a task per connection and passes every request and answer
//! between that task and the caller through channels; under load those cross-task wake-ups cost a
//! login 17–24 µs (perf, scripts/bench-server.sh). Here a login checks an idle connection out of the
//! pool (or opens one), drives it itself with `hyper::client::conn::http1` through the whole exchange,
//! and checks it back in: no spawned task, no hand-over. hyper-util offers no such mode, hence this
//! module; connecting (TCP, TLS) is still hyper-rustls's connector.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{request, response, Request, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tower_service::Service;

type Io = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;
type Body = Empty<Bytes>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An open connection, between two exchanges.
struct Conn {
    sender: SendRequest<Body>,
    /// hyper's connection state machine; it makes progress only while polled.
    driver: Pin<Box<Connection<Io, Body>>>,
    idle_since: Instant,
}

/// Why an exchange failed.
#[derive(Debug)]
pub enum ExchangeError {
    /// No connection could be made (TCP, TLS).
    Connect(BoxError),
    /// The connection failed during the exchange (or the answer is not HTTP).
    Http(hyper::Error),
    /// The answer's body could not be read, or is over the limit.
    Body(BoxError),
}

impl ExchangeError {
    /// The error itself, for classification.
    pub fn source_error(&self) -> &(dyn std::error::Error + 'static) {
        match self {
            ExchangeError::Connect(e) | ExchangeError::Body(e) => e.as_ref(),
            ExchangeError::Http(e) => e,
        }
    }
}

pub struct Http1Pool {
    connector: HttpsConnector<HttpConnector>,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
    idle_timeout: Duration,
}

impl Http1Pool {
    pub fn new(
        connector: HttpsConnector<HttpConnector>,
        max_idle: usize,
        idle_timeout: Duration,
    ) -> Self {
        Http1Pool {
            connector,
            idle: Mutex::new(Vec::new()),
            max_idle,
            idle_timeout,
        }
    }

    /// Sends `request` and reads the whole answer (at most `max_body` bytes of body). A pooled
    /// connection that turns out closed before it carried anything is replaced by a new one once.
    pub async fn exchange(
        &self,
        request: Request<Body>,
        max_body: usize,
    ) -> Result<(response::Parts, Bytes), ExchangeError> {
        let (mut parts, body) = request.into_parts();
        // The connection is to the URI's origin; the request line carries only its path and query,
        // and `Host` its authority, as an origin server expects.
        let target = parts.uri.clone();
        if let Some(authority) = target.authority() {
            let host = axum::http::HeaderValue::from_str(authority.as_str())
                .map_err(|e| ExchangeError::Connect(Box::new(e)))?;
            parts.headers.insert(axum::http::header::HOST, host);
        }
        parts.uri = target
            .path_and_query()
            .map(|pq| Uri::from(pq.clone()))
            .unwrap_or_else(|| Uri::from_static("/"));
        if let Some(conn) = self.checkout() {
            match self.drive(conn, rebuild(&parts), max_body).await {
                Err(ExchangeError::Http(e)) if e.is_canceled() || e.is_closed() => {}
                done => return done,
            }
        }
        let conn = self.connect(&target).await?;
        self.drive(conn, Request::from_parts(parts, body), max_body)
            .await
    }

    /// The most recently used idle connection still open and fresh; the others found closed or
    /// stale on the way are dropped.
    fn checkout(&self) -> Option<Conn> {
        let mut idle = self.idle.lock();
        while let Some(mut conn) = idle.pop() {
            if conn.idle_since.elapsed() >= self.idle_timeout || conn.sender.is_closed() {
                continue;
            }
            // One poll: a connection the server closed while idle resolves at once.
            let mut cx = Context::from_waker(Waker::noop());
            if conn.driver.as_mut().poll(&mut cx).is_ready() {
                continue;
            }
            return Some(conn);
        }
        None
    }

    async fn connect(&self, uri: &Uri) -> Result<Conn, ExchangeError> {
        let io = self
            .connector
            .clone()
            .call(uri.clone())
            .await
            .map_err(ExchangeError::Connect)?;
        let (sender, driver) = http1::Builder::new()
            .handshake(io)
            .await
            .map_err(ExchangeError::Http)?;
        Ok(Conn {
            sender,
            driver: Box::pin(driver),
            idle_since: Instant::now(),
        })
    }

    /// One exchange on `conn`, driving its connection meanwhile; the connection goes back to the
    /// pool if it can carry another.
    async fn drive(
        &self,
        mut conn: Conn,
        request: Request<Body>,
        max_body: usize,
    ) -> Result<(response::Parts, Bytes), ExchangeError> {
        let (result, closed) = {
            let (sender, driver) = (&mut conn.sender, &mut conn.driver);
            let exchange = async move {
                sender.ready().await.map_err(ExchangeError::Http)?;
                let response = sender
                    .send_request(request)
                    .await
                    .map_err(ExchangeError::Http)?;
                let (parts, body) = response.into_parts();
                let body = Limited::new(body, max_body)
                    .collect()
                    .await
                    .map_err(ExchangeError::Body)?
                    .to_bytes();
                Ok::<_, ExchangeError>((parts, body))
            };
            let mut exchange = std::pin::pin!(exchange);
            let mut closed = false;
            let result = loop {
                tokio::select! {
                    biased;
                    done = &mut exchange => break done,
                    _ = driver.as_mut(), if !closed => closed = true,
                }
            };
            (result, closed)
        };
        let reusable = !closed
            && result
                .as_ref()
                .is_ok_and(|(parts, _)| !closes(&parts.headers));
        if reusable {
            conn.idle_since = Instant::now();
            let mut idle = self.idle.lock();
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
        result
    }
}

/// Whether the answer ends the connection (`Connection: close`).
fn closes(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("close"))
}

/// A copy of a bodiless request, for the retry on a fresh connection.
fn rebuild(parts: &request::Parts) -> Request<Body> {
    let mut request = Request::new(Empty::new());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.version_mut() = parts.version;
    *request.headers_mut() = parts.headers.clone();
    request
}
