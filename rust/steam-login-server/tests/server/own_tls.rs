//! The server's own HTTPS (`--tls-cert`, `--tls-key`): logins over it, the header timeout on a
//! stalled handshake, and a certificate renewed by SIGHUP under load (new connections get the new
//! one, open ones keep working).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::support::*;

fn tls_config(db: &str) -> steam_login_server::Config {
    let mut config = steam_login_server::Config::with_database(db);
    config.simulation = true;
    config.rate_limit = 0.0;
    config.tls_cert = Some(tls_file("localhost.pem"));
    config.tls_key = Some(tls_file("localhost.key"));
    config
}

/// A TLS connection to `addr` trusting both test CAs, and the certificate the server presented.
async fn tls_connect(addr: &str) -> (TlsStream<TcpStream>, CertificateDer<'static>) {
    let mut roots = rustls::RootCertStore::empty();
    for ca in ["ca.pem", "renewed-ca.pem"] {
        roots
            .add(CertificateDer::from_pem_file(tls_file(ca)).unwrap())
            .unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake");
    let served = stream.get_ref().1.peer_certificates().unwrap()[0].clone();
    (stream, served)
}

/// One keep-alive `GET path` on an open connection; the status.
async fn get(stream: &mut TlsStream<TcpStream>, path: &str) -> u16 {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection closed mid-answer");
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length: usize = text[..head_end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if response.len() >= head_end + 4 + length {
                return text[9..12].parse().unwrap();
            }
        }
    }
}

fn certificate(name: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(tls_file(name)).unwrap()
}

#[tokio::test]
async fn logins_over_the_servers_own_tls() {
    let server = Server::start(tls_config(&temp_db("own-tls"))).await;
    assert!(
        server.base.starts_with("https://localhost:"),
        "{}",
        server.base
    );
    let port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    let client = test_ca_client(port);
    let (status, body, _) = post_token(&client, &server, &ticket_for(76561198000005001)).await;
    assert_eq!(status, 200, "{body}");
    let ready = client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // A client that does not trust the certificate gets no answer at all.
    let untrusting = reqwest::Client::builder()
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    let refused = untrusting
        .get(format!("{}/healthz", server.base))
        .send()
        .await;
    assert!(refused.is_err(), "an untrusted certificate was accepted");
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_handshake_is_closed_at_the_header_timeout() {
    let mut config = tls_config(&temp_db("own-tls-stall"));
    config.header_timeout_ms = 300;
    let server = Server::start(config).await;
    let addr = server.base.replace("https://localhost", "127.0.0.1");
    // A TLS record header announcing a ClientHello, then nothing.
    let mut stalled = TcpStream::connect(&addr).await.unwrap();
    stalled
        .write_all(&[0x16, 0x03, 0x01, 0x00, 0xc8])
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut buf)).await;
    let closed_after = started.elapsed();
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the stalled handshake was not closed: {read:?}"
    );
    assert!(
        closed_after >= Duration::from_millis(250) && closed_after < Duration::from_secs(3),
        "closed after {closed_after:?}"
    );
    // Half a request head inside a finished handshake: the same header timeout.
    let (mut half, _) = tls_connect(&addr).await;
    half.write_all(b"POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(5), half.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "half a head over TLS was not closed: {read:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "closed after {:?}",
        started.elapsed()
    );
    // The server still serves.
    let (mut fresh, _) = tls_connect(&addr).await;
    assert_eq!(get(&mut fresh, "/healthz").await, 200);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("steam_login_connections_closed_total{reason=\"header_timeout\"} 2"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_swaps_the_certificate_for_new_connections_under_load() {
    let dir = std::env::temp_dir().join(format!("own-tls-renewal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::copy(tls_file("localhost.pem"), &cert).unwrap();
    std::fs::copy(tls_file("localhost.key"), &key).unwrap();
    let db = temp_db("own-tls-renewal");
    let server = ServerProcess::spawn(
        &[
            "--simulation",
            "--rate-limit",
            "0",
            "--database",
            &db,
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        None,
    )
    .await;
    let port: u16 = server.addr.rsplit(':').next().unwrap().parse().unwrap();

    let (mut before, served) = tls_connect(&server.addr).await;
    assert_eq!(served, certificate("localhost.pem"));
    assert_eq!(get(&mut before, "/healthz").await, 200);

    // Logins on keep-alive connections all through the renewal.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut load = Vec::new();
    for worker in 0..4u64 {
        let client = test_ca_client(port);
        let url = format!(
            "https://localhost:{port}{}",
            steam_login_protocol::LOGIN_PATH
        );
        let (stop, ok, failed) = (Arc::clone(&stop), Arc::clone(&ok), Arc::clone(&failed));
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let ticket = ticket_for(76561198000100000 + worker * 100_000 + n);
                let sent = client
                    .post(&url)
                    .json(&serde_json::json!({ "token": ticket }))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    std::fs::copy(tls_file("renewed.pem"), &cert).unwrap();
    std::fs::copy(tls_file("renewed.key"), &key).unwrap();
    hangup(&server);
    wait_for_log(&server, "SIGHUP: serving").await;
    let (mut after, served) = tls_connect(&server.addr).await;
    assert_eq!(
        served,
        certificate("renewed.pem"),
        "a new connection gets the new certificate"
    );
    assert_eq!(get(&mut after, "/healthz").await, 200);
    assert_eq!(
        get(&mut before, "/healthz").await,
        200,
        "the open connection survives"
    );

    // A renewal that does not load (key of the old pair) keeps the new certificate in place.
    std::fs::copy(tls_file("localhost.key"), &key).unwrap();
    hangup(&server);
    wait_for_log(&server, "still serving the previous certificate").await;
    let (_, served) = tls_connect(&server.addr).await;
    assert_eq!(served, certificate("renewed.pem"));
    assert!(
        server.log().contains("does not belong to the certificate"),
        "{}",
        server.log()
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let (ok, failed) = (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("logins during the renewal: {ok} ok, {failed} failed");
    assert!(ok > 20, "too little load: {ok}");
    assert_eq!(failed, 0, "logins failed during the renewal");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_bad_certificate_stops_the_start_naming_the_file() {
    let db = temp_db("own-tls-bad");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
        .args([
            "--simulation",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
            "--database",
            &db,
        ])
        .args(["--tls-cert", tls_file("localhost.pem").to_str().unwrap()])
        .args(["--tls-key", tls_file("renewed.key").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("renewed.key does not belong to the certificate"),
        "{out}"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
        .args(["--simulation", "--database", &db, "--tls-cert", "x.pem"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-key"));
}

fn hangup(server: &ServerProcess) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn wait_for_log(server: &ServerProcess, words: &str) {
    for _ in 0..250 {
        if server.log().contains(words) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the log never said {words:?}: {}", server.log());
}

#[tokio::test]
async fn sighup_without_tls_is_logged_and_the_server_goes_on() {
    let db = temp_db("sighup-plain");
    let mut server = ServerProcess::spawn(&["--simulation", "--database", &db], None).await;
    hangup(&server);
    wait_for_log(&server, "SIGHUP: nothing to reload").await;
    assert!(
        server
            .exited_within(Duration::from_millis(300))
            .await
            .is_none(),
        "SIGHUP ended the server"
    );
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
