//! Sessions after a login: refresh without Steam, the session cookie, and the sweep of expired
//! sessions.

use std::time::Duration;

use crate::support::*;
use serde_json::Value;
use steam_login_server::Config;

const PLAYER: u64 = 76561198000000456;

async fn setup(configure: impl FnOnce(&mut Config)) -> (FakeSteam, Server, reqwest::Client) {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("sessions"));
    configure(&mut config);
    let server = Server::start(config).await;
    (fake, server, reqwest::Client::new())
}

fn refresh_url(server: &Server) -> String {
    format!("{}{}", server.base, steam_login_protocol::REFRESH_PATH)
}

fn session_url(server: &Server) -> String {
    format!("{}{}", server.base, steam_login_protocol::SESSION_PATH)
}

async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn refresh(client: &reqwest::Client, server: &Server, token: &str) -> (u16, Value) {
    status_and_json(
        client
            .post(refresh_url(server))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_refresh_renews_the_session_without_steam_and_revokes_the_old_token() {
    let (fake, server, client) = setup(|_| {}).await;
    let (_, login, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let old = login["token"].as_str().unwrap().to_owned();
    let (status, renewed) = refresh(&client, &server, &old).await;
    assert_eq!(status, 200, "{renewed}");
    // The login response's shape and meaning.
    let session = steam_login_protocol::Session::from_json(renewed.to_string().as_bytes()).unwrap();
    assert_eq!(session.user_id, login["userId"].as_str().unwrap());
    assert_eq!(session.provider.provider_id, PLAYER.to_string());
    assert_ne!(session.token, old);
    assert_eq!(session.expire, session.generated + 86_400);
    assert!((session.generated - now() as i64).abs() < 5);
    let mut keys: Vec<&String> = renewed.as_object().unwrap().keys().collect();
    let mut login_keys: Vec<&String> = login.as_object().unwrap().keys().collect();
    keys.sort();
    login_keys.sort();
    assert_eq!(keys, login_keys);

    let old_check = client
        .get(session_url(&server))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(old_check).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("session_revoked"))
    );
    let new_check = client
        .get(session_url(&server))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(new_check.status(), 200);
    assert_eq!(fake.calls(), 1, "only the login asked Steam");
    server.stop().await;
}

#[tokio::test]
async fn five_game_starts_a_day_cost_one_steam_call() {
    let (fake, server, client) = setup(|_| {}).await;
    let (_, login, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let mut token = login["token"].as_str().unwrap().to_owned();
    for _ in 0..4 {
        let (status, body) = refresh(&client, &server, &token).await;
        assert_eq!(status, 200, "{body}");
        token = body["token"].as_str().unwrap().to_owned();
    }
    assert_eq!(fake.calls(), 1);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("steam_login_session_refreshes_total{outcome=\"renewed\"} 4"),
        "{metrics}"
    );
    assert!(metrics
        .contains("steam_login_requests_total{outcome=\"ok\",app=\"555440\",ticket=\"auth\"} 1"));
    server.stop().await;
}

#[tokio::test]
async fn refusing_expired_revoked_and_unknown_sessions() {
    let (fake, server, client) = setup(|c| c.session_ttl = 1).await;
    let (_, expiring, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let (_, revoked, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let revoked = revoked["token"].as_str().unwrap();
    let deleted = client
        .delete(session_url(&server))
        .bearer_auth(revoked)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let cases = [
        (expiring["token"].as_str().unwrap(), "session_expired"),
        (revoked, "session_revoked"),
        ("not-a-session", "invalid_session"),
    ];
    for (token, code) in cases {
        let (status, body) = refresh(&client, &server, token).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some(code)),
            "{body}"
        );
    }
    let (status, body) =
        status_and_json(client.post(refresh_url(&server)).send().await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("missing_token"))
    );
    assert_eq!(fake.calls(), 2, "the two logins only");
    let metrics = server.metrics().await;
    for outcome in ["expired", "revoked", "invalid", "missing"] {
        let line = format!("steam_login_session_refreshes_total{{outcome=\"{outcome}\"}} 1");
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
    server.stop().await;
}

#[tokio::test]
async fn of_concurrent_refreshes_of_one_session_exactly_one_succeeds() {
    let (_fake, server, client) = setup(|_| {}).await;
    let (_, login, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let token = login["token"].as_str().unwrap().to_owned();
    let mut statuses =
        statuses_at_once((0..10).map(|_| client.post(refresh_url(&server)).bearer_auth(&token)))
            .await;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    server.stop().await;
}

/// `Set-Cookie`'s attributes, lowercased, after the `name=value` pair.
fn cookie_attributes(set_cookie: &str) -> (String, Vec<String>) {
    let mut parts = set_cookie.split(';').map(|p| p.trim().to_owned());
    let pair = parts.next().unwrap();
    let mut attributes: Vec<String> = parts.map(|p| p.to_ascii_lowercase()).collect();
    attributes.sort();
    (pair, attributes)
}

/// A login's `Set-Cookie` (if any) and body.
async fn login_with_cookie(client: &reqwest::Client, server: &Server) -> (Option<String>, Value) {
    let response = client
        .post(server.login_url())
        .json(&serde_json::json!({"token": ticket_for(PLAYER)}))
        .send()
        .await
        .unwrap();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    (set_cookie, response.json().await.unwrap())
}

#[tokio::test]
async fn the_session_cookie_is_set_and_accepted_where_bearer_is() {
    let (_fake, server, client) = setup(|c| {
        c.session_cookie = Some("bhvrSession".into());
        c.session_ttl = 3_600;
    })
    .await;
    let (set_cookie, body) = login_with_cookie(&client, &server).await;
    let token = body["token"].as_str().unwrap();
    let (pair, attributes) = cookie_attributes(&set_cookie.unwrap());
    assert_eq!(pair, format!("bhvrSession={token}"));
    assert_eq!(attributes, ["httponly", "max-age=3600", "path=/", "secure"]);

    let cookie = format!("theme=dark; bhvrSession={token}");
    let check = client
        .get(session_url(&server))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
    let renewed = client
        .post(refresh_url(&server))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(renewed.status(), 200);
    let set_cookie = renewed.headers()["set-cookie"].to_str().unwrap().to_owned();
    let body: Value = renewed.json().await.unwrap();
    let new_token = body["token"].as_str().unwrap();
    assert_eq!(
        cookie_attributes(&set_cookie).0,
        format!("bhvrSession={new_token}")
    );
    let revoke = client
        .delete(session_url(&server))
        .header("cookie", format!("bhvrSession={new_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    server.stop().await;
}

#[tokio::test]
async fn cookies_are_plain_http_only_when_asked_and_ignored_without_the_flag() {
    let (_fake, server, client) = setup(|c| {
        c.session_cookie = Some("sid".into());
        c.session_cookie_insecure = true;
    })
    .await;
    let (set_cookie, _) = login_with_cookie(&client, &server).await;
    assert_eq!(
        cookie_attributes(&set_cookie.unwrap()).1,
        ["httponly", "max-age=86400", "path=/"]
    );
    server.stop().await;

    let (_fake, server, client) = setup(|_| {}).await;
    let (set_cookie, body) = login_with_cookie(&client, &server).await;
    assert_eq!(set_cookie, None);
    let check = client
        .get(session_url(&server))
        .header("cookie", format!("sid={}", body["token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        check.status(),
        401,
        "no --session-cookie, no cookie sessions"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_sweep_deletes_expired_sessions() {
    let (_fake, server, client) = setup(|c| {
        c.session_ttl = 1;
        c.session_retention_secs = 0;
        c.session_sweep_secs = 1;
    })
    .await;
    let (_, login, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    let token = login["token"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    let check = client
        .get(session_url(&server))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(check).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_session")),
        "deleted, not merely expired"
    );
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("steam_login_sessions_swept_total 1"),
        "{metrics}"
    );
    server.stop().await;
}
