//! The steamworks backends (the real `steamworks` crate over Valve's flat API) against the flat-API
//! test double loaded in place of Valve's library. Ignored by a plain `cargo test`, where Valve's
//! library is loaded and no Steam client runs; `scripts/test-steam-double.sh` runs them with the
//! double as `libsteam_api.so`, and `scripts/test-windows.sh` under Wine with it as
//! `steam_api64.dll` beside the test executable.
//!
//! One test, in order: Steam's state is one per process.

use std::time::{Duration, Instant};

use steam_auth_core::codes::{BeginAuthResult, ServerMode};
use steam_auth_core::{
    AuthValidator, BackendKind, GameServerBackend, Identity, ServerConfig, ServerEvent,
    SteamBackend, SteamEvent, SteamworksBackend, SteamworksGameServer, TicketVerdict,
};

/// Runs `poll` until it yields a value, for at most two seconds.
fn wait_for<T>(what: &str, mut poll: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if let Some(value) = poll() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
#[ignore = "needs the flat-API test double as the Steam API library (scripts/test-steam-double.sh, scripts/test-windows.sh)"]
fn client_and_game_server_over_the_flat_api_double() {
    // 1. No app id passed: Steam's own lookup, steam_appid.txt in the working directory (on Windows
    //    a Windows path).
    std::env::remove_var("SteamAppId");
    std::env::remove_var("SteamGameId");
    let dir = std::env::temp_dir().join(format!("steamworks-double-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("steam_appid.txt"), "480\n").unwrap();
    let previous = std::env::current_dir().unwrap();
    std::env::set_current_dir(&dir).unwrap();
    let from_file =
        SteamworksBackend::init(None).expect("init with steam_appid.txt in the working directory");
    assert_eq!(from_file.app_id(), 480, "the app id from {}", dir.display());
    drop(from_file);
    std::env::set_current_dir(previous).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    // 2. The client: a ticket, its callback, and a session begun on it.
    let mut client = SteamworksBackend::init(Some(480)).expect("init over the double");
    assert_eq!(client.kind(), BackendKind::Steam);
    assert_eq!(client.app_id(), 480);
    assert!(client.logged_on());
    let steam_id = client.steam_id();
    assert_ne!(steam_id, 0);
    let issued = client.get_auth_session_ticket(&Identity::None);
    assert_ne!(issued.handle, 0);
    assert!(
        issued.bytes.len() > 50,
        "a ticket of {} bytes",
        issued.bytes.len()
    );
    let mut events = Vec::new();
    wait_for("the ticket's callback", || {
        client.run_callbacks(&mut events);
        events.iter().find_map(|e| match e {
            SteamEvent::AuthSessionTicket { handle, result } if *handle == issued.handle => {
                Some(*result)
            }
            _ => None,
        })
    });
    assert_eq!(
        client.begin_auth_session(&issued.bytes, steam_id),
        BeginAuthResult::Ok
    );
    assert_eq!(
        client.begin_auth_session(&issued.bytes, steam_id),
        BeginAuthResult::DuplicateRequest
    );
    assert_eq!(
        client.begin_auth_session(&issued.bytes[..20], steam_id),
        BeginAuthResult::InvalidTicket
    );
    let response = wait_for("the client's validation", || {
        client.run_callbacks(&mut events);
        events.iter().find_map(|e| match e {
            SteamEvent::ValidateAuthTicket(TicketVerdict {
                steam_id: id,
                response,
                ..
            }) if *id == steam_id => Some(*response),
            _ => None,
        })
    });
    assert_eq!(response, 0, "AUTH_SESSION_RESPONSE_OK");
    assert!(client.end_auth_session(steam_id));

    // 3. A game server validating the same player's next ticket.
    let mut server = SteamworksGameServer::init(&ServerConfig {
        app_id: 480,
        ip: std::net::Ipv4Addr::LOCALHOST,
        game_port: 27015,
        query_port: 27016,
        mode: ServerMode::Authentication,
        version: "1.0.0".into(),
    })
    .expect("game server init over the double");
    server.log_on_anonymous();
    let mut server_events = Vec::new();
    wait_for("the server's log-on", || {
        server.run_callbacks(&mut server_events);
        server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::Connected))
            .then_some(())
    });
    assert!(server.logged_on());
    assert_ne!(server.steam_id(), 0);
    let for_server = client.get_auth_session_ticket(&Identity::None);
    assert_eq!(
        server.begin_auth_session(&for_server.bytes, steam_id),
        BeginAuthResult::Ok
    );
    let response = wait_for("the server's validation", || {
        server.run_callbacks(&mut server_events);
        server_events.iter().find_map(|e| match e {
            ServerEvent::ValidateAuthTicket(TicketVerdict {
                steam_id: id,
                response,
                ..
            }) if *id == steam_id => Some(*response),
            _ => None,
        })
    });
    assert_eq!(response, 0, "AUTH_SESSION_RESPONSE_OK");
    assert!(server.end_auth_session(steam_id));
    server.log_off();
}
