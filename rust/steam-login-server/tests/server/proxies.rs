//! Behind a trusted proxy each player is a client of their own for the rate limit; a forged
//! `X-Forwarded-For` from a peer that is not trusted buys nothing. Clients bind distinct loopback
//! addresses (127.0.0.0/8), as players behind one proxy have distinct addresses.

use std::net::{IpAddr, Ipv4Addr};

use crate::support::*;

const FORWARDED_FOR: &str = "x-forwarded-for";

fn client_from(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last_octet)))
        .build()
        .unwrap()
}

fn limited_config(db: &str) -> steam_login_server::Config {
    let mut config = steam_login_server::Config::with_database(db);
    config.simulation = true;
    // One login every 10 s after a burst of 3: nothing refills while a test runs.
    config.rate_limit = 0.1;
    config.rate_burst = 3;
    // The test's "proxy" is 127.0.0.1; 127.0.0.2 and above are players connecting directly.
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config
}

async fn login_as(
    client: &reqwest::Client,
    server: &Server,
    steam_id: u64,
    forwarded_for: Option<&str>,
) -> u16 {
    let mut request = client
        .post(server.login_url())
        .json(&serde_json::json!({ "token": ticket_for(steam_id) }));
    if let Some(chain) = forwarded_for {
        request = request.header(FORWARDED_FOR, chain);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn players_behind_a_trusted_proxy_are_limited_one_by_one() {
    capture_logs();
    let server = Server::start(limited_config(&temp_db("proxies"))).await;
    let proxy = client_from(1);

    // 40 players at once through the proxy: each is a client of their own, all get in.
    let mut statuses = Vec::new();
    for player in 0..40u64 {
        let chain = format!("198.51.100.{}", player + 10);
        statuses.push(login_as(&proxy, &server, 76561198000200000 + player, Some(&chain)).await);
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    // One player floods: after the burst, that player alone is limited...
    let flood: Vec<u16> = flood_statuses(&proxy, &server, "203.0.113.66", 10).await;
    assert_eq!(flood.iter().filter(|s| **s == 200).count(), 3, "{flood:?}");
    assert_eq!(flood.iter().filter(|s| **s == 429).count(), 7, "{flood:?}");
    // ...even when it forges entries left of what the proxy appended...
    let forged = login_as(
        &proxy,
        &server,
        76561198000299999,
        Some("1.2.3.4, 203.0.113.66"),
    )
    .await;
    assert_eq!(forged, 429);
    // ...while another player still gets in at that moment.
    assert_eq!(
        login_as(&proxy, &server, 76561198000299998, Some("198.51.100.200")).await,
        200
    );
    assert!(
        captured_logs().contains("client=203.0.113.66"),
        "the client's address is logged"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_buys_nothing() {
    let server = Server::start(limited_config(&temp_db("proxies-forged"))).await;
    let direct = client_from(23);
    let mut statuses = Vec::new();
    for n in 0..8u64 {
        // A fresh made-up address on every request, in both headers.
        let forged = format!("192.0.2.{}", n + 1);
        let status = direct
            .post(server.login_url())
            .header(FORWARDED_FOR, &forged)
            .header("forwarded", format!("for={forged}"))
            .json(&serde_json::json!({ "token": ticket_for(76561198000300000 + n) }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        5,
        "{statuses:?}"
    );
    // Another player connecting directly is not affected.
    assert_eq!(
        login_as(&client_from(24), &server, 76561198000300100, None).await,
        200
    );
    server.stop().await;
}

/// `count` logins of one player (as `chain`) through `proxy`, sent at once.
async fn flood_statuses(
    proxy: &reqwest::Client,
    server: &Server,
    chain: &str,
    count: u64,
) -> Vec<u16> {
    statuses_at_once((0..count).map(|n| {
        proxy
            .post(server.login_url())
            .header(FORWARDED_FOR, chain)
            .json(&serde_json::json!({ "token": ticket_for(76561198000290000 + n) }))
    }))
    .await
}
