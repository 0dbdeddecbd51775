//! The login endpoint against a fake Steam Web API on loopback: every mapping, with the number of
//! upstream calls it costs.

use crate::support::*;
use serde_json::{json, Value};
use steam_login_server::config::Policy;
use steam_login_server::Config;

const PLAYER: u64 = 76561198000000123;

async fn setup(answer: Answer) -> (FakeSteam, Server, reqwest::Client) {
    capture_logs();
    let fake = FakeSteam::start(answer).await;
    let server = Server::start(config_for(&fake, &temp_db("login"))).await;
    (fake, server, reqwest::Client::new())
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn valid_ticket_gets_a_session_in_the_spec_shape() {
    let (fake, server, client) = setup(Answer::Ok).await;
    let token = ticket_for(PLAYER);
    let (status, body, _) = post_token(&client, &server, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fake.calls(), 1);

    // Contract: exactly the spec's keys, with its meaning.
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "expire",
            "fixedMyFriendsUserPlatformId",
            "friends",
            "friendsFirstSync",
            "generated",
            "id",
            "preferredLanguage",
            "provider",
            "providers",
            "token",
            "tokenId",
            "triggerResults",
            "userId"
        ]
    );
    let user = body["userId"].as_str().unwrap();
    assert_eq!(body["id"], user);
    assert_eq!(body["provider"]["userId"], user);
    assert_eq!(body["provider"]["providerName"], "steam");
    assert_eq!(body["provider"]["providerId"], PLAYER.to_string());
    assert_eq!(
        body["providers"],
        json!([{"providerName": "steam", "providerId": PLAYER.to_string()}])
    );
    assert_eq!(body["tokenId"], body["token"]);
    assert_eq!(body["friends"], json!([]));
    assert_eq!(body["triggerResults"], json!({"success": [], "error": []}));
    assert_eq!(body["preferredLanguage"], "en");
    assert_eq!(body["friendsFirstSync"], json!({"steam": true}));
    assert_eq!(body["fixedMyFriendsUserPlatformId"], json!({"steam": true}));
    let generated = body["generated"].as_i64().expect("generated is an integer");
    assert_eq!(
        body["expire"].as_i64().expect("expire is an integer"),
        generated + 86_400
    );
    assert!((generated - now() as i64).abs() < 5);
    // A random user id; a token that leads with its millisecond (it orders the sessions table).
    for (id, version) in [(user, 4), (body["token"].as_str().unwrap(), 7)] {
        let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), version, "{id}");
    }

    // What reached Steam: key in the header only, the app, the ticket as sent.
    assert_eq!(fake.state.last_key.lock().unwrap().as_deref(), Some(KEY));
    let query = fake.state.last_query.lock().unwrap().clone();
    assert!(query.contains(&("appid".into(), APP.to_string())));
    assert!(query.contains(&("ticket".into(), token.clone())));
    assert!(!query.iter().any(|(k, v)| k == "key" || v.contains(KEY)));
    server.stop().await;
}

#[tokio::test]
async fn steam_rejections_map_to_401_with_their_meaning() {
    for (code, desc, expected) in [
        (101, "Invalid ticket", "invalid_ticket"),
        (102, "Ticket for other app", "ticket_for_other_app"),
        (3, "Invalid parameter", "invalid_parameter"),
    ] {
        let (fake, server, client) = setup(Answer::Error { code, desc }).await;
        let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), expected);
        assert!(body["error"]["message"].as_str().unwrap().contains(desc));
        assert_eq!(fake.calls(), 1, "Steam's rejections are not retried");
        server.stop().await;
    }
}

#[tokio::test]
async fn bans_are_403_and_vac_policy_is_configurable() {
    let (fake, server, client) = setup(Answer::OkPublisherBanned).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (403, "publisher_banned"));
    assert_eq!(fake.calls(), 1);
    server.stop().await;

    let (_fake, server, client) = setup(Answer::OkVacBanned).await;
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "VAC-banned players are allowed by default");
    server.stop().await;

    let fake = FakeSteam::start(Answer::OkVacBanned).await;
    let mut config = config_for(&fake, &temp_db("vac"));
    config.vac_banned = Policy::Deny;
    let server = Server::start(config).await;
    let (status, body, _) = post_token(&reqwest::Client::new(), &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (403, "vac_banned"));
    server.stop().await;
}

#[tokio::test]
async fn bad_key_is_502_without_the_key() {
    let (fake, server, client) = setup(Answer::Html403).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 502);
    assert_eq!(error_code(&body), "steam_key_rejected");
    assert_eq!(
        body["error"]["message"],
        "Steam rejected the server's Web API key"
    );
    assert!(!body.to_string().contains(KEY));
    assert_eq!(fake.calls(), 1, "a bad key is not retried");
    server.stop().await;
}

#[tokio::test]
async fn throttling_is_503_with_retry_after() {
    let (fake, server, client) = setup(Answer::TooMany { retry_after: 42 }).await;
    let (status, body, headers) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (503, "steam_throttled"));
    assert_eq!(headers.get("retry-after").unwrap(), "42");
    assert_eq!(fake.calls(), 1);
    server.stop().await;
}

#[tokio::test]
async fn server_errors_are_retried_then_502() {
    let (fake, server, client) = setup(Answer::Status500).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (502, "steam_error"));
    assert_eq!(fake.calls(), 3, "one call and two retries");
    server.stop().await;

    let (fake, server, client) = setup(Answer::Ok).await;
    fake.then([Answer::Status500]);
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "a retry after one 500 succeeds");
    assert_eq!(fake.calls(), 2);
    server.stop().await;
}

#[tokio::test]
async fn slow_steam_is_504_and_malformed_steam_is_502() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Slow { ms: 1_000 }).await;
    let mut config = config_for(&fake, &temp_db("slow"));
    config.upstream_timeout_ms = 150;
    config.upstream_retries = 1;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (504, "steam_timeout"));
    assert_eq!(fake.calls(), 2, "a timeout is retried once");
    server.stop().await;

    let (fake, server, client) = setup(Answer::Malformed).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (502, "steam_error"));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not the expected JSON"));
    assert_eq!(fake.calls(), 1, "a malformed answer is not retried");
    server.stop().await;
}

#[tokio::test]
async fn locally_rejectable_tickets_cost_no_upstream_call() {
    let (fake, server, client) = setup(Answer::Ok).await;
    let expired = ticket_with(PLAYER, |t| t.ownership.expires = now() - 10);
    let other_app = ticket_with(PLAYER, |t| t.ownership.app_id = 480);
    let mut forged = ticket_for(PLAYER);
    let last = forged.len() - 1;
    forged.replace_range(last.., if forged.ends_with('0') { "1" } else { "0" });
    let valve_v2 = "140000005B4216673D33130388D38A0001001001ADBA7257180000000100000002000000B72774620000000092E4120002000000B2000000320000000400000088D38A000100100152720400B72774625100006400000000AFBA72572F6A8E570100A39F000000000000B03C9B084359D0F9A72E6BB26702C96545AF0D137E33FA71F218C96D503CFDCF4D172DF6998F0D329F1991959BEB5C302DEF32DDC20A0BDE6C8A8E5D47C81BB45F517AE65FCE889A635A17CBDA966CE5C5324C00DDD71BB86989148B0D0AA2BFCF9E3C1C7EF870CAF6C98242D2A4E11AC185032F220460F19F83FDBA65AB16CB";
    let cases: Vec<(String, u16, &str, &str)> = vec![
        ("14000000zz".into(), 400, "malformed_ticket", "position 8"),
        ("1400000".into(), 400, "malformed_ticket", "odd number"),
        ("15000000aabb".into(), 400, "malformed_ticket", "14000000"),
        ("14".repeat(2600), 400, "malformed_ticket", "at most 5120"),
        (
            "14000000aabbccdd".into(),
            400,
            "malformed_ticket",
            "gc_token",
        ),
        (forged, 401, "ticket_rejected", "signature"),
        (other_app, 401, "ticket_rejected", "app 480"),
        (expired, 401, "ticket_rejected", "expired"),
        (valve_v2.into(), 401, "ticket_rejected", "not app 555440"),
    ];
    for (token, status, code, part) in cases {
        let (got, body, _) = post_token(&client, &server, &token).await;
        assert_eq!((got, error_code(&body)), (status, code), "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(part),
            "{body} lacks {part}"
        );
    }
    assert_eq!(fake.calls(), 0);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("steam_login_local_rejections_total{reason=\"bad_signature\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("steam_login_local_rejections_total{reason=\"expired\"} 1"));
    assert!(metrics.contains("steam_login_local_rejections_total{reason=\"wrong_app\"} 2"));
    assert!(metrics.contains("steam_login_upstream_calls_total{result=\"ok\"} 0"));
    server.stop().await;
}

#[tokio::test]
async fn request_forms_and_limits() {
    let (fake, server, client) = setup(Answer::Ok).await;
    // ?token= as the original backend accepts.
    let response = client
        .post(format!(
            "{}?token={}",
            server.login_url(),
            ticket_for(PLAYER)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for (body, code) in [
        ("", "missing_token"),
        ("{}", "missing_token"),
        ("{\"token\": 5}", "missing_token"),
        ("not json", "invalid_json"),
    ] {
        let response = client
            .post(server.login_url())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let json: Value = response.json().await.unwrap();
        assert_eq!(error_code(&json), code, "{body}");
    }
    let huge = json!({"token": "a".repeat(20_000)}).to_string();
    let response = client
        .post(server.login_url())
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413, "body limit");
    assert_eq!(fake.calls(), 1);
    server.stop().await;
}

#[tokio::test]
async fn same_steam_id_keeps_its_user_and_gets_new_tokens() {
    let (fake, server, client) = setup(Answer::OkFamily {
        owner: 76561198000000777,
    })
    .await;
    let (_, first, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let (_, second, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(first["userId"], second["userId"]);
    assert_ne!(first["token"], second["token"]);
    let (_, other, _) = post_token(&client, &server, &ticket_for(PLAYER + 1)).await;
    assert_ne!(other["userId"], first["userId"]);
    assert_eq!(fake.calls(), 3);
    server.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_first_logins_make_one_user() {
    let (_fake, server, client) = setup(Answer::Ok).await;
    let steam_id = PLAYER + 50;
    let logins = (0..50).map(|_| {
        let client = client.clone();
        let url = server.login_url();
        let token = ticket_for(steam_id);
        tokio::spawn(async move {
            let r = client
                .post(url)
                .json(&json!({"token": token}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["userId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
    });
    let mut ids = Vec::new();
    for handle in logins {
        ids.push(handle.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    server.stop().await;
}

#[tokio::test]
async fn restart_on_the_same_database_keeps_users_and_sessions() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let db = temp_db("restart");
    let client = reqwest::Client::new();
    let server = Server::start(config_for(&fake, &db)).await;
    let (_, before, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    server.stop().await;

    let server = Server::start(config_for(&fake, &db)).await;
    let (_, after, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(before["userId"], after["userId"]);
    let old_token = before["token"].as_str().unwrap();
    let response = client
        .get(format!("{}/api/v1/auth/session", server.base))
        .bearer_auth(old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["userId"], before["userId"]);
    assert_eq!(session["providerId"], PLAYER.to_string());
    assert_eq!(session["expire"], before["expire"]);
    server.stop().await;
}

#[tokio::test]
async fn sessions_can_be_validated_and_revoked() {
    let (_fake, server, client) = setup(Answer::Ok).await;
    let (_, login, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let token = login["token"].as_str().unwrap();
    let url = format!("{}/api/v1/auth/session", server.base);
    assert_eq!(
        client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .delete(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "session_revoked"
    );
    assert_eq!(
        client
            .delete(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let response = client.get(&url).bearer_auth("nope").send().await.unwrap();
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "invalid_session"
    );
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(error_code(&response.json().await.unwrap()), "missing_token");
    server.stop().await;
}

#[tokio::test]
async fn quota_guard_answers_503_without_calling_steam() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("quota"));
    config.daily_quota = 2;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    for _ in 0..2 {
        assert_eq!(
            post_token(&client, &server, &ticket_for(PLAYER)).await.0,
            200
        );
    }
    let (status, body, headers) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (503, "quota_exhausted"));
    let retry: u64 = headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry));
    assert_eq!(fake.calls(), 2);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("steam_login_quota_used_today 2"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "steam_login_requests_total{outcome=\"quota_exhausted\",app=\"555440\",ticket=\"auth\"} 1"
    ));
    server.stop().await;
}

#[tokio::test]
async fn rate_limit_per_client_ip() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("rate"));
    config.rate_limit = 0.5;
    config.rate_burst = 2;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    assert_eq!(
        post_token(&client, &server, &ticket_for(PLAYER)).await.0,
        200
    );
    assert_eq!(
        post_token(&client, &server, &ticket_for(PLAYER)).await.0,
        200
    );
    let (status, body, headers) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (429, "rate_limited"));
    assert!(headers.get("retry-after").is_some());
    assert_eq!(fake.calls(), 2);
    server.stop().await;
}

#[tokio::test]
async fn simulation_mode_accepts_simulated_tickets_without_steam() {
    capture_logs();
    let mut config = Config::with_database(temp_db("sim"));
    config.simulation = true;
    config.rate_limit = 0.0;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"]["providerId"], PLAYER.to_string());
    let health: Value = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health,
        json!({"status": "ok", "database": "sqlite", "simulation": true})
    );
    assert!(captured_logs().contains("SIMULATION MODE"));
    server.stop().await;
}

#[tokio::test]
async fn refuses_to_start_without_a_key_unless_simulation_is_asked_for() {
    let config = Config::with_database(temp_db("nokey"));
    let error = steam_login_server::AppState::new(config)
        .await
        .err()
        .expect("refused");
    let error = error.to_string();
    assert!(error.contains("STEAM_WEB_API_KEY"), "{error}");
    assert!(error.contains("--simulation"));
}

#[tokio::test]
async fn production_servers_do_not_trust_the_simulation_key() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("prod"));
    config.trusted_keys.clear();
    let server = Server::start(config).await;
    let (status, body, _) = post_token(&reqwest::Client::new(), &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (401, "ticket_rejected"));
    assert_eq!(fake.calls(), 0);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Slow { ms: 400 }).await;
    let server = Server::start(config_for(&fake, &temp_db("graceful"))).await;
    let client = reqwest::Client::new();
    let url = server.login_url();
    let token = ticket_for(PLAYER);
    let in_flight = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap()
            .status()
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    server.stop().await;
    assert_eq!(in_flight.await.unwrap(), 200);
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    // Exercise every path that logs, then look at everything logged by every test in this binary.
    for answer in [
        Answer::Html403,
        Answer::Status500,
        Answer::Malformed,
        Answer::Ok,
    ] {
        let (_fake, server, client) = setup(answer).await;
        let (_, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
        if let Some(token) = body["token"].as_str() {
            let url = format!("{}/api/v1/auth/session", server.base);
            client.get(&url).bearer_auth(token).send().await.unwrap();
            client.delete(&url).bearer_auth(token).send().await.unwrap();
            assert!(
                !captured_logs().contains(token),
                "a session token was logged"
            );
        }
        server.stop().await;
    }
    let logs = captured_logs();
    assert!(
        !logs.is_empty(),
        "the servers logged nothing: the check would prove nothing"
    );
    assert!(!logs.contains(KEY), "the Web API key was logged");
    let longest_hex_run = logs
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_hex_run < 64,
        "a ticket-sized hex string was logged ({longest_hex_run} digits)"
    );
}

#[tokio::test]
async fn a_session_ttl_other_than_the_default_is_honoured() {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let client = reqwest::Client::new();
    let mut config = config_for(&fake, &temp_db("ttl"));
    config.session_ttl = 3_600;
    let server = Server::start(config).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "{body}");
    let generated = body["generated"].as_i64().unwrap();
    assert_eq!(body["expire"].as_i64().unwrap(), generated + 3_600);
    server.stop().await;

    let mut config = config_for(&fake, &temp_db("ttl-short"));
    config.session_ttl = 1;
    let server = Server::start(config).await;
    let (_, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let url = format!("{}/api/v1/auth/session", server.base);
    let token = body["token"].as_str().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "session_expired"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let (_fake, server, client) = setup(Answer::Ok).await;
    let (_, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let token = body["token"].as_str().unwrap();
    let url = format!("{}/api/v1/auth/session", server.base);
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = client
            .get(&url)
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let response = client
        .get(&url)
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "another scheme");
    server.stop().await;
}

#[tokio::test]
async fn only_the_ticket_s_declared_length_is_forwarded_to_steam() {
    let (fake, server, client) = setup(Answer::Ok).await;
    let ticket = ticket_for(PLAYER);
    let padded = format!("{ticket}{}", "00".repeat(300));
    let (status, body, _) = post_token(&client, &server, &padded).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fake.calls(), 1);
    let query = fake.state.last_query.lock().unwrap().clone();
    let sent = query
        .iter()
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(sent, ticket);
    server.stop().await;
}

#[tokio::test]
async fn a_crash_loses_at_most_flush_at_calls_of_the_quota_count() {
    use std::process::{Command, Stdio};
    use steam_login_server::quota::{day_label, FLUSH_AT};
    let unix_now = || u64::from(steam_ticket::fixtures::now());
    let fake = FakeSteam::start(Answer::Ok).await;
    let db = temp_db("crash-quota");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let trust = simulation_public_key();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--database", &db])
        .args(["--web-api-key", KEY, "--steam-api-base", &fake.base])
        .args(["--trust-key", trust.to_str().unwrap(), "--rate-limit", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let url = format!("{base}/api/v1/auth/provider/steam/login");
    let logins = (0..8).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            for _ in 0..40 {
                let response = client
                    .post(&url)
                    .json(&json!({"token": ticket_for(PLAYER)}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
            }
        })
    });
    for login in logins.collect::<Vec<_>>() {
        login.await.unwrap();
    }
    child.kill().unwrap(); // SIGKILL: no flush at exit.
    child.wait().unwrap();
    let store = steam_login_server::store::open(&db).await.unwrap();
    let persisted = store
        .add_quota(&day_label(unix_now() / 86_400), 0)
        .await
        .unwrap();
    let called = fake.calls() as u64;
    assert_eq!(called, 320);
    assert!(
        called - persisted <= FLUSH_AT,
        "{called} calls made, {persisted} persisted"
    );
}
