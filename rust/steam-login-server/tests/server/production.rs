//! What a live game's operator relies on: a ticket logs in once, bans and revocations from
//! `steam-login-server admin` take hold at once, friends who play are listed, several apps are
//! served, and the log is readable by people and log shippers.

use std::process::Command;
use std::time::Duration;

use crate::support::*;
use fake_steam_web_api::Friends;
use serde_json::Value;
use steam_login_server::config::{AppPolicy, Policy, PolicyCheck};

const PLAYER: u64 = 76561198000000555;
const FRIEND: u64 = 76561198000000556;
const STRANGER: u64 = 76561198000000557;
const PLAYTEST: u32 = 480;

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

/// How long a ban written by `admin` takes to reach a running server (it reads them every second).
const BANS_REACH_SERVERS: Duration = Duration::from_millis(1_200);

/// `steam-login-server admin --database db …`, as an operator runs it; its output.
fn admin(db: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
        .args(["admin", "--database", db])
        .args(args)
        .output()
        .expect("run the admin command");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_ticket_logs_in_once_and_its_replay_costs_no_steam_call() {
    let fake = FakeSteam::start(Answer::Ok).await;
    let server = Server::start(config_for(&fake, &temp_db("replay"))).await;
    let client = reqwest::Client::new();
    let token = ticket_for(PLAYER);
    let (status, first, _) = post_token(&client, &server, &token).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(fake.calls(), 1);
    for replay in [token.clone(), token.to_uppercase(), format!("{token}00")] {
        let (status, body, _) = post_token(&client, &server, &replay).await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "ticket_reused"),
            "{body}"
        );
    }
    assert_eq!(fake.calls(), 1, "replays are refused before Steam is asked");
    // A fresh ticket of the same player logs in.
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200);
    assert!(server.metrics().await.contains(
        "steam_login_requests_total{outcome=\"ticket_reused\",app=\"555440\",ticket=\"auth\"} 3"
    ));
    server.stop().await;
}

#[tokio::test]
async fn of_concurrent_logins_with_one_ticket_one_gets_a_session() {
    let fake = FakeSteam::start(Answer::Slow { ms: 100 }).await;
    let server = Server::start(config_for(&fake, &temp_db("replay-race"))).await;
    let client = reqwest::Client::new();
    let token = ticket_for(PLAYER);
    let tries = futures_join(&client, &server, &token, 8).await;
    let ok = tries.iter().filter(|(s, _)| *s == 200).count();
    let reused = tries
        .iter()
        .filter(|(s, b)| *s == 401 && error_code(b) == "ticket_reused")
        .count();
    assert_eq!((ok, reused), (1, 7), "{tries:?}");
    server.stop().await;
}

async fn futures_join(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    n: usize,
) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, url, token) = (client.clone(), server.login_url(), token.to_owned());
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .json(&serde_json::json!({ "token": token }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn an_operators_ban_refuses_logins_revokes_sessions_and_ends() {
    let fake = FakeSteam::start(Answer::Ok).await;
    let db = temp_db("bans");
    let server = Server::start(config_for(&fake, &db)).await;
    let client = reqwest::Client::new();
    let (_, session, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let session_check = || {
        client
            .get(format!("{}/api/v1/auth/session", server.base))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(session_check().await.unwrap().status(), 200);

    let said = admin(
        &db,
        &["ban", &PLAYER.to_string(), "--reason", "aimbot on 3 Dec"],
    );
    assert!(said.contains("1 live session(s) revoked"), "{said}");
    assert_eq!(
        session_check().await.unwrap().status(),
        401,
        "the session is revoked at once"
    );
    tokio::time::sleep(BANS_REACH_SERVERS).await;
    let calls = fake.calls();
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (403, "banned"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("aimbot on 3 Dec"),
        "{body}"
    );
    assert_eq!(fake.calls(), calls, "a banned player costs no Steam call");
    assert!(admin(&db, &["user", &PLAYER.to_string()]).contains("ban: "));

    admin(&db, &["unban", &PLAYER.to_string()]);
    tokio::time::sleep(BANS_REACH_SERVERS).await;
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "unbanned");

    // A ban for a while ends by itself.
    admin(
        &db,
        &[
            "ban",
            &PLAYER.to_string(),
            "--reason",
            "cool off",
            "--for",
            "3s",
        ],
    );
    tokio::time::sleep(BANS_REACH_SERVERS).await;
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 403);
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "the ban ended");

    // Revoking every session of a compromised account.
    let (_, second, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let said = admin(&db, &["revoke", &PLAYER.to_string()]);
    assert!(said.starts_with("revoked 2 live session(s)"), "{said}");
    let check = client
        .get(format!("{}/api/v1/auth/session", server.base))
        .bearer_auth(second["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 401);
    let user = admin(&db, &["user", &PLAYER.to_string()]);
    assert!(
        user.contains("ban: none") && user.contains("revoked"),
        "{user}"
    );
    assert!(admin(&db, &["quota"]).contains("Steam Web API call(s)"));

    // A ban past what a timestamp can write reads as ending in 9999 (it made the admin command and
    // the refused login panic).
    let said = admin(
        &db,
        &[
            "ban",
            &PLAYER.to_string(),
            "--reason",
            "for good",
            "--for",
            "100000years",
        ],
    );
    assert!(said.contains("until 9999-12-31T23:59:59Z"), "{said}");
    assert!(admin(&db, &["bans"]).contains("until 9999-12-31T23:59:59Z"));
    tokio::time::sleep(BANS_REACH_SERVERS).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, error_code(&body)), (403, "banned"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("9999-12-31"),
        "{body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn friends_who_play_are_listed_synced_once_a_day_and_never_block_a_login() {
    let fake = FakeSteam::start(Answer::Ok).await;
    fake.set_friends(PLAYER, Friends::List(vec![FRIEND, STRANGER]));
    let mut config = config_for(&fake, &temp_db("friends"));
    config.sync_friends = true;
    config.upstream_timeout_ms = 300;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    // The friend plays; the stranger never logged in.
    let (_, friend, _) = post_token(&client, &server, &ticket_for(FRIEND)).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["friends"],
        serde_json::json!([{"userId": friend["userId"], "providerName": "steam", "providerId": FRIEND.to_string()}])
    );
    assert_eq!(body["friendsFirstSync"]["steam"], true);
    let friend_calls = fake.friends_calls();
    assert_eq!(friend_calls, 2, "one sync per player's first login");
    // Within the interval: no new call, the stored list answers.
    let (_, again, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(again["friends"], body["friends"]);
    assert_eq!(fake.friends_calls(), friend_calls);

    // A private friend list is an empty one; Steam slow or failing never fails the login.
    fake.set_friends(STRANGER, Friends::Private);
    let (status, body, _) = post_token(&client, &server, &ticket_for(STRANGER)).await;
    assert_eq!(
        (status, body["friends"].clone()),
        (200, serde_json::json!([]))
    );
    assert_eq!(
        body["friendsFirstSync"]["steam"], true,
        "a private list is a sync"
    );
    const SLOW: u64 = 76561198000000558;
    const FAILING: u64 = 76561198000000559;
    fake.set_friends(
        SLOW,
        Friends::Slow {
            ms: 2_000,
            friends: vec![PLAYER],
        },
    );
    fake.set_friends(FAILING, Friends::Failing);
    for player in [SLOW, FAILING] {
        let started = std::time::Instant::now();
        let (status, body, _) = post_token(&client, &server, &ticket_for(player)).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < Duration::from_millis(1_500),
            "waited {:?}",
            started.elapsed()
        );
        assert_eq!(body["friends"], serde_json::json!([]));
        assert_eq!(body["friendsFirstSync"]["steam"], false, "no sync yet");
    }
    server.stop().await;
}

#[tokio::test]
async fn two_apps_each_with_its_policy_and_metrics() {
    let fake = FakeSteam::start(Answer::OkFamily { owner: STRANGER }).await;
    let mut config = config_for(&fake, &temp_db("apps"));
    config.app_id = vec![APP, PLAYTEST];
    config.family_sharing = Policy::Deny;
    config.app_policies = vec![AppPolicy {
        app_id: PLAYTEST,
        check: PolicyCheck::FamilySharing,
        policy: Policy::Allow,
    }];
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "family_shared"),
        "the game denies lent copies"
    );
    let playtest = ticket_with(PLAYER, |t| t.ownership.app_id = PLAYTEST);
    let (status, body, _) = post_token(&client, &server, &playtest).await;
    assert_eq!(status, 200, "the playtest allows them: {body}");
    assert!(
        fake.last_query()
            .iter()
            .any(|(k, v)| k == "appid" && v == "480"),
        "Steam was asked about the playtest's app"
    );
    let other = ticket_with(PLAYER, |t| t.ownership.app_id = 730);
    let (status, body, _) = post_token(&client, &server, &other).await;
    assert_eq!((status, error_code(&body)), (401, "ticket_rejected"));
    let metrics = server.metrics().await;
    assert!(
        metrics
            .contains("steam_login_requests_total{outcome=\"ok\",app=\"480\",ticket=\"auth\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "steam_login_requests_total{outcome=\"denied\",app=\"555440\",ticket=\"auth\"} 1"
    ));
    assert!(metrics.contains("steam_login_login_duration_seconds_count{app=\"480\"} 1"));
    server.stop().await;
}

#[tokio::test]
async fn logs_have_no_colour_when_piped_and_are_json_when_asked() {
    let db = temp_db("logs");
    let mut text = ServerProcess::spawn(&["--simulation", "--database", &db], None).await;
    text.terminate();
    text.exited_within(Duration::from_secs(5)).await;
    let log = text.log();
    assert!(log.contains("listening on"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escape codes in a file: {log:?}"
    );
    let db = temp_db("logs-json");
    let mut json = ServerProcess::spawn(
        &["--simulation", "--database", &db, "--log-format", "json"],
        None,
    )
    .await;
    let client = reqwest::Client::new();
    let token = ticket_for(PLAYER);
    let (status, _, _) = crate::production::post_raw(&client, &json.base, &token).await;
    assert_eq!(status, 200);
    let (status, _, _) = crate::production::post_raw(&client, &json.base, &token).await;
    assert_eq!(status, 401);
    json.terminate();
    json.exited_within(Duration::from_secs(5)).await;
    let log = json.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "login" && l["fields"]["steam_id"] == PLAYER),
        "{log}"
    );
    assert!(lines
        .iter()
        .all(|l| l["level"].is_string() && l["timestamp"].is_string()));
}

pub async fn post_raw(client: &reqwest::Client, base: &str, token: &str) -> (u16, Value, ()) {
    let response = client
        .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null), ())
}
