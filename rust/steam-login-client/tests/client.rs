//! Every error kind, produced by a real server on loopback; retries counted on the server side.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use steam_login_client::{
    ClientOptions, ErrorCode, ErrorKind, LoginClient, ReceivedCode, LOGIN_PATH,
};

const SESSION: &str = r#"{"preferredLanguage":"en","friendsFirstSync":{"steam":true},"fixedMyFriendsUserPlatformId":{"steam":true},"id":"u-1","provider":{"providerId":"76561198000000000","providerName":"steam","userId":"u-1"},"providers":[{"providerName":"steam","providerId":"76561198000000000"}],"friends":[],"triggerResults":{"success":[],"error":[]},"tokenId":"tok-1","generated":1700000000,"expire":1700086400,"userId":"u-1","token":"tok-1"}"#;

/// A server that answers `responses` in order (the last one repeats), counting requests.
async fn server(responses: Vec<(u16, &'static str, u64)>) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let responses = Arc::new(responses);
    let app = Router::new().route(
        LOGIN_PATH,
        post(move |body: String| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let responses = responses.clone();
            async move {
                assert!(body.contains("\"token\":\"14000000AB\""), "{body}");
                let (status, text, delay_ms) = responses[n.min(responses.len() - 1)];
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                (
                    StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    text,
                )
                    .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, count)
}

/// Logs in at `base` with [`fast`] options, expecting a failure.
async fn failed_login(base: &str) -> steam_login_client::LoginError {
    LoginClient::new(base, fast())
        .unwrap()
        .login("14000000AB")
        .await
        .unwrap_err()
}

fn fast() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_millis(800),
        retries: 2,
        backoff: Duration::from_millis(10),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn a_session_parses_and_base_or_full_urls_work() {
    let (base, count) = server(vec![(200, SESSION, 0)]).await;
    for url in [
        base.clone(),
        format!("{base}/"),
        format!("{base}{LOGIN_PATH}"),
    ] {
        let client = LoginClient::new(&url, fast()).unwrap();
        assert_eq!(client.endpoint(), format!("{base}{LOGIN_PATH}"));
        let session = client.login("14000000AB").await.unwrap();
        assert_eq!(
            (session.user_id.as_ref(), session.token.as_ref()),
            ("u-1", "tok-1")
        );
        assert_eq!(session.expire, 1700086400);
    }
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn refused_connections_are_transport_errors_after_retries() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = LoginClient::new(&format!("http://127.0.0.1:{port}"), fast()).unwrap();
    let started = std::time::Instant::now();
    let err = client.login("14000000AB").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport);
    // Named by the error's kind, not its words (real Windows words it "actively refused").
    assert!(
        err.message
            .contains("the connection was refused (is the server running?)"),
        "{}",
        err.message
    );
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "two back-offs happened"
    );
    let dns = LoginClient::new("https://no-such-host.invalid", fast()).unwrap();
    assert_eq!(
        dns.login("14000000AB").await.unwrap_err().kind,
        ErrorKind::Transport
    );
    assert_eq!(
        LoginClient::new("ftp://x", fast()).unwrap_err().kind,
        ErrorKind::Transport
    );
}

#[tokio::test]
async fn a_slow_server_times_out_without_a_retry() {
    let (base, count) = server(vec![(200, SESSION, 3_000)]).await;
    let err = failed_login(&base).await;
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "the server may have processed it: no retry"
    );
}

#[tokio::test]
async fn server_errors_and_rejections_keep_the_servers_message() {
    let (base, count) = server(vec![(
        500,
        r#"{"error":{"code":"internal","message":"db down"}}"#,
        0,
    )])
    .await;
    let err = failed_login(&base).await;
    assert_eq!((err.kind, err.http_status), (ErrorKind::Server, 500));
    assert!(err.message.contains("db down"));
    assert_eq!(count.load(Ordering::SeqCst), 1, "500 is not retried");

    let (base, count) = server(vec![(
        401,
        r#"{"error":{"code":"invalid_ticket","message":"Steam says the ticket is invalid"}}"#,
        0,
    )])
    .await;
    let err = failed_login(&base).await;
    assert_eq!((err.kind, err.http_status), (ErrorKind::Rejected, 401));
    assert_eq!(
        err.code.as_ref().map(|c| c.as_str()),
        Some("invalid_ticket")
    );
    assert!(err.message.contains("Steam says the ticket is invalid"));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn codes_are_typed_and_a_newer_server_s_code_is_kept() {
    let (base, _) = server(vec![(
        401,
        r#"{"error":{"code":"ticket_reused","message":"again"}}"#,
        0,
    )])
    .await;
    let err = failed_login(&base).await;
    assert!(err.is(ErrorCode::TicketReused));
    let (base, _) = server(vec![(
        403,
        r#"{"error":{"code":"banned_on_tuesdays","message":"not today"}}"#,
        0,
    )])
    .await;
    let err = failed_login(&base).await;
    assert_eq!(
        err.code,
        Some(ReceivedCode::Unknown("banned_on_tuesdays".into()))
    );
    assert_eq!(err.kind, ErrorKind::Rejected);
}

#[tokio::test]
async fn protocol_errors_name_what_is_wrong() {
    let (base, _) = server(vec![(200, "<html>oops</html>", 0)]).await;
    let err = failed_login(&base).await;
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert!(err.message.contains("not JSON"));
    let (base, _) = server(vec![(
        200,
        r#"{"userId":"u","expire":1,"provider":{"providerId":"1"}}"#,
        0,
    )])
    .await;
    let err = failed_login(&base).await;
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::Protocol, "the response lacks token")
    );
}

#[tokio::test]
async fn gateway_errors_are_retried_and_counted() {
    let (base, count) = server(vec![(503, "{}", 0), (502, "{}", 0), (200, SESSION, 0)]).await;
    let session = LoginClient::new(&base, fast())
        .unwrap()
        .login("14000000AB")
        .await
        .unwrap();
    assert_eq!(session.user_id, "u-1");
    assert_eq!(count.load(Ordering::SeqCst), 3);

    let (base, count) = server(vec![(504, "{}", 0)]).await;
    let err = failed_login(&base).await;
    assert_eq!((err.kind, err.http_status), (ErrorKind::Server, 504));
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "one attempt and two retries, then give up"
    );
}

#[tokio::test]
async fn cancellation_ends_the_login_at_once() {
    let (base, _) = server(vec![(200, SESSION, 5_000)]).await;
    let client = LoginClient::new(
        &base,
        ClientOptions {
            timeout: Duration::from_secs(10),
            ..fast()
        },
    )
    .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .login_until("14000000AB", tokio::time::sleep(Duration::from_millis(50)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        client.login("").await.unwrap_err().kind,
        ErrorKind::InvalidTicket
    );
}

/// The project's own server in simulation mode, in-process on a fresh SQLite file; its base URL.
async fn own_server(name: &str) -> String {
    own_server_with(name, |_| {}).await
}

/// [`own_server`] with `configure` applied to its configuration; `https://localhost:…` when it
/// serves TLS.
async fn own_server_with(
    name: &str,
    configure: impl FnOnce(&mut steam_login_server::Config),
) -> String {
    let database = std::env::temp_dir().join(format!("client-{name}-{}.db", std::process::id()));
    // Process ids repeat (under Wine, from run to run): a database left by an earlier run would hold
    // this run's tickets as already used.
    for suffix in ["", "-wal", "-shm"] {
        let mut file = database.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    let mut config = steam_login_server::Config::with_database(database.display().to_string());
    config.simulation = true;
    config.rate_limit = 0.0;
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = match config.tls_cert {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    tokio::spawn(steam_login_server::serve(
        listener,
        config,
        std::future::pending(),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    base
}

/// A simulation-signed ticket for `steam_id`, as hex.
fn simulated_ticket(steam_id: u64) -> String {
    let now = steam_ticket::fixtures::now();
    let mut ticket = steam_ticket::fixtures::web_api_ticket(steam_id, 555440, now);
    ticket.ownership.expires = now + 3600;

    steam_ticket::hex::encode(&steam_ticket::mint(&ticket))
}

#[tokio::test]
async fn against_the_projects_own_server_in_simulation_mode() {
    let base = own_server("it").await;
    let hex = simulated_ticket(76561198000000001);
    let client = LoginClient::new(&base, fast()).unwrap();
    let session = client.login(&hex).await.unwrap();
    assert_eq!(session.provider.provider_id, "76561198000000001");
    assert_eq!(session.expire - session.generated, 86_400);
    let err = client.login("14000000AB").await.unwrap_err();
    assert_eq!((err.kind, err.http_status), (ErrorKind::Rejected, 400));
    assert_eq!(
        err.code.as_ref().map(|c| c.as_str()),
        Some("malformed_ticket")
    );
}

#[tokio::test]
async fn a_nonce_then_an_encrypted_ticket_holding_it_logs_in_once() {
    use steam_ticket::encrypted::{mint_encrypted, EncryptedAppTicket, TICKET_VERSION};
    let key = [0x42u8; 32];
    let base = own_server_with("encrypted", |c| {
        c.encrypted_ticket_keys = vec![format!("555440={}", steam_ticket::hex::encode(&key))
            .parse()
            .unwrap()];
    })
    .await;
    let client = LoginClient::new(&base, fast()).unwrap();
    let nonce = client.nonce_until(std::future::pending()).await.unwrap();
    assert_eq!(nonce.len(), 64);
    let now = steam_ticket::fixtures::now();
    let ticket = EncryptedAppTicket {
        version: TICKET_VERSION,
        user_data: nonce.into_bytes(),
        ownership: steam_ticket::fixtures::web_api_ticket(76561198000000003, 555440, now).ownership,
        vac_banned: 0,
        ownership_tail: Vec::new(),
        layout: steam_ticket::encrypted::Layout::Salted,
        app_defined_value: None,
    };
    let hex = steam_ticket::hex::encode(&mint_encrypted(&ticket, &key, [3; 16], [4; 8]));
    let session = client
        .login_encrypted_until(&hex, std::future::pending())
        .await
        .unwrap();
    assert_eq!(session.provider.provider_id, "76561198000000003");
    let err = client
        .login_encrypted_until(&hex, std::future::pending())
        .await
        .unwrap_err();
    assert!(err.is(ErrorCode::NonceReused), "{err:?}");
    let off = LoginClient::new(&own_server("no-keys").await, fast()).unwrap();
    let err = off.nonce_until(std::future::pending()).await.unwrap_err();
    assert!(err.is(ErrorCode::EncryptedTicketsOff), "{err:?}");
}

#[tokio::test]
async fn a_saved_session_is_refreshed_and_a_used_one_is_rejected() {
    let base = own_server("refresh").await;
    let hex = simulated_ticket(76561198000000002);
    // The full endpoint URL works as well as the base: refresh lives beside it.
    let client = LoginClient::new(&format!("{base}{LOGIN_PATH}"), fast()).unwrap();
    let session = client.login(&hex).await.unwrap();
    let renewed = client
        .refresh_until(&session.token, std::future::pending())
        .await
        .unwrap();
    assert_eq!(renewed.user_id, session.user_id);
    assert_ne!(renewed.token, session.token);
    let err = client
        .refresh_until(&session.token, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!((err.kind, err.http_status), (ErrorKind::Rejected, 401));
    assert_eq!(
        err.code.as_ref().map(|c| c.as_str()),
        Some("session_revoked")
    );
    let err = client
        .refresh_until("", std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rejected);
}

#[test]
fn plain_http_beyond_loopback_is_refused_unless_allowed() {
    for remote in [
        "http://example.invalid:8080",
        "http://192.0.2.10",
        "http://[2001:db8::1]/",
    ] {
        let err = LoginClient::new(remote, fast()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InsecureEndpoint, "{remote}");
        assert!(err.message.contains("clear text"), "{}", err.message);
        assert!(
            steam_login_client::is_cleartext_to_remote(remote),
            "{remote}"
        );
        let allowed = ClientOptions {
            allow_insecure_http: true,
            ..fast()
        };
        assert!(
            LoginClient::new(remote, allowed).is_ok(),
            "{remote} allowed"
        );
    }
    for local in [
        "http://localhost:8080",
        "http://LOCALHOST.",
        "http://game.localhost",
        "http://127.0.0.2:9",
        "http://[::1]:8080",
        "https://example.invalid",
    ] {
        assert!(LoginClient::new(local, fast()).is_ok(), "{local}");
        assert!(
            !steam_login_client::is_cleartext_to_remote(local),
            "{local}"
        );
    }
}

/// The login server's test CA and `localhost` certificate.
fn server_tls_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../steam-login-server/tests/tls")
        .join(name)
}

#[tokio::test]
async fn https_with_a_studio_ca_beside_the_built_in_roots() {
    let base = own_server_with("tls", |config| {
        config.tls_cert = Some(server_tls_file("localhost.pem"));
        config.tls_key = Some(server_tls_file("localhost.key"));
    })
    .await;
    let hex = simulated_ticket(76561198000000003);

    let err = LoginClient::new(&base, fast())
        .unwrap()
        .login(&hex)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport);
    assert!(
        err.message.contains("TLS handshake failed"),
        "{}",
        err.message
    );

    let with_ca = ClientOptions {
        extra_roots_pem: std::fs::read(server_tls_file("ca.pem")).unwrap(),
        ..fast()
    };
    let session = LoginClient::new(&base, with_ca)
        .unwrap()
        .login(&hex)
        .await
        .unwrap();
    assert_eq!(session.provider.provider_id, "76561198000000003");

    let not_pem = ClientOptions {
        extra_roots_pem: b"not a certificate".to_vec(),
        ..fast()
    };
    let err = LoginClient::new(&base, not_pem).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
}
