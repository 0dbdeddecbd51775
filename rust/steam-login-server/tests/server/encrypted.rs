//! Logins with encrypted app tickets: a nonce, a ticket holding it, a session, and no Steam call;
//! each refusal with its own code; the key never in a log.

use serde_json::{json, Value};
use steam_login_server::Config;
use steam_ticket::encrypted::{
    mint_encrypted, EncryptedAppTicket, FLAG_LICENSE_BORROWED, TICKET_VERSION,
};
use steam_ticket::Ownership;

use crate::support::*;

const PLAYER: u64 = 76561198000007777;
/// The app's key, as the partner site shows it; never in a log.
pub const TICKET_KEY_HEX: &str = "C0FFEE00112233445566778899AABBCCDDEEFF00112233445566778899AABBCC";

pub fn ticket_key() -> [u8; 32] {
    steam_ticket::hex::decode(TICKET_KEY_HEX)
        .unwrap()
        .try_into()
        .unwrap()
}

/// An encrypted app ticket for `steam_id` holding `data`, issued `age` seconds ago, under `key`.
pub fn encrypted_ticket(
    data: &str,
    steam_id: u64,
    age: u32,
    flags: u32,
    vac: u16,
    key: [u8; 32],
) -> String {
    let issued = now() - age;
    let ticket = EncryptedAppTicket {
        version: TICKET_VERSION,
        user_data: data.as_bytes().to_vec(),
        ownership: Ownership {
            version: 4,
            steam_id,
            app_id: APP,
            external_ip: [127, 0, 0, 1].into(),
            internal_ip: [127, 0, 0, 1].into(),
            flags,
            issued,
            expires: issued + 21 * 86_400,
            licenses: vec![0],
            dlc: Vec::new(),
        },
        vac_banned: vac,
        ownership_tail: Vec::new(),
        layout: steam_ticket::encrypted::Layout::Salted,
        app_defined_value: None,
    };
    steam_ticket::hex::encode(&mint_encrypted(&ticket, &key, [now() as u8; 16], [7; 8]))
}

async fn setup(configure: impl FnOnce(&mut Config)) -> (FakeSteam, Server, reqwest::Client) {
    capture_logs();
    let fake = FakeSteam::start(Answer::Ok).await;
    let mut config = config_for(&fake, &temp_db("encrypted"));
    config.encrypted_ticket_keys = vec![format!("{APP}={TICKET_KEY_HEX}").parse().unwrap()];
    configure(&mut config);
    let server = Server::start(config).await;
    (fake, server, reqwest::Client::new())
}

pub async fn nonce_from(client: &reqwest::Client, base: &str) -> (u16, Value) {
    let response = client
        .post(format!("{base}{}", steam_login_protocol::NONCE_PATH))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn nonce(client: &reqwest::Client, base: &str) -> String {
    let (status, body) = nonce_from(client, base).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 60);
    body["nonce"].as_str().unwrap().to_owned()
}

pub async fn post_encrypted(client: &reqwest::Client, base: &str, hex: &str) -> (u16, Value) {
    let response = client
        .post(format!("{base}{}", steam_login_protocol::LOGIN_PATH))
        .json(&json!({ "encryptedTicket": hex }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_login_with_an_encrypted_ticket_calls_no_steam_and_works_once() {
    let (fake, server, client) = setup(|_| {}).await;
    let first = nonce(&client, &server.base).await;
    let hex = encrypted_ticket(&first, PLAYER, 2, 0, 0, ticket_key());
    let (status, body) = post_encrypted(&client, &server.base, &hex).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["provider"]["providerId"], PLAYER.to_string());
    assert!(body["token"].as_str().is_some());

    let (status, again) = post_encrypted(&client, &server.base, &hex).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (401, Some("nonce_reused"))
    );
    let other_ticket = encrypted_ticket(&first, PLAYER, 0, 0, 0, ticket_key());
    let (status, again) = post_encrypted(&client, &server.base, &other_ticket).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (401, Some("nonce_reused")),
        "a new ticket cannot reuse a nonce"
    );

    // The query form, as `token` has.
    let fresh = encrypted_ticket(
        &nonce(&client, &server.base).await,
        PLAYER,
        0,
        0,
        0,
        ticket_key(),
    );
    let status = client
        .post(format!("{}?encryptedTicket={fresh}", server.login_url()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);

    assert_eq!(fake.calls(), 0, "no Web API call for encrypted tickets");
    let metrics = server.metrics().await;
    assert!(
        metrics.contains(
            "steam_login_requests_total{outcome=\"ok\",app=\"555440\",ticket=\"encrypted\"} 2"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "steam_login_requests_total{outcome=\"ticket_reused\",app=\"555440\",ticket=\"encrypted\"} 2"
    ));
    assert!(metrics.contains("steam_login_upstream_calls_total{result=\"ok\"} 0"));
    assert!(
        !captured_logs().to_uppercase().contains(TICKET_KEY_HEX),
        "the key reached a log"
    );
}

#[tokio::test]
async fn each_refusal_of_an_encrypted_ticket_says_why() {
    let (fake, server, client) = setup(|c| {
        c.family_sharing = steam_login_server::config::Policy::Deny;
        c.vac_banned = steam_login_server::config::Policy::Deny;
    })
    .await;
    let base = &server.base;
    let code = |(status, body): (u16, Value)| {
        (
            status,
            body["error"]["code"].as_str().unwrap_or("").to_owned(),
        )
    };
    let fresh = || async { nonce(&client, base).await };

    let stale = encrypted_ticket(&fresh().await, PLAYER, 120, 0, 0, ticket_key());
    assert_eq!(
        code(post_encrypted(&client, base, &stale).await),
        (401, "stale_ticket".into())
    );
    let not_a_nonce = encrypted_ticket("hello", PLAYER, 0, 0, 0, ticket_key());
    assert_eq!(
        code(post_encrypted(&client, base, &not_a_nonce).await),
        (401, "invalid_nonce".into())
    );
    let other_key = encrypted_ticket(&fresh().await, PLAYER, 0, 0, 0, [1; 32]);
    assert_eq!(
        code(post_encrypted(&client, base, &other_key).await),
        (401, "unknown_ticket_key".into())
    );
    assert_eq!(
        code(post_encrypted(&client, base, "0801zz").await),
        (400, "malformed_ticket".into())
    );
    let lent = encrypted_ticket(
        &fresh().await,
        PLAYER,
        0,
        FLAG_LICENSE_BORROWED,
        0,
        ticket_key(),
    );
    assert_eq!(
        code(post_encrypted(&client, base, &lent).await),
        (403, "family_shared".into())
    );
    let vac = encrypted_ticket(&fresh().await, PLAYER, 0, 0, 1, ticket_key());
    assert_eq!(
        code(post_encrypted(&client, base, &vac).await),
        (403, "vac_banned".into())
    );
    let both = client
        .post(server.login_url())
        .json(&json!({"token": ticket_for(PLAYER), "encryptedTicket": "08"}))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
    assert_eq!(fake.calls(), 0);
}

#[tokio::test]
async fn a_server_without_keys_says_so_and_one_with_only_keys_starts() {
    let (_, server, client) = setup(|c| c.encrypted_ticket_keys.clear()).await;
    let (status, body) = nonce_from(&client, &server.base).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("encrypted_tickets_off"))
    );
    let hex = encrypted_ticket("x", PLAYER, 0, 0, 0, ticket_key());
    let (status, body) = post_encrypted(&client, &server.base, &hex).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("encrypted_tickets_off"))
    );

    // No Web API key, no simulation: encrypted tickets only.
    let mut config = Config::with_database(temp_db("encrypted-only"));
    config.rate_limit = 0.0;
    config.trusted_keys = vec![simulation_public_key()];
    config.encrypted_ticket_keys = vec![format!("{APP}={TICKET_KEY_HEX}").parse().unwrap()];
    let only = Server::start(config).await;
    let hex = encrypted_ticket(
        &nonce(&client, &only.base).await,
        PLAYER,
        0,
        0,
        0,
        ticket_key(),
    );
    assert_eq!(post_encrypted(&client, &only.base, &hex).await.0, 200);
    let (status, body, _) = post_token(&client, &only, &ticket_for(PLAYER)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("steam_unavailable"))
    );
}

#[tokio::test]
async fn keys_come_from_a_file_and_a_bad_one_is_named_without_its_digits() {
    let dir = std::env::temp_dir().join(format!("encrypted-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("keys");
    std::fs::write(&file, format!("# the game\n{APP}={TICKET_KEY_HEX}\n")).unwrap();
    let mut config = Config::with_database(temp_db("encrypted-file"));
    config.rate_limit = 0.0;
    config.encrypted_ticket_key_file = Some(file.clone());
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let hex = encrypted_ticket(
        &nonce(&client, &server.base).await,
        PLAYER,
        0,
        0,
        0,
        ticket_key(),
    );
    assert_eq!(post_encrypted(&client, &server.base, &hex).await.0, 200);

    std::fs::write(&file, format!("{APP}={}\n", &TICKET_KEY_HEX[..60])).unwrap();
    let mut config = Config::with_database(temp_db("encrypted-bad"));
    config.encrypted_ticket_key_file = Some(file.clone());
    let error = steam_login_server::AppState::new(config)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("line 1") && error.contains("64 hex digits"),
        "{error}"
    );
    assert!(!error.contains(&TICKET_KEY_HEX[..16]), "{error}");

    let mut config = Config::with_database(temp_db("encrypted-app"));
    config.encrypted_ticket_keys = vec![format!("480={TICKET_KEY_HEX}").parse().unwrap()];
    let error = steam_login_server::AppState::new(config)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("app 480 is not one of --app-id"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}
