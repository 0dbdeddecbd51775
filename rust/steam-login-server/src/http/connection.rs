//! One client connection's life: what it is doing, and when it has waited too long.
//!
//! hyper's own `header_read_timeout` starts as soon as a keep-alive connection goes idle, so it cannot
//! tell "idle between requests" (allowed for the idle timeout) from "sent half a head" (allowed for the
//! header timeout). The reads are watched here instead: the first byte after an idle spell starts the
//! header clock, a request handed to the router stops it, and the end of the response starts the idle
//! clock. The body's own deadline is the router's (`limits`), since only it reads bodies.
//!
//! These marks are plain atomic stores: nothing is woken per request. The watchdog re-reads them at
//! its deadline and at least once per header timeout, which is enough to close a connection on time
//! (a head that starts after a check is seen by the next one, at most a header timeout later, before
//! its own deadline).

use crate::metrics::Closed;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// How long a connection may wait in each state.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From a request's first byte to its complete head.
    pub header: Duration,
    /// From the end of a response (or the accept) to the next request's first byte.
    pub idle: Duration,
}

/// What the accept loop, the router and the reads share about one connection.
pub struct ConnectionState {
    /// Requests handed to the router and not yet answered.
    in_flight: AtomicU32,
    /// Milliseconds since [`epoch`] at which the connection last became idle.
    idle_since: AtomicU64,
    /// Milliseconds since [`epoch`] of the first byte of a request head not yet complete; 0 if none.
    head_started: AtomicU64,
    evicted: AtomicBool,
    /// Wakes the watchdog for an eviction.
    changed: Notify,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Milliseconds since [`epoch`], never 0 (0 means "unset").
fn now_ms() -> u64 {
    (epoch().elapsed().as_millis() as u64).max(1)
}

impl Default for ConnectionState {
    fn default() -> Self {
        ConnectionState {
            in_flight: AtomicU32::new(0),
            idle_since: AtomicU64::new(now_ms()),
            head_started: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }
}

impl ConnectionState {
    /// No request is being answered: safe to close without losing one.
    pub fn is_idle(&self) -> bool {
        self.in_flight.load(Relaxed) == 0
    }

    /// A request reached the router; dropping the guard marks its answer done.
    pub fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Relaxed);
        self.head_started.store(0, Relaxed);
        RequestGuard(Arc::clone(self))
    }

    pub fn is_evicted(&self) -> bool {
        self.evicted.load(Relaxed)
    }

    /// Asks the connection to close now (it is dropped, not drained).
    pub fn evict(&self) {
        self.evicted.store(true, Relaxed);
        self.changed.notify_one();
    }

    fn saw_bytes(&self) {
        if self.is_idle() && self.head_started.load(Relaxed) == 0 {
            self.head_started.store(now_ms(), Relaxed);
        }
    }

    /// Resolves when the connection has to be closed, and says why.
    pub async fn expired(&self, timeouts: Timeouts) -> Closed {
        loop {
            if self.evicted.load(Relaxed) {
                return Closed::Evicted;
            }
            let check_again = now_ms() + timeouts.header.as_millis() as u64;
            let deadline = if !self.is_idle() {
                None
            } else {
                match self.head_started.load(Relaxed) {
                    0 => Some((
                        self.idle_since.load(Relaxed) + timeouts.idle.as_millis() as u64,
                        Closed::IdleTimeout,
                    )),
                    started => Some((
                        started + timeouts.header.as_millis() as u64,
                        Closed::HeaderTimeout,
                    )),
                }
            };
            let wake = match deadline {
                Some((at, why)) if now_ms() >= at => return why,
                Some((at, _)) => at.min(check_again),
                None => check_again,
            };
            let wake = tokio::time::Instant::from_std(epoch() + Duration::from_millis(wake));
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                _ = self.changed.notified() => {}
            }
        }
    }
}

/// Held while the router answers one request.
pub struct RequestGuard(Arc<ConnectionState>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.idle_since.store(now_ms(), Relaxed);
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

/// A stream whose reads tell its [`ConnectionState`] when a request starts arriving, and whose writes
/// turn hyper's own error answers into the server's JSON shape.
///
/// hyper answers a head it cannot parse (bad syntax, URI or headers beyond its buffer, an unknown
/// version) by itself, with a status and an empty body, before any router sees a request. The socket is
/// the one place such an answer passes, so it is recognised there: a 4xx/5xx head with
/// `content-length: 0`, which the router never sends (its errors always have a body).
pub struct WatchedStream<S> {
    inner: S,
    state: Arc<ConnectionState>,
    /// The JSON answer replacing hyper's, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl<S> WatchedStream<S> {
    pub fn new(inner: S, state: Arc<ConnectionState>) -> Self {
        WatchedStream {
            inner,
            state,
            replacement: None,
        }
    }
}

/// The status of `bytes` if they start hyper's own bodiless error answer.
fn bare_error_status(bytes: &[u8]) -> Option<u16> {
    let rest = bytes.strip_prefix(b"HTTP/1.1 ")?;
    // Most writes are 200s: decided on the first digit, before any scan.
    if !matches!(rest.first(), Some(b'4' | b'5')) {
        return None;
    }
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = &bytes[..head_end];
    let bodiless = head
        .split(|b| *b == b'\n')
        .any(|line| line.trim_ascii().eq_ignore_ascii_case(b"content-length: 0"));
    ((400..600).contains(&status) && bodiless).then_some(status)
}

impl<S: AsyncWrite + Unpin> WatchedStream<S> {
    /// Writes the replacement answer; `Ready(Ok)` once it is all out.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let Some((bytes, written)) = &mut self.replacement else {
            return Poll::Ready(Ok(()));
        };
        while *written < bytes.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` in place of hyper's answer when it is one; `None` when `buf` is to be written as is.
    fn poll_intercept(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        len: usize,
    ) -> Option<Poll<std::io::Result<usize>>> {
        if self.replacement.is_none() {
            let status = bare_error_status(buf)?;
            self.replacement = Some((super::error::bare_status_answer(status), 0));
        }
        // Everything hyper writes after its error answer is dropped with it: it closes next.
        Some(self.poll_replacement(cx).map_ok(|()| len))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.saw_bytes();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if let Some(intercepted) = this.poll_intercept(cx, buf, buf.len()) {
            return intercepted;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        let len = bufs.iter().map(|b| b.len()).sum();
        if let Some(intercepted) = this.poll_intercept(cx, first, len) {
            return intercepted;
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        std::task::ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Timeouts = Timeouts {
        header: Duration::from_millis(40),
        idle: Duration::from_millis(400),
    };

    #[test]
    fn only_bodiless_error_heads_are_hyper_s() {
        let hyper_431 =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(bare_error_status(hyper_431), Some(431));
        let ours = b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 57\r\n\r\n{";
        assert_eq!(bare_error_status(ours), None);
        let no_content = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(bare_error_status(no_content), None);
        assert_eq!(
            bare_error_status(b"HTTP/1.1 400 Bad"),
            None,
            "head incomplete"
        );
    }

    #[tokio::test]
    async fn idle_then_header_clock() {
        let state = Arc::new(ConnectionState::default());
        let started = Instant::now();
        state.saw_bytes();
        assert_eq!(state.expired(SHORT).await, Closed::HeaderTimeout);
        assert!(started.elapsed() < Duration::from_millis(300));

        let state = Arc::new(ConnectionState::default());
        let started = Instant::now();
        assert_eq!(state.expired(SHORT).await, Closed::IdleTimeout);
        assert!(started.elapsed() >= Duration::from_millis(390));
    }

    #[tokio::test]
    async fn a_request_in_flight_never_times_out_but_can_be_evicted() {
        let state = Arc::new(ConnectionState::default());
        let guard = state.begin_request();
        let waited = tokio::time::timeout(Duration::from_millis(600), state.expired(SHORT)).await;
        assert!(waited.is_err(), "in flight: no deadline");
        assert!(!state.is_idle());
        drop(guard);
        assert!(state.is_idle());
        state.evict();
        assert_eq!(state.expired(SHORT).await, Closed::Evicted);
    }
}
