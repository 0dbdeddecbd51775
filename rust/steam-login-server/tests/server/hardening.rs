//! The server under hostile or broken clients: silent connections beyond the descriptor limit,
//! half-sent requests, a shutdown with a client stalled mid-request, and the JSON shape of every
//! status it can answer.

use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::Value;
use steam_login_protocol::ErrorBody;
use steam_login_server::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PLAYER: u64 = 76561198000000321;

/// The server binary in simulation mode on a fresh SQLite file, plus `args`.
async fn spawn_simulated(args: &[&str], nofile: Option<u64>) -> ServerProcess {
    let db = temp_db("hardening");
    let mut all = vec!["--simulation", "--database", &db];
    all.extend_from_slice(args);
    ServerProcess::spawn(&all, nofile).await
}

async fn login(client: &reqwest::Client, base: &str) -> u16 {
    client
        .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
        .json(&serde_json::json!({"token": ticket_for(PLAYER)}))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_gets_in_past_1100_idle_connections_at_a_1024_descriptor_limit() {
    // This process holds the 1,100 client ends; the server gets 1,024 descriptors.
    steam_login_server::fd_limit::raise_to_hard_limit();
    let server = spawn_simulated(&[], Some(1_024)).await;
    assert!(
        server.log().contains("open-file limit 1024"),
        "{}",
        server.log()
    );
    let mut idle = Vec::new();
    for _ in 0..1_100 {
        idle.push(TcpStream::connect(&server.addr).await.unwrap());
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let status = login(&client, &server.base).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{}", server.log());
    assert!(took < Duration::from_secs(1), "the login took {took:?}");
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let metrics = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let evicted: u64 = metric(
        &metrics,
        "steam_login_connections_closed_total{reason=\"evicted\"}",
    );
    assert!(evicted >= 1_100 - 896, "{metrics}");
    assert!(
        !server.log().contains("Too many open files"),
        "{}",
        server.log()
    );
    drop(idle);
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// Reads until the server closes; what it sent, or `None` if it did not close within `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    closed
        .ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_half_sent_requests_are_closed_by_the_header_and_body_timeouts() {
    let mut config = Config::with_database(temp_db("half-sent"));
    config.simulation = true;
    config.header_timeout_ms = 500;
    config.body_timeout_ms = 500;
    let server = Server::start(config).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut half_heads = Vec::new();
    let mut half_bodies = Vec::new();
    for _ in 0..100 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\nContent-Ty")
            .await
            .unwrap();
        half_heads.push(s);
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{\"token\": \"1400")
            .await
            .unwrap();
        half_bodies.push(s);
    }
    for s in &mut half_heads {
        let sent = read_until_closed(s, Duration::from_secs(5)).await;
        assert_eq!(sent.as_deref(), Some(""), "closed without an answer");
    }
    for s in &mut half_bodies {
        let sent = read_until_closed(s, Duration::from_secs(5))
            .await
            .expect("closed");
        assert!(sent.starts_with("HTTP/1.1 408"), "{sent}");
        assert!(sent.contains("\"code\":\"body_timeout\""), "{sent}");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "closing took {took:?}");
    let metrics = server.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "steam_login_connections_closed_total{reason=\"header_timeout\"}"
        ),
        100,
        "{metrics}"
    );
    // Live clients were never at risk: a login still works.
    assert_eq!(login(&reqwest::Client::new(), &server.base).await, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_only() {
    let mut config = Config::with_database(temp_db("idle"));
    config.simulation = true;
    config.header_timeout_ms = 200;
    config.idle_timeout_ms = 1_000;
    let server = Server::start(config).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from = Instant::now();
    // Longer than the header timeout: idle is not "sending a head".
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from_second = Instant::now();
    assert_eq!(
        read_until_closed(&mut s, Duration::from_secs(3)).await,
        Some(String::new())
    );
    let idle = idle_from_second.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_millis(2_000),
        "closed after {idle:?} idle (first spell {:?})",
        idle_from.elapsed()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_stalled_client_exits_within_the_shutdown_deadline() {
    let mut server = spawn_simulated(
        &[
            "--shutdown-timeout-ms",
            "1000",
            "--header-timeout-ms",
            "60000",
            "--body-timeout-ms",
            "60000",
        ],
        None,
    )
    .await;
    // One client mid-body (a request in flight), one mid-head.
    let mut mid_body = TcpStream::connect(&server.addr).await.unwrap();
    mid_body
        .write_all(b"POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n{\"to")
        .await
        .unwrap();
    let mut mid_head = TcpStream::connect(&server.addr).await.unwrap();
    mid_head
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    server.terminate();
    let status = server.exited_within(Duration::from_secs(5)).await;
    let took = started.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running after {took:?}: {}", server.log()));
    assert!(status.success(), "{status:?}: {}", server.log());
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2_500),
        "exited after {took:?}"
    );
    let log = server.log();
    assert!(log.contains("shutdown deadline"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(read_until_closed(&mut mid_body, Duration::from_secs(1))
        .await
        .is_some());
    assert!(read_until_closed(&mut mid_head, Duration::from_secs(1))
        .await
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish() {
    let mut server = spawn_simulated(&["--shutdown-timeout-ms", "5000"], None).await;
    let mut stream = TcpStream::connect(&server.addr).await.unwrap();
    let body = format!("{{\"token\": \"{}\"}}", ticket_for(PLAYER));
    let head = format!(
        "POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(3))
        .await
        .expect("answered, then closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let status = server.exited_within(Duration::from_secs(3)).await;
    assert!(status.is_some_and(|s| s.success()), "{}", server.log());
}

/// Sends raw bytes and returns the status and body of the answer.
async fn raw_exchange(addr: &str, request: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // A server may answer and close before reading all of a huge head; that is fine.
    let _ = stream.write_all(request).await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the server answers and closes");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn assert_error_shape(status: u16, content_type: Option<&str>, body: &str, context: &str) {
    assert_eq!(
        content_type,
        Some("application/json"),
        "{status} {context}: {body}"
    );
    let parsed: ErrorBody =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{status} {context}: {e}: {body:?}"));
    assert!(!parsed.error.code.is_empty() && !parsed.error.message.is_empty());
    let value: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        value.as_object().map(|o| o.len()),
        Some(1),
        "only \"error\": {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_the_server_sends_has_the_json_error_shape() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("shapes"));
    config.body_timeout_ms = 300;
    config.upstream_timeout_ms = 300;
    config.upstream_retries = 0;
    let server = Server::start(config).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let client = reqwest::Client::new();
    let login_url = server.login_url();
    let mut seen = std::collections::BTreeSet::new();

    let mut check = |status: u16, content_type: Option<String>, body: String, context: &str| {
        assert_error_shape(status, content_type.as_deref(), &body, context);
        seen.insert(status);
    };
    async fn send(request: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, content_type, response.text().await.unwrap())
    }

    let json_post = |body: String| {
        client
            .post(&login_url)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: Vec<(u16, &str, reqwest::RequestBuilder)> = vec![
        (400, "not JSON", json_post("not json".into())),
        (
            400,
            "duplicate ?token=",
            client.post(format!("{login_url}?token=14&token=15")),
        ),
        (
            400,
            "duplicate \"token\"",
            json_post(r#"{"token":"14","token":"15"}"#.into()),
        ),
        (
            401,
            "forged ticket",
            json_post(format!(
                "{{\"token\":\"{}\"}}",
                ticket_with(PLAYER, |t| t.ownership.app_id = 1)
            )),
        ),
        (
            401,
            "no bearer",
            client.get(format!("{}/api/v1/auth/session", server.base)),
        ),
        (
            404,
            "unknown path",
            client.get(format!("{}/nope", server.base)),
        ),
        (405, "wrong method", client.get(&login_url)),
        (413, "body over 8 KiB", json_post("x".repeat(9_000))),
        (
            414,
            "10 KiB URI",
            client.post(format!("{login_url}?token={}", "a".repeat(10_000))),
        ),
    ];
    for (expected, context, request) in cases {
        let (status, content_type, body) = send(request).await;
        assert_eq!(status, expected, "{context}: {body}");
        check(status, content_type, body, context);
    }
    let mut many = client.get(format!("{}/healthz", server.base));
    for i in 0..80 {
        many = many.header(format!("x-filler-{i}"), "1");
    }
    let (status, content_type, body) = send(many).await;
    assert_eq!(status, 431, "{body}");
    check(status, content_type, body, "80 header fields");

    // Steam's faults.
    for (answer, expected) in [
        (Answer::OkPublisherBanned, 403),
        (Answer::Html403, 502),
        (Answer::TooMany { retry_after: 5 }, 503),
        (Answer::Slow { ms: 1_000 }, 504),
    ] {
        fake.then([answer]);
        let (status, content_type, body) = send(json_post(format!(
            "{{\"token\":\"{}\"}}",
            ticket_for(PLAYER)
        )))
        .await;
        assert_eq!(status, expected, "{body}");
        check(status, content_type, body, "Steam's answer");
    }

    // What hyper answers by itself, and the body that never comes.
    let raw_cases: Vec<(u16, &str, Vec<u8>)> = vec![
        (400, "not HTTP", b"GARBAGE\r\n\r\n".to_vec()),
        (
            431,
            "a head beyond hyper's buffer",
            format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "b".repeat(100_000)).into_bytes(),
        ),
        (
            408,
            "a body that stops",
            b"POST /api/v1/auth/provider/steam/login HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"tok".to_vec(),
        ),
    ];
    for (expected, context, request) in raw_cases {
        let (status, head, body) = raw_exchange(&addr, &request).await;
        assert_eq!(status, expected, "{context}: {head} {body}");
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .map(str::to_owned);
        check(status, content_type, body, context);
    }

    // 429 needs a rate limit.
    let mut limited = config_for(&fake, &temp_db("shapes-429"));
    limited.rate_limit = 1.0;
    limited.rate_burst = 1;
    let limited = Server::start(limited).await;
    let _ = post_token(&client, &limited, "14").await;
    let (status, content_type, body) = send(
        client
            .post(limited.login_url())
            .json(&serde_json::json!({"token": "14"})),
    )
    .await;
    assert_eq!(status, 429);
    check(status, content_type, body, "rate limited");
    limited.stop().await;

    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [400, 401, 403, 404, 405, 408, 413, 414, 429, 431, 502, 503, 504]
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_method_answers_say_which_methods_are_allowed() {
    let mut config = Config::with_database(temp_db("allow"));
    config.simulation = true;
    let server = Server::start(config).await;
    let response = reqwest::Client::new()
        .put(format!("{}/api/v1/auth/session", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("DELETE"), "{allow}");
    server.stop().await;
}
