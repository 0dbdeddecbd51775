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
    assert_eq!(
        pump(&mut s),
        vec![
            ServerEvent::Connected,
            ServerEvent::PolicyResponse { secure: false }
        ],
        "not secure: the mode is Authentication, without VAC"
    );
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

fn secure_server() -> SimulatedGameServer {
    let mut config = server().config().clone();
    config.mode = ServerMode::AuthenticationAndSecure;
    SimulatedGameServer::with_clock(config, Box::new(FixedClock(NOW)))
}

#[test]
fn a_secure_mode_server_is_secure_once_logged_on_and_says_so_in_its_policy_response() {
    let mut s = secure_server();
    assert!(!s.secure(), "not before log-on");
    s.log_on_anonymous();
    let events = pump(&mut s);
    assert!(events.contains(&ServerEvent::PolicyResponse { secure: true }));
    assert!(s.secure());
    let mut plain = server();
    plain.log_on_anonymous();
    pump(&mut plain);
    assert!(!plain.secure(), "Authentication without VAC is not secure");
}

#[test]
fn the_public_ip_is_unknown_before_log_on_and_loopback_after() {
    let mut s = server();
    assert_eq!(s.public_ip(), PublicIp::Unknown);
    s.log_on_anonymous();
    pump(&mut s);
    assert_eq!(s.public_ip(), PublicIp::V4(std::net::Ipv4Addr::LOCALHOST));
    assert!(!s.was_restart_requested());
    assert_eq!(s.next_outgoing_packet(), None);
    assert!(!s.handle_incoming_packet(
        b"\xff\xff\xff\xffTSource Engine Query",
        std::net::Ipv4Addr::LOCALHOST,
        5000
    ));
}

#[test]
fn the_servers_own_ticket_is_accepted_by_a_clients_begin_auth_session() {
    let mut s = server();
    assert_eq!(
        s.auth_session_ticket(0).handle,
        0,
        "no SteamID to vouch for before log-on"
    );
    s.log_on_anonymous();
    pump(&mut s);
    let ticket = s.auth_session_ticket(PLAYER);
    assert_ne!(ticket.handle, 0);
    let mut client =
        SimulatedSteam::with_clock(SimulatedConfig::new(PLAYER, APP), Box::new(FixedClock(NOW)));
    assert_eq!(
        client.begin_auth_session(&ticket.bytes, s.steam_id()),
        BeginAuthResult::Ok
    );
    assert_eq!(
        client.begin_auth_session(&ticket.bytes, s.steam_id() + 1),
        BeginAuthResult::InvalidTicket,
        "the ticket names the server's SteamID and no other"
    );
    s.cancel_auth_ticket(ticket.handle);
}

#[test]
fn group_clan_and_compatibility_queries_answer_a_pump_later_and_need_a_log_on() {
    let mut s = server();
    assert!(!s.request_user_group_status(PLAYER, 103_582_791_429_521_408));
    s.associate_with_clan(103_582_791_429_521_408);
    s.compute_new_player_compatibility(PLAYER);
    let offline = pump(&mut s);
    assert_eq!(
        offline[0],
        ServerEvent::AssociateClan {
            result: eresult::NO_CONNECTION
        }
    );
    s.log_on_anonymous();
    pump(&mut s);
    assert!(s.request_user_group_status(PLAYER, 103_582_791_429_521_408));
    s.associate_with_clan(103_582_791_429_521_408);
    s.compute_new_player_compatibility(PLAYER);
    assert_eq!(
        pump(&mut s),
        vec![
            ServerEvent::ClientGroupStatus {
                steam_id: PLAYER,
                group_id: 103_582_791_429_521_408,
                member: false,
                officer: false
            },
            ServerEvent::AssociateClan {
                result: eresult::OK
            },
            ServerEvent::PlayerCompat(PlayerCompat {
                result: eresult::OK,
                players_that_dont_like_candidate: 0,
                players_that_candidate_doesnt_like: 0,
                clan_players_that_dont_like_candidate: 0,
                candidate_steam_id: PLAYER,
            }),
        ]
    );
}
