//! The upstream HTTP/1.1 client against scripted raw servers: framing (length, chunked, until close),
//! connection reuse, servers that close idle connections, broken answers, and TLS.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use steam_login_server::http1::{Http1Client, HttpError};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the scripted server treats each request it reads.
#[derive(Clone)]
enum Reply {
    /// Writes these bytes (in pieces of `chunk` bytes, with a flush and a pause between them).
    Raw { bytes: Vec<u8>, chunk: usize },
    /// Writes these bytes, then closes the connection.
    RawThenClose(Vec<u8>),
    /// Writes the answer, then 10 ms later bytes nobody asked for.
    RawThenUnasked(Vec<u8>, Vec<u8>),
}

fn raw(text: &str) -> Reply {
    Reply::Raw {
        bytes: text.as_bytes().to_vec(),
        chunk: usize::MAX,
    }
}

struct Scripted {
    url: url::Url,
    connections: Arc<AtomicUsize>,
    requests: Arc<tokio::sync::Mutex<Vec<String>>>,
}

/// Serves `replies` in order across all connections (the last one repeats), over TLS (an `https://`
/// URL) when `tls` holds a server config.
async fn scripted(replies: Vec<Reply>, tls: Option<Arc<rustls::ServerConfig>>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let replies = Arc::new(replies);
    let scheme = if tls.is_some() { "https" } else { "http" };
    {
        let (connections, requests) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                connections.fetch_add(1, Ordering::SeqCst);
                let (replies, next, requests) = (replies.clone(), next.clone(), requests.clone());
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve_conn(tcp, &replies, &next, &requests).await,
                        Some(config) => {
                            let acceptor = tokio_rustls::TlsAcceptor::from(config);
                            if let Ok(stream) = acceptor.accept(tcp).await {
                                serve_conn(stream, &replies, &next, &requests).await
                            }
                        }
                    }
                });
            }
        });
    }
    Scripted {
        url: url::Url::parse(&format!("{scheme}://localhost:{port}/base/")).unwrap(),
        connections,
        requests,
    }
}

async fn serve_conn<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    replies: &[Reply],
    next: &AtomicUsize,
    requests: &tokio::sync::Mutex<Vec<String>>,
) {
    let mut buf = Vec::new();
    loop {
        // Read one request head.
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let mut chunk = [0u8; 1024];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head: Vec<u8> = buf.drain(..end).collect();
        requests
            .lock()
            .await
            .push(String::from_utf8_lossy(&head).into_owned());
        let i = next.fetch_add(1, Ordering::SeqCst).min(replies.len() - 1);
        match &replies[i] {
            Reply::Raw { bytes, chunk } => {
                for piece in bytes.chunks((*chunk).min(bytes.len().max(1))) {
                    if stream.write_all(piece).await.is_err() {
                        return;
                    }
                    let _ = stream.flush().await;
                    if *chunk != usize::MAX {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
            Reply::RawThenClose(bytes) => {
                let _ = stream.write_all(bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            Reply::RawThenUnasked(bytes, unasked) => {
                let _ = stream.write_all(bytes).await;
                let _ = stream.flush().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                let _ = stream.write_all(unasked).await;
                let _ = stream.flush().await;
            }
        }
    }
}

fn client(url: &url::Url) -> Http1Client {
    Http1Client::new(url, 8, Duration::from_secs(2)).unwrap()
}

const OK: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";

#[tokio::test]
async fn sends_the_request_and_reuses_the_connection() {
    let server = scripted(vec![raw(OK)], None).await;
    let http = client(&server.url);
    for _ in 0..3 {
        let response = http
            .get(
                "/base/x?a=1",
                &[("x-webapi-key", "k"), ("accept", "application/json")],
            )
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"{\"ok\":true}");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    let requests = server.requests.lock().await;
    assert_eq!(requests.len(), 3);
    let port = server.url.port().unwrap();
    assert_eq!(
        requests[0],
        format!("GET /base/x?a=1 HTTP/1.1\r\nhost: localhost:{port}\r\nx-webapi-key: k\r\naccept: application/json\r\n\r\n")
    );
}

#[tokio::test]
async fn reads_chunked_bodies_with_extensions_and_trailers_arriving_in_pieces() {
    let answer = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
                  5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: yes\r\n\r\n";
    let server = scripted(
        vec![Reply::Raw {
            bytes: answer.as_bytes().to_vec(),
            chunk: 7,
        }],
        None,
    )
    .await;
    let http = client(&server.url);
    for _ in 0..2 {
        let response = http.get("/", &[]).await.unwrap();
        assert_eq!(response.body, b"hello, world");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn does_not_reuse_a_connection_the_answer_ends_by_closing() {
    let cases = [
        // No length: the body runs until the server closes.
        (
            "HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it",
            "all of it",
        ),
        (
            "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
            "ok",
        ),
    ];
    for (answer, body) in cases {
        let server = scripted(vec![Reply::RawThenClose(answer.as_bytes().to_vec())], None).await;
        let http = client(&server.url);
        for _ in 0..2 {
            assert_eq!(http.get("/", &[]).await.unwrap().body, body.as_bytes());
        }
        assert_eq!(server.connections.load(Ordering::SeqCst), 2, "{answer:?}");
    }
}

#[tokio::test]
async fn retries_once_on_a_new_connection_when_the_idle_one_was_closed() {
    // Keep-alive promised, then closed while idle: the next request must not fail.
    let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
    let server = scripted(vec![Reply::RawThenClose(answer.as_bytes().to_vec())], None).await;
    let http = client(&server.url);
    assert_eq!(http.get("/", &[]).await.unwrap().body, b"ok");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(http.get("/", &[]).await.unwrap().body, b"ok");
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
    assert_eq!(server.requests.lock().await.len(), 2);
}

#[tokio::test]
async fn skips_interim_answers_and_keeps_retry_after() {
    let answer = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\ncontent-length: 9\r\n\r\nslow down";
    let server = scripted(vec![raw(answer)], None).await;
    let response = client(&server.url).get("/", &[]).await.unwrap();
    assert_eq!(response.status, 429);
    assert_eq!(response.retry_after.as_deref(), Some("30"));
    assert_eq!(response.body, b"slow down");
}

#[tokio::test]
async fn refuses_answers_that_are_not_http() {
    let cases: [(&str, &str); 6] = [
        ("SSH-2.0-OpenSSH_9.6\r\n\r\n", "malformed"),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n",
            "Content-Length",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nab",
            "two different",
        ),
        (
            "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
            "transfer coding",
        ),
        (
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            "chunk size",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length: 2000000\r\n\r\n",
            "too large",
        ),
    ];
    for (answer, expected) in cases {
        let server = scripted(vec![raw(answer)], None).await;
        let error = client(&server.url).get("/", &[]).await.unwrap_err();
        assert!(
            matches!(error, HttpError::Protocol(_)) && error.to_string().contains(expected),
            "{answer:?} gave {error}"
        );
    }
}

#[tokio::test]
async fn an_answer_that_breaks_off_is_an_error() {
    let server = scripted(
        vec![Reply::RawThenClose(
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this".to_vec(),
        )],
        None,
    )
    .await;
    let error = client(&server.url).get("/", &[]).await.unwrap_err();
    assert!(error.to_string().contains("broke off"), "{error}");
}

#[tokio::test]
async fn a_server_that_closes_without_answering_is_an_error_not_a_loop() {
    let server = scripted(vec![Reply::RawThenClose(Vec::new())], None).await;
    let error = client(&server.url).get("/", &[]).await.unwrap_err();
    assert!(matches!(error, HttpError::Closed), "{error}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let error = client(&url).get("/", &[]).await.unwrap_err();
    assert!(matches!(error, HttpError::Connect(_)), "{error}");
}

#[test]
fn refuses_other_schemes() {
    let url = url::Url::parse("ftp://example.com/").unwrap();
    assert!(Http1Client::new(&url, 1, Duration::from_secs(1))
        .err()
        .unwrap()
        .contains("neither http nor https"));
}

fn test_tls() -> (Arc<rustls::ServerConfig>, rustls::RootCertStore) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");
    let chain = vec![CertificateDer::from_pem_file(format!("{dir}/localhost.pem")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/localhost.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(format!("{dir}/ca.pem")).unwrap())
        .unwrap();
    (Arc::new(config), roots)
}

#[tokio::test]
async fn speaks_tls_to_a_server_its_roots_trust_and_reuses_the_session() {
    let (config, roots) = test_tls();
    let server = scripted(vec![raw(OK)], Some(config)).await;
    let http = Http1Client::with_roots(&server.url, roots, 8, Duration::from_secs(2)).unwrap();
    for _ in 0..2 {
        assert_eq!(http.get("/", &[]).await.unwrap().body, b"{\"ok\":true}");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refuses_a_tls_server_its_roots_do_not_trust() {
    let (config, _) = test_tls();
    let server = scripted(vec![raw(OK)], Some(config)).await;
    // The Mozilla roots do not include the test CA.
    let error = client(&server.url).get("/", &[]).await.unwrap_err();
    assert!(matches!(error, HttpError::Tls(_)), "{error}");
    assert!(server.requests.lock().await.is_empty());
}

#[tokio::test]
async fn does_not_take_bytes_sent_to_an_idle_connection_for_the_next_answer() {
    // An answer, then an unasked-for 408 while the connection sits idle (as some servers do before
    // closing it): the next request must get its own answer on a new connection.
    let answer = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst";
    let server = scripted(
        vec![
            Reply::RawThenUnasked(
                answer.as_bytes().to_vec(),
                b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n".to_vec(),
            ),
            raw("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nsecond"),
        ],
        None,
    )
    .await;
    let http = client(&server.url);
    assert_eq!(http.get("/", &[]).await.unwrap().body, b"first");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let response = http.get("/", &[]).await.unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"second"[..])
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}
