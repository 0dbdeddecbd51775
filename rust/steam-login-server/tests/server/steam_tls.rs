//! The Steam Web API over TLS, as in production: the server trusts Mozilla's roots and
//! `--steam-api-ca`, verifies the certificate's name, and sends the key only inside TLS. A TLS double
//! on loopback (a test CA's `localhost` certificate, tests/tls) answers AuthenticateUserTicket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::support::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use steam_login_server::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PLAYER: u64 = 76561198000000654;

fn tls_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls")
}

/// A keep-alive TLS server that answers every request with Steam's OK for `PLAYER`; it counts
/// handshakes and records the last request head.
struct TlsSteam {
    port: u16,
    handshakes: Arc<AtomicUsize>,
    last_head: Arc<Mutex<String>>,
}

async fn tls_steam() -> TlsSteam {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(tls_dir().join("localhost.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(tls_dir().join("localhost.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let last_head = Arc::new(Mutex::new(String::new()));
    let (count, heads) = (Arc::clone(&handshakes), Arc::clone(&last_head));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, count, heads) =
                (acceptor.clone(), Arc::clone(&count), Arc::clone(&heads));
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let body = format!(
                    r#"{{"response":{{"params":{{"result":"OK","steamid":"{PLAYER}","ownersteamid":"{PLAYER}","vacbanned":false,"publisherbanned":false}}}}}}"#
                );
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    *heads.lock().unwrap() = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if tls.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    TlsSteam {
        port,
        handshakes,
        last_head,
    }
}

fn config_against(steam: &TlsSteam, trust_test_ca: bool) -> Config {
    let mut config = Config::with_database(temp_db("tls"));
    config.web_api_key = Some(steam_login_server::config::Secret::new(KEY));
    config.steam_api_base = format!("https://localhost:{}", steam.port);
    config.trusted_keys = vec![simulation_public_key()];
    config.rate_limit = 0.0;
    config.upstream_retries = 0;
    if trust_test_ca {
        config.steam_api_ca = Some(tls_dir().join("ca.pem"));
    }
    config
}

#[tokio::test]
async fn steam_is_asked_over_tls_with_a_trusted_certificate_and_the_connection_is_reused() {
    capture_logs();
    let steam = tls_steam().await;
    let server = Server::start(config_against(&steam, true)).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        steam.handshakes.load(Ordering::SeqCst),
        1,
        "one TLS session, kept alive"
    );
    let head = steam.last_head.lock().unwrap().to_ascii_lowercase();
    assert!(
        head.starts_with("get /isteamuserauth/authenticateuserticket/v1/?appid=555440&ticket="),
        "{head}"
    );
    assert!(
        head.contains(&format!("x-webapi-key: {}", KEY.to_ascii_lowercase())),
        "{head}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_certificate_no_trusted_root_signed_is_refused() {
    capture_logs();
    let steam = tls_steam().await;
    let server = Server::start(config_against(&steam, false)).await;
    let (status, body, _) = post_token(&reqwest::Client::new(), &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "steam_error");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("certificate"), "{message}");
    assert!(!message.contains(KEY), "{message}");
    assert_eq!(steam.handshakes.load(Ordering::SeqCst), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_ca_file_without_certificates_stops_the_start_with_a_reason() {
    let steam = tls_steam().await;
    let mut config = config_against(&steam, false);
    config.steam_api_ca = Some(simulation_public_key());
    let error = steam_login_server::AppState::new(config)
        .await
        .err()
        .unwrap();
    assert!(error.to_string().contains("no PEM certificate"), "{error}");
}
