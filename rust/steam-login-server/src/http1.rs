//! A small HTTP/1.1 client for the one request the server sends: `GET` to one origin, keep-alive, TLS.
//!
//! Why not reqwest: reqwest hands every request to hyper's pool and to a connection task, and builds a
//! URL, header map and timeout per call. Here the calling task writes the request and reads the answer
//! on a pooled connection itself. In interleaved A/B runs (wrk, 64 connections, the fake at 0 ms, as in
//! `scripts/bench-server.sh`) this took the server's CPU per login from 111-127 µs to 79-86 µs. What it
//! does not do, because the Steam Web API does not need it: redirects, compression, proxies, HTTP/2,
//! request bodies.
//!
//! A request that is cancelled (the caller's timeout) drops its connection, so no half-read answer goes
//! back to the pool. A reused connection that the server closed while idle is retried once on a new one.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// Header section larger than this is refused.
const MAX_HEAD: usize = 64 * 1024;
/// Bodies larger than this are refused: Steam's answers are a few hundred bytes.
const MAX_BODY: usize = 1024 * 1024;
/// Idle connections older than this are not reused (servers close theirs after a while; a stale one
/// costs a failed write and a retry).
const MAX_IDLE_AGE: Duration = Duration::from_secs(50);
const MAX_HEADERS: usize = 48;

/// Why a request got no answer. Messages never include the request's path or headers.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot connect: {0}")]
    Connect(io::Error),
    #[error("TLS handshake failed: {0}")]
    Tls(io::Error),
    #[error("connection failed: {0}")]
    Io(io::Error),
    #[error("the server closed the connection before answering")]
    Closed,
    #[error("the answer is not HTTP/1.1: {0}")]
    Protocol(&'static str),
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// `Retry-After`, when present (429 and 503 carry it).
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Scheme, host and port of the one origin a client talks to.
struct Origin {
    host: String,
    port: u16,
    /// `Host:` header value: the host, with the port when it is not the scheme's default.
    authority: String,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
}

pub struct Http1Client {
    origin: Origin,
    idle: Mutex<Vec<(Conn, Instant)>>,
    max_idle: usize,
    connect_timeout: Duration,
}

impl Http1Client {
    /// A client for the origin of `url` (`http://` or `https://`). TLS trusts the Mozilla roots
    /// (webpki-roots), as reqwest's `rustls-tls` does.
    pub fn new(url: &url::Url, max_idle: usize, connect_timeout: Duration) -> Result<Self, String> {
        let roots =
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Self::with_roots(url, roots, max_idle, connect_timeout)
    }

    /// As [`Http1Client::new`], trusting `roots` for `https://` (tests use their own CA).
    pub fn with_roots(
        url: &url::Url,
        roots: rustls::RootCertStore,
        max_idle: usize,
        connect_timeout: Duration,
    ) -> Result<Self, String> {
        let host = url.host_str().ok_or("the URL has no host")?;
        let port = url.port_or_known_default().ok_or("the URL has no port")?;
        let default_port = url.port().is_none();
        let authority = if default_port {
            host.to_owned()
        } else {
            format!("{host}:{port}")
        };
        // `host_str` keeps IPv6 brackets, which a socket address lookup does not want.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = match url.scheme() {
            "http" => None,
            "https" => {
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let mut config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| format!("cannot set up TLS: {e}"))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                let name = rustls::pki_types::ServerName::try_from(host.clone())
                    .map_err(|_| format!("{host:?} is not a name TLS can verify"))?;
                Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
            }
            other => return Err(format!("the scheme {other:?} is neither http nor https")),
        };
        Ok(Http1Client {
            origin: Origin {
                host,
                port,
                authority,
                tls,
            },
            idle: Mutex::new(Vec::new()),
            max_idle,
            connect_timeout,
        })
    }

    /// `GET path_and_query` with `headers` (names and values already valid HTTP tokens/values).
    pub async fn get(
        &self,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, HttpError> {
        let request = self.request_bytes(path_and_query, headers);
        let mut pooled = self.checkout();
        loop {
            let reused = pooled.is_some();
            let mut conn = match pooled.take() {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            return match conn.exchange(&request).await {
                Ok((response, reusable)) => {
                    if reusable {
                        self.checkin(conn);
                    }
                    Ok(response)
                }
                // The server closed it while it sat idle: say nothing, use a new connection.
                Err(Exchange::Stale) if reused => continue,
                Err(Exchange::Stale) => Err(HttpError::Closed),
                Err(Exchange::Failed(e)) => Err(e),
            };
        }
    }

    fn request_bytes(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut request = Vec::with_capacity(256 + path_and_query.len());
        request.extend_from_slice(b"GET ");
        request.extend_from_slice(path_and_query.as_bytes());
        request.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        request.extend_from_slice(self.origin.authority.as_bytes());
        request.extend_from_slice(b"\r\n");
        for (name, value) in headers {
            request.extend_from_slice(name.as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value.as_bytes());
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        request
    }

    fn checkout(&self) -> Option<Conn> {
        loop {
            let (mut conn, since) = self.idle.lock().pop()?;
            if since.elapsed() < MAX_IDLE_AGE && conn.is_quiet() {
                return Some(conn);
            }
        }
    }

    fn checkin(&self, conn: Conn) {
        let mut idle = self.idle.lock();
        if idle.len() < self.max_idle {
            idle.push((conn, Instant::now()));
        }
    }

    async fn connect(&self) -> Result<Conn, HttpError> {
        let origin = &self.origin;
        let connecting = async {
            let tcp = TcpStream::connect((origin.host.as_str(), origin.port))
                .await
                .map_err(HttpError::Connect)?;
            tcp.set_nodelay(true).map_err(HttpError::Connect)?;
            let stream = match &origin.tls {
                None => Stream::Plain(tcp),
                Some((connector, name)) => {
                    let tls = connector
                        .connect(name.clone(), tcp)
                        .await
                        .map_err(HttpError::Tls)?;
                    Stream::Tls(Box::new(tls))
                }
            };
            Ok(Conn {
                stream,
                buf: Vec::with_capacity(4096),
            })
        };
        match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Connect(io::ErrorKind::TimedOut.into())),
        }
    }
}

enum Exchange {
    /// Nothing came back and the connection had been idle in the pool: the server had closed it.
    Stale,
    Failed(HttpError),
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// One connection and the bytes read from it but not yet consumed.
struct Conn {
    stream: Stream,
    buf: Vec<u8>,
}

impl Conn {
    /// Sends `request` and reads the whole answer. `Ok(.., true)` when the connection can be reused.
    async fn exchange(&mut self, request: &[u8]) -> Result<(Response, bool), Exchange> {
        let sent = async {
            self.stream.write_all(request).await?;
            self.stream.flush().await
        };
        if sent.await.is_err() {
            // A write to a connection the peer has closed fails (or succeeds and the read sees EOF).
            return Err(Exchange::Stale);
        }
        // New connections, and pooled ones (checked in only after a complete answer), start empty.
        debug_assert!(self.buf.is_empty());
        match self.fill().await {
            Ok(0) | Err(_) => return Err(Exchange::Stale),
            Ok(_) => {}
        }
        read_response(self).await.map_err(Exchange::Failed)
    }

    /// Whether an idle connection has nothing to read: no end of stream (the server closed it) and no
    /// bytes nobody asked for (some servers send a `408` before closing an idle connection, which would
    /// otherwise be read as the next request's answer). Never waits.
    fn is_quiet(&mut self) -> bool {
        let mut byte = [0u8; 1];
        let mut probe = ReadBuf::new(&mut byte);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        matches!(
            Pin::new(&mut self.stream).poll_read(&mut cx, &mut probe),
            Poll::Pending
        )
    }

    /// Reads more bytes onto `buf`; `Ok(0)` at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.buf.capacity() - self.buf.len() < 1024 {
            self.buf.reserve(4096);
        }
        self.stream.read_buf(&mut self.buf).await
    }

    async fn fill_or_fail(&mut self) -> Result<(), HttpError> {
        match self.fill().await {
            Ok(0) => Err(HttpError::Protocol("the answer broke off")),
            Ok(_) => Ok(()),
            Err(e) => Err(HttpError::Io(e)),
        }
    }
}

/// The parts of a header section the client acts on.
struct Head {
    status: u16,
    head_len: usize,
    retry_after: Option<String>,
    framing: Framing,
    keep_alive: bool,
}

enum Framing {
    Empty,
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads one answer from `conn.buf` (which holds at least one byte), skipping `1xx` interim answers.
async fn read_response(conn: &mut Conn) -> Result<(Response, bool), HttpError> {
    let head = loop {
        match parse_head(&conn.buf)? {
            Some(head) if (100..200).contains(&head.status) => {
                conn.buf.drain(..head.head_len);
                if conn.buf.is_empty() {
                    conn.fill_or_fail().await?;
                }
            }
            Some(head) => break head,
            None if conn.buf.len() > MAX_HEAD => {
                return Err(HttpError::Protocol("the header section is too large"))
            }
            None => conn.fill_or_fail().await?,
        }
    };
    let start = head.head_len;
    let (body, end, reusable) = match head.framing {
        Framing::Empty => (Vec::new(), start, head.keep_alive),
        Framing::Length(len) => {
            if len > MAX_BODY {
                return Err(HttpError::Protocol("the body is too large"));
            }
            while conn.buf.len() < start + len {
                conn.fill_or_fail().await?;
            }
            (
                conn.buf[start..start + len].to_vec(),
                start + len,
                head.keep_alive,
            )
        }
        Framing::Chunked => {
            let (body, end) = read_chunked(conn, start).await?;
            (body, end, head.keep_alive)
        }
        Framing::UntilClose => {
            loop {
                if conn.buf.len() - start > MAX_BODY {
                    return Err(HttpError::Protocol("the body is too large"));
                }
                match conn.fill().await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => return Err(HttpError::Io(e)),
                }
            }
            (conn.buf[start..].to_vec(), conn.buf.len(), false)
        }
    };
    // Bytes past the answer were never asked for: do not trust this connection again.
    let reusable = reusable && end == conn.buf.len();
    conn.buf.clear();
    Ok((
        Response {
            status: head.status,
            retry_after: head.retry_after,
            body,
        },
        reusable,
    ))
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HttpError::Protocol("too many headers"))
        }
        Err(_) => {
            return Err(HttpError::Protocol(
                "the status line or a header is malformed",
            ))
        }
    };
    let status = response.code.unwrap_or(0);
    let http11 = response.version == Some(1);
    let mut keep_alive = http11;
    let mut length = None;
    let mut chunked = false;
    let mut retry_after = None;
    for header in response.headers.iter() {
        let value = header.value;
        if header.name.eq_ignore_ascii_case("content-length") {
            let parsed = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or(HttpError::Protocol("Content-Length is not a number"))?;
            if length.is_some_and(|l| l != parsed) {
                return Err(HttpError::Protocol("two different Content-Length headers"));
            }
            length = Some(parsed);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Only `chunked` (last) is a framing this client reads; anything else it refuses.
            let last = value.rsplit(|&b| b == b',').next().unwrap_or(b"");
            if !last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                return Err(HttpError::Protocol("a transfer coding other than chunked"));
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && !http11 {
                    keep_alive = true;
                }
            }
        } else if header.name.eq_ignore_ascii_case("retry-after") {
            retry_after = std::str::from_utf8(value).ok().map(|v| v.trim().to_owned());
        }
    }
    let framing = if (100..200).contains(&status) || status == 204 || status == 304 {
        Framing::Empty
    } else if chunked {
        // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length, and such a message must not
        // be followed by another on the same connection.
        if length.is_some() {
            keep_alive = false;
        }
        Framing::Chunked
    } else if let Some(len) = length {
        Framing::Length(len)
    } else {
        Framing::UntilClose
    };
    Ok(Some(Head {
        status,
        head_len,
        retry_after,
        framing,
        keep_alive,
    }))
}

/// Decodes a chunked body that starts at `conn.buf[start..]`; returns it and where the message ends.
async fn read_chunked(conn: &mut Conn, start: usize) -> Result<(Vec<u8>, usize), HttpError> {
    let mut body = Vec::new();
    let mut at = start;
    loop {
        let (size_len, size) = loop {
            match httparse::parse_chunk_size(&conn.buf[at..]) {
                Ok(httparse::Status::Complete(found)) => break found,
                Ok(httparse::Status::Partial) if conn.buf.len() - at > 1024 => {
                    return Err(HttpError::Protocol("a chunk size line is too long"))
                }
                Ok(httparse::Status::Partial) => conn.fill_or_fail().await?,
                Err(_) => return Err(HttpError::Protocol("a chunk size is malformed")),
            }
        };
        at += size_len;
        if size == 0 {
            break;
        }
        let size = usize::try_from(size)
            .ok()
            .filter(|s| body.len() + s <= MAX_BODY)
            .ok_or(HttpError::Protocol("the body is too large"))?;
        while conn.buf.len() < at + size + 2 {
            conn.fill_or_fail().await?;
        }
        body.extend_from_slice(&conn.buf[at..at + size]);
        if &conn.buf[at + size..at + size + 2] != b"\r\n" {
            return Err(HttpError::Protocol("a chunk does not end with CRLF"));
        }
        at += size + 2;
    }
    // Trailer fields, then the empty line that ends the message.
    loop {
        let line_end = loop {
            if let Some(i) = conn.buf[at..].windows(2).position(|w| w == b"\r\n") {
                break at + i;
            }
            if conn.buf.len() - at > MAX_HEAD {
                return Err(HttpError::Protocol("the trailer section is too large"));
            }
            conn.fill_or_fail().await?;
        };
        let empty = line_end == at;
        at = line_end + 2;
        if empty {
            return Ok((body, at));
        }
    }
}
