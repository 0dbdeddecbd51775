//! The accept loop: hyper's HTTP/1.1 connections (over TLS with `--tls-cert`) with the timeouts of
//! [`crate::http::connection`], a cap on open connections, and a shutdown that ends at a deadline.
//!
//! `axum::serve` has no connection cap, no timer for hyper and no shutdown deadline, and sleeps a whole
//! second after an accept error; a thousand silent connections took the server down. This loop owns the
//! connections instead: beyond the cap it closes the oldest idle one (so `/healthz` and logins still get
//! in), and when descriptors run out anyway it frees one the same way instead of waiting.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use steam_login_protocol::ErrorCode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use crate::http::client_address::{ClientAddress, TrustedProxies};
use crate::http::connection::{ConnectionState, Timeouts, WatchedStream};
use crate::metrics::{Closed, Metrics};

/// Connections told to close but not closed yet that the loop accepts beyond the cap. A connection
/// evicted for a new one closes on its own task; in a burst (a thousand connects at once) the loop
/// could accept faster than those tasks run and hold a descriptor for each, past the open-file limit.
/// Beyond this many, it waits for them (well inside `fd_limit::RESERVED`).
const EVICTED_IN_FLIGHT: usize = 32;

/// Connection limits and deadlines.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub timeouts: Timeouts,
    /// Open connections beyond which the oldest idle one is closed.
    pub max_connections: usize,
    /// After the shutdown signal: how long requests in flight may take before their connections are
    /// closed anyway.
    pub shutdown_deadline: Duration,
    /// Longest request head hyper buffers. Heads under it that break the router's limits get the
    /// 414/431 of `crate::http::limits`; heads beyond it get hyper's own 431, which
    /// `connection::WatchedStream` rewrites into the same JSON shape.
    pub max_head_bytes: usize,
}

/// Open connections, oldest first.
#[derive(Default)]
struct Registry {
    next_id: u64,
    open: BTreeMap<u64, Arc<ConnectionState>>,
}

impl Registry {
    fn add(&mut self) -> (u64, Arc<ConnectionState>) {
        self.next_id += 1;
        let state = Arc::new(ConnectionState::default());
        self.open.insert(self.next_id, Arc::clone(&state));
        (self.next_id, state)
    }

    /// Closes the oldest connection with no request in flight; false if every one is busy.
    fn evict_oldest_idle(&mut self) -> bool {
        let oldest = self
            .open
            .iter()
            .find(|(_, state)| state.is_idle() && !state.is_evicted());
        match oldest {
            Some((_, state)) => {
                state.evict();
                true
            }
            None => false,
        }
    }
}

/// Removes its connection from the registry when the connection's task ends, however it ends.
struct Registered {
    id: u64,
    registry: Arc<Mutex<Registry>>,
    metrics: Arc<Metrics>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut registry = self.registry.lock();
        registry.open.remove(&self.id);
        self.metrics.set_open_connections(registry.open.len());
    }
}

/// Serves `router` on `listener` (HTTPS when `tls` is given) until `shutdown` resolves, then lets
/// requests in flight finish for at most `limits.shutdown_deadline`. Each request carries its
/// [`ClientAddress`], told by `proxies`.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    proxies: Arc<TrustedProxies>,
    router: Router,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Mutex::new(Registry::default()));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut last_accept_warning: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept(),
                if registry.lock().open.len() < limits.max_connections + EVICTED_IN_FLIGHT =>
            match accepted {
                Ok((stream, peer)) => {
                    let mut open = registry.lock();
                    if open.open.len() >= limits.max_connections && !open.evict_oldest_idle() {
                        drop(open);
                        metrics.connection_refused();
                        refuse(stream);
                        continue;
                    }
                    let (id, state) = open.add();
                    metrics.set_open_connections(open.open.len());
                    drop(open);
                    let registered = Registered {
                        id,
                        registry: Arc::clone(&registry),
                        metrics: Arc::clone(&metrics),
                    };
                    let connection = Connection {
                        peer, state, router: router.clone(), proxies: Arc::clone(&proxies), limits,
                        stopping: stopping.clone(), metrics: Arc::clone(&metrics),
                    };
                    let tls = tls.clone();
                    connections.spawn(async move {
                        let _registered = registered;
                        connection.start(stream, tls).await;
                    });
                }
                Err(e) => {
                    // Usually EMFILE: free a descriptor held by an idle connection and try again soon.
                    let freed = registry.lock().evict_oldest_idle();
                    if last_accept_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
                        tracing::warn!(
                            "accept error: {e}; {}",
                            if freed { "closed the oldest idle connection" } else { "every connection is busy" }
                        );
                        last_accept_warning = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(limits.shutdown_deadline, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "shutdown deadline of {:?} reached: closing {} of {open} connections with requests unfinished",
            limits.shutdown_deadline,
            connections.len()
        );
        connections.shutdown().await;
    }
}

/// Beyond the cap with every connection busy: a JSON 503 if the socket takes it at once, then close.
fn refuse(stream: TcpStream) {
    let answer = crate::http::error::raw_answer(
        503,
        ErrorCode::TooManyConnections,
        ErrorCode::TooManyConnections.default_message(),
    );
    let _ = stream.try_write(&answer);
}

/// One accepted connection and what it answers with.
struct Connection {
    peer: SocketAddr,
    state: Arc<ConnectionState>,
    router: Router,
    proxies: Arc<TrustedProxies>,
    limits: ConnectionLimits,
    stopping: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
}

impl Connection {
    /// Serves the connection, after its TLS handshake when `tls` is given.
    async fn start(mut self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        let _ = stream.set_nodelay(true);
        let Some(tls) = tls else {
            return self.serve(stream).await;
        };
        // A handshake is a request head for the header timeout: a client that stalls in it is cut off
        // as one that stalls in its head is. Eviction and shutdown end it too.
        let handshake = tokio::time::timeout(self.limits.timeouts.header, tls.accept(stream));
        let stream = tokio::select! {
            done = handshake => match done {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::debug!(peer = %self.peer, "TLS handshake failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!(peer = %self.peer, "TLS handshake timed out");
                    self.metrics.connection_closed(Closed::HeaderTimeout);
                    return;
                }
            },
            why = self.state.expired(self.limits.timeouts) => {
                self.metrics.connection_closed(why);
                return;
            }
            _ = self.stopping.wait_for(|stop| *stop) => return,
        };
        self.serve(stream).await
    }

    async fn serve<S>(self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            peer,
            state,
            router,
            proxies,
            limits,
            mut stopping,
            metrics,
        } = self;
        let io = TokioIo::new(WatchedStream::new(stream, Arc::clone(&state)));
        let requests = Arc::clone(&state);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            let answering = requests.begin_request();
            let ip = proxies.client_ip(peer, request.headers());
            request
                .extensions_mut()
                .insert(ConnectInfo(ClientAddress { peer, ip }));
            let mut router = router.clone();
            let response = router.call(request);
            async move {
                let response = response.await;
                drop(answering);
                Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .header_read_timeout(None)
            .max_buf_size(limits.max_head_bytes)
            .serve_connection(io, service);
        tokio::pin!(connection);
        let mut draining = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, "connection ended: {e}");
                    }
                    return;
                }
                _ = stopping.wait_for(|stop| *stop), if !draining => {
                    draining = true;
                    connection.as_mut().graceful_shutdown();
                }
                why = state.expired(limits.timeouts) => {
                    tracing::debug!(%peer, ?why, "closing connection");
                    metrics.connection_closed(why);
                    return;
                }
            }
        }
    }
}
