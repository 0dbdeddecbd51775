//! The operator's verdict policy: VAC bans, Family Sharing and ownership, each with its 403 code,
//! its count in `/metrics` and the Web API calls it costs.

use crate::support::*;
use steam_login_server::config::Policy;
use steam_login_server::Config;

const PLAYER: u64 = 76561198000000789;
const LENDER: u64 = 76561198000000790;

async fn setup(answer: Answer, configure: impl FnOnce(&mut Config)) -> (FakeSteam, Server) {
    capture_logs();
    let fake = FakeSteam::start(answer).await;
    let mut config = config_for(&fake, &temp_db("policy"));
    configure(&mut config);
    let server = Server::start(config).await;
    (fake, server)
}

fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn family_sharing_is_allowed_by_default_and_denied_on_request() {
    let client = reqwest::Client::new();
    let (fake, server) = setup(Answer::OkFamily { owner: LENDER }, |_| {}).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "{body}");
    assert!(server.metrics().await.contains(
        "steam_login_policy_decisions_total{check=\"family_sharing\",decision=\"allowed\"} 1"
    ));
    assert_eq!(fake.calls(), 1);
    server.stop().await;

    let (fake, server) = setup(Answer::OkFamily { owner: LENDER }, |c| {
        c.family_sharing = Policy::Deny
    })
    .await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, code(&body)), (403, "family_shared"), "{body}");
    let metrics = server.metrics().await;
    assert!(metrics.contains(
        "steam_login_policy_decisions_total{check=\"family_sharing\",decision=\"denied\"} 1"
    ));
    assert!(metrics.contains(
        "steam_login_requests_total{outcome=\"denied\",app=\"555440\",ticket=\"auth\"} 1"
    ));
    assert_eq!(fake.calls(), 1);
    // A player playing their own copy is not affected.
    fake.then([Answer::Ok]);
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn ownership_is_checked_only_when_asked_and_costs_a_call() {
    let client = reqwest::Client::new();
    let (fake, server) = setup(Answer::Ok, |_| {}).await;
    fake.disown(PLAYER);
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "not checked without --check-ownership");
    assert_eq!((fake.calls(), fake.ownership_calls()), (1, 0));
    server.stop().await;

    let (fake, server) = setup(Answer::Ok, |c| c.check_ownership = true).await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((fake.calls(), fake.ownership_calls()), (2, 1));
    fake.disown(PLAYER);
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, code(&body)), (403, "not_owner"), "{body}");
    assert_eq!((fake.calls(), fake.ownership_calls()), (4, 2));
    assert_eq!(
        fake.state
            .last_query
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == "ticket")
            .map(|_| ()),
        Some(()),
        "the last AuthenticateUserTicket call had the ticket"
    );
    assert_eq!(fake.state.last_key.lock().unwrap().as_deref(), Some(KEY));
    let metrics = server.metrics().await;
    assert!(metrics.contains(
        "steam_login_policy_decisions_total{check=\"ownership\",decision=\"allowed\"} 1"
    ));
    assert!(metrics
        .contains("steam_login_policy_decisions_total{check=\"ownership\",decision=\"denied\"} 1"));
    assert!(
        metrics.contains("steam_login_quota_used_today 4"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_ownership_call_is_taken_from_the_quota() {
    let client = reqwest::Client::new();
    let (fake, server) = setup(Answer::Ok, |c| {
        c.check_ownership = true;
        c.daily_quota = 1;
    })
    .await;
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, code(&body)), (503, "quota_exhausted"), "{body}");
    assert_eq!((fake.calls(), fake.ownership_calls()), (1, 0));
    server.stop().await;
}

#[tokio::test]
async fn vac_and_publisher_bans_are_counted_decisions() {
    let client = reqwest::Client::new();
    let (fake, server) = setup(Answer::OkVacBanned, |_| {}).await;
    let (status, _, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!(status, 200);
    fake.then([Answer::OkPublisherBanned]);
    let (status, body, _) = post_token(&client, &server, &ticket_for(PLAYER)).await;
    assert_eq!((status, code(&body)), (403, "publisher_banned"));
    let metrics = server.metrics().await;
    assert!(metrics
        .contains("steam_login_policy_decisions_total{check=\"vac_ban\",decision=\"allowed\"} 1"));
    assert!(metrics.contains(
        "steam_login_policy_decisions_total{check=\"publisher_ban\",decision=\"denied\"} 1"
    ));
    server.stop().await;
}
