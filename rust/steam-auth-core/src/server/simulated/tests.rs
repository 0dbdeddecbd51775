use super::*;
use crate::client::simulated::{MintOptions, SimulatedConfig, SimulatedSteam};
use crate::codes::{AuthSessionResponse, ServerMode};
use crate::{Identity, SteamBackend};
use steam_ticket::FixedClock;

const APP: u32 = 555440;
const PLAYER: u64 = 76561198000000042;
const NOW: u64 = 1_800_000_000;

fn server() -> SimulatedGameServer {
    SimulatedGameServer::with_clock(
        ServerConfig {
            app_id: APP,
            ip: std::net::Ipv4Addr::UNSPECIFIED,
            game_port: 27015,
            query_port: 27016,
            mode: ServerMode::Authentication,
            version: "1.0.0".into(),
        },
        Box::new(FixedClock(NOW)),
    )
}

/// A ticket as the player's own game (another process) would make it.
fn players_ticket(opts: impl FnOnce(&mut MintOptions)) -> Vec<u8> {
    let mut client =
        SimulatedSteam::with_clock(SimulatedConfig::new(PLAYER, APP), Box::new(FixedClock(NOW)));
    let mut options = MintOptions::session(PLAYER, APP);
    opts(&mut options);
    client.mint_ticket(&options)
}

fn pump(s: &mut SimulatedGameServer) -> Vec<ServerEvent> {
    let mut out = Vec::new();
    s.run_callbacks(&mut out);
    s.run_callbacks(&mut out);
    out
}

#[test]
fn anonymous_log_on_connects_a_pump_later_with_an_anonymous_server_id() {
    let mut s = server();
    assert!(!s.logged_on());
    s.log_on_anonymous();
    assert!(!s.logged_on(), "not inside the call");
    assert_eq!(pump(&mut s), vec![ServerEvent::Connected]);
    assert!(s.logged_on());
    assert_eq!(
        s.steam_id() >> 52,
        0x014,
        "universe 1, anonymous game server"
    );
    s.log_off();
    assert_eq!(pump(&mut s), vec![ServerEvent::Disconnected { result: 3 }]);
    assert_eq!((s.logged_on(), s.steam_id()), (false, 0));
}

#[test]
fn a_token_gives_a_stable_persistent_id_and_an_empty_one_is_denied() {
    let mut a = server();
    a.log_on("token-1");
    pump(&mut a);
    let mut b = server();
    b.log_on("token-1");
    pump(&mut b);
    assert_eq!(a.steam_id(), b.steam_id());
    assert_eq!(
        a.steam_id() >> 52,
        0x013,
        "universe 1, persistent game server"
    );
    let mut denied = server();
    denied.log_on(" ");
    assert_eq!(
        pump(&mut denied),
        vec![ServerEvent::ConnectFailure {
            result: 102,
            retrying: false
        }]
    );
    assert!(!denied.logged_on());
}

#[test]
fn players_tickets_from_another_process_are_checked_like_steam() {
    let mut s = server();
    s.log_on_anonymous();
    pump(&mut s);
    let good = players_ticket(|_| {});
    let forged = {
        let mut t = good.clone();
        let last = t.len() - 1;
        t[last] ^= 1;
        t
    };
    assert_eq!(
        s.begin_auth_session(&forged, PLAYER),
        BeginAuthResult::InvalidTicket
    );
    assert_eq!(
        s.begin_auth_session(&good, PLAYER + 1),
        BeginAuthResult::InvalidTicket,
        "someone else's ticket"
    );
    let other_app = players_ticket(|o| o.app_id = 480);
    assert_eq!(
        s.begin_auth_session(&other_app, PLAYER),
        BeginAuthResult::GameMismatch
    );
    let expired = players_ticket(|o| o.expires_in = -1);
    assert_eq!(
        s.begin_auth_session(&expired, PLAYER),
        BeginAuthResult::ExpiredTicket
    );
    let web_api = players_ticket(|o| o.ticket_type = steam_ticket::TicketType::WebApi);
    assert_eq!(
        s.begin_auth_session(&web_api, PLAYER),
        BeginAuthResult::InvalidTicket
    );

    assert_eq!(s.begin_auth_session(&good, PLAYER), BeginAuthResult::Ok);
    assert_eq!(
        s.begin_auth_session(&players_ticket(|_| {}), PLAYER),
        BeginAuthResult::DuplicateRequest,
        "a second instance of one SteamID"
    );
    assert_eq!(
        pump(&mut s),
        vec![ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PLAYER,
            response: AuthSessionResponse::Ok.code(),
            owner_steam_id: PLAYER,
        })]
    );
    assert_eq!(
        s.user_has_license_for_app(PLAYER, APP),
        LicenseResult::HasLicense
    );
    assert!(s.end_auth_session(PLAYER));
    assert!(!s.end_auth_session(PLAYER));
    assert_eq!(
        s.user_has_license_for_app(PLAYER, APP),
        LicenseResult::NoAuth
    );

    assert_eq!(s.begin_auth_session(&good, PLAYER), BeginAuthResult::Ok);
    assert_eq!(
        pump(&mut s),
        vec![ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PLAYER,
            response: AuthSessionResponse::AuthTicketInvalidAlreadyUsed.code(),
            owner_steam_id: PLAYER,
        })],
        "the same ticket after its session ended"
    );
}

#[test]
fn verdicts_wait_until_the_server_is_logged_on() {
    let mut s = server();
    assert_eq!(
        s.begin_auth_session(&players_ticket(|_| {}), PLAYER),
        BeginAuthResult::Ok
    );
    assert_eq!(pump(&mut s), vec![], "held while not logged on");
    s.log_on_anonymous();
    let events = pump(&mut s);
    assert_eq!(events.first(), Some(&ServerEvent::Connected));
    assert!(matches!(
        events.get(1),
        Some(ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PLAYER,
            response: 0,
            ..
        }))
    ));
}

#[test]
fn a_clients_own_session_ticket_validates_on_the_server() {
    let mut client = SimulatedSteam::with_clock(
        SimulatedConfig {
            owner_steam_id: Some(76561198000000099),
            ..SimulatedConfig::new(PLAYER, APP)
        },
        Box::new(FixedClock(NOW)),
    );
    let ticket = client.get_auth_session_ticket(&Identity::None);
    let mut s = server();
    s.log_on_anonymous();
    pump(&mut s);
    assert_eq!(
        s.begin_auth_session(&ticket.bytes, PLAYER),
        BeginAuthResult::Ok
    );
    assert_eq!(
        pump(&mut s),
        vec![ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PLAYER,
            response: 0,
            owner_steam_id: 76561198000000099,
        })],
        "Family Sharing: the owner is reported"
    );
}
