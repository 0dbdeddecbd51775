//! Two server processes on one PostgreSQL behave as one deployment: users, sessions, revocations and
//! the daily quota are shared. Needs PostgreSQL: scripts/test.sh runs this under
//! scripts/lib/with-postgres.sh, each test on a database of its own.

use crate::support::*;
use serde_json::Value;

const PLAYER: u64 = 76561198000001111;

/// Two instances against `fake` on one database.
async fn two_instances(fake: &FakeSteam, database: &str, extra: &[&str]) -> [ServerProcess; 2] {
    let trust = simulation_public_key();
    let mut args = vec![
        "--database",
        database,
        "--web-api-key",
        KEY,
        "--steam-api-base",
        &fake.base,
        "--trust-key",
        trust.to_str().unwrap(),
        "--rate-limit",
        "0",
    ];
    args.extend_from_slice(extra);
    let a = ServerProcess::spawn(&args, None).await;
    let b = ServerProcess::spawn(&args, None).await;
    [a, b]
}

async fn login_on(client: &reqwest::Client, base: &str, steam_id: u64) -> (u16, Value) {
    let response = client
        .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
        .json(&serde_json::json!({"token": ticket_for(steam_id)}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn session_url(server: &ServerProcess) -> String {
    format!("{}{}", server.base, steam_login_protocol::SESSION_PATH)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn sessions_users_and_revocations_are_shared() {
    let fake = FakeSteam::start(Answer::Ok).await;
    let database = fresh_database().await;
    let [a, b] = two_instances(&fake, &database, &[]).await;
    let client = reqwest::Client::new();

    let (status, login) = login_on(&client, &a.base, PLAYER).await;
    assert_eq!(status, 200, "{login} {}", a.log());
    let token = login["token"].as_str().unwrap();
    let on_b = client
        .get(session_url(&b))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200, "a session made on A is valid on B");
    let revoked = client
        .delete(session_url(&b))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let on_a = client
        .get(session_url(&a))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(on_a.status(), 401, "revoked on B, refused on A");

    // A refresh on B of a session made on A.
    let (_, login) = login_on(&client, &a.base, PLAYER).await;
    let refreshed = client
        .post(format!("{}{}", b.base, steam_login_protocol::REFRESH_PATH))
        .bearer_auth(login["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);

    // 50 concurrent first logins of one SteamID, spread over both: one user.
    let logins = spread_logins(&client, [&a, &b], 50, |_| PLAYER + 1).await;
    let mut users: Vec<&str> = logins
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["userId"].as_str().unwrap()
        })
        .collect();
    users.sort_unstable();
    users.dedup();
    assert_eq!(users.len(), 1, "{users:?}");
}

/// `n` concurrent logins, alternating between the instances; login `i` is for `steam_id(i)`.
async fn spread_logins(
    client: &reqwest::Client,
    instances: [&ServerProcess; 2],
    n: u64,
    steam_id: fn(u64) -> u64,
) -> Vec<(u16, Value)> {
    let logins: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            let base = instances[(i % 2) as usize].base.clone();
            tokio::spawn(async move { login_on(&client, &base, steam_id(i)).await })
        })
        .collect();
    let mut results = Vec::new();
    for login in logins {
        results.push(login.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn a_quota_of_ten_over_two_instances_allows_exactly_ten_steam_calls() {
    let fake = FakeSteam::start(Answer::Ok).await;
    let database = fresh_database().await;
    let [a, b] = two_instances(&fake, &database, &["--daily-quota", "10"]).await;
    let client = reqwest::Client::new();
    let mut ok = 0;
    let mut exhausted = 0;
    for (status, body) in spread_logins(&client, [&a, &b], 30, |i| PLAYER + i).await {
        match (status, body["error"]["code"].as_str()) {
            (200, _) => ok += 1,
            (503, Some("quota_exhausted")) => exhausted += 1,
            other => panic!("unexpected {other:?}: {body}"),
        }
    }
    assert_eq!((ok, exhausted), (10, 20));
    assert_eq!(fake.calls(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn a_ticket_used_on_one_instance_and_a_ban_hold_on_the_other() {
    let fake = FakeSteam::start(Answer::Ok).await;
    let database = fresh_database().await;
    let [a, b] = two_instances(&fake, &database, &[]).await;
    let client = reqwest::Client::new();
    let token = ticket_for(PLAYER);
    let post = |base: String, token: String| {
        let client = client.clone();
        async move {
            let response = client
                .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
                .json(&serde_json::json!({ "token": token }))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, _) = post(a.base.clone(), token.clone()).await;
    assert_eq!(status, 200);
    let calls = fake.calls();
    let (status, body) = post(b.base.clone(), token.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("ticket_reused")),
        "{body}"
    );
    assert_eq!(fake.calls(), calls, "no Steam call for the replay");

    // An operator's ban, written once, refuses the player on both instances.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
        .args([
            "admin",
            "--database",
            &database,
            "ban",
            &PLAYER.to_string(),
            "--reason",
            "cheating",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Each instance reads the bans every second.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    for server in [&a, &b] {
        let (status, body) = login_on(&client, &server.base, PLAYER).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("banned")),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn an_encrypted_ticket_s_nonce_logs_in_once_across_instances() {
    use crate::encrypted::{encrypted_ticket, nonce, post_encrypted, ticket_key, TICKET_KEY_HEX};
    let fake = FakeSteam::start(Answer::Ok).await;
    let database = fresh_database().await;
    let key = format!("{APP}={TICKET_KEY_HEX}");
    let [a, b] = two_instances(&fake, &database, &["--encrypted-ticket-key", &key]).await;
    let client = reqwest::Client::new();

    // A nonce from one instance is good on the other: they derive the same nonce key.
    let from_a = nonce(&client, &a.base).await;
    let ticket = encrypted_ticket(&from_a, PLAYER, 0, 0, 0, ticket_key());
    let (status, body) = post_encrypted(&client, &b.base, &ticket).await;
    assert_eq!(status, 200, "{body} {}", b.log());
    let (status, body) = post_encrypted(&client, &a.base, &ticket).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("nonce_reused")),
        "the use claimed on B refuses it on A"
    );
    // Concurrent logins with one nonce, over both: one session.
    let shared = nonce(&client, &b.base).await;
    let requests = (0..10).map(|i| {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let ticket = encrypted_ticket(&shared, PLAYER, 0, 0, 0, ticket_key());
        client
            .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
            .json(&serde_json::json!({ "encryptedTicket": ticket }))
    });
    let mut statuses = statuses_at_once(requests).await;
    statuses.sort();
    assert_eq!(statuses, [200, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    assert_eq!(fake.calls(), 0);
}
