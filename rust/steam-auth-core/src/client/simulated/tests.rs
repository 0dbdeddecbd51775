use super::*;
use steam_ticket::{FixedClock, KeyRing};

const ME: u64 = DEFAULT_SIMULATED_STEAM_ID;
const PEER: u64 = 76561198000000042;
const APP: u32 = 555440;
const NOW: u64 = 1_800_000_000;

fn sim() -> SimulatedSteam {
    SimulatedSteam::with_clock(SimulatedConfig::new(ME, APP), Box::new(FixedClock(NOW)))
}

/// Pumps twice, as two frames would, and returns what was delivered.
fn pump(s: &mut SimulatedSteam) -> Vec<SteamEvent> {
    let mut out = Vec::new();
    s.run_callbacks(&mut out);
    s.run_callbacks(&mut out);
    out
}

#[test]
fn session_ticket_is_a_real_layout_ticket_for_the_user() {
    let mut s = sim();
    let t = s.get_auth_session_ticket(&Identity::None);
    assert_eq!(t.handle, 1);
    let d = decode(&t.bytes).unwrap();
    assert_eq!(d.ticket.steam_id, ME);
    assert_eq!(d.ticket.ownership.app_id, APP);
    assert_eq!(d.ticket.session.ticket_type, TicketType::Session);
    assert_eq!(u64::from(d.ticket.ownership.expires), NOW + 21 * 86_400);
    assert_eq!(KeyRing::with_simulation().verify(&d), Some("simulation"));
    assert_eq!(d.total_len, t.bytes.len(), "no padding after the ticket");
}

#[test]
fn callbacks_arrive_on_a_later_pump_never_inside_the_call() {
    let mut s = sim();
    let t = s.get_auth_session_ticket(&Identity::None);
    let mut out = Vec::new();
    s.run_callbacks(&mut out);
    assert!(out.is_empty(), "delivered by the very first pump: {out:?}");
    s.run_callbacks(&mut out);
    assert_eq!(
        out,
        vec![SteamEvent::AuthSessionTicket {
            handle: t.handle,
            result: eresult::OK
        }]
    );
    out.clear();
    s.run_callbacks(&mut out);
    assert!(out.is_empty(), "delivered twice");
}

#[test]
fn web_api_ticket_arrives_in_its_callback() {
    let mut s = sim();
    let handle = s.get_auth_ticket_for_web_api("my-backend");
    let events = pump(&mut s);
    let [SteamEvent::TicketForWebApi {
        handle: h,
        result,
        ticket,
    }] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!((*h, *result), (handle, eresult::OK));
    let d = decode(ticket).unwrap();
    assert_eq!(d.ticket.session.ticket_type, TicketType::WebApi);
    assert_eq!(d.total_len, ticket.len());
}

#[test]
fn begin_auth_session_ok_emits_validate_ok_with_owner() {
    let mut s = sim();
    let t = s.get_auth_session_ticket(&Identity::None);
    pump(&mut s);
    assert_eq!(s.begin_auth_session(&t.bytes, ME), BeginAuthResult::Ok);
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: ME,
            response: 0,
            owner_steam_id: ME
        })]
    );
    assert_eq!(
        s.user_has_license_for_app(ME, APP),
        LicenseResult::HasLicense
    );
    assert_eq!(
        s.user_has_license_for_app(ME, 480),
        LicenseResult::DoesNotHaveLicense
    );
    assert_eq!(s.user_has_license_for_app(PEER, APP), LicenseResult::NoAuth);
}

#[test]
fn begin_auth_session_reports_every_synchronous_result() {
    let mut s = sim();
    let good = s.mint_ticket(&MintOptions::session(PEER, APP));
    // 1: garbage, a forged signature, a SteamID mismatch and a web API ticket are all invalid.
    assert_eq!(
        s.begin_auth_session(&[1, 2, 3], PEER),
        BeginAuthResult::InvalidTicket
    );
    let mut forged = good.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(
        s.begin_auth_session(&forged, PEER),
        BeginAuthResult::InvalidTicket
    );
    assert_eq!(
        s.begin_auth_session(&good, ME),
        BeginAuthResult::InvalidTicket
    );
    let web = s.mint_ticket(&MintOptions {
        ticket_type: TicketType::WebApi,
        ..MintOptions::session(PEER, APP)
    });
    assert_eq!(
        s.begin_auth_session(&web, PEER),
        BeginAuthResult::InvalidTicket
    );
    // 3, 4, 5.
    let old = s.mint_ticket(&MintOptions {
        version: 3,
        ..MintOptions::session(PEER, APP)
    });
    assert_eq!(
        s.begin_auth_session(&old, PEER),
        BeginAuthResult::InvalidVersion
    );
    let other_app = s.mint_ticket(&MintOptions::session(PEER, 480));
    assert_eq!(
        s.begin_auth_session(&other_app, PEER),
        BeginAuthResult::GameMismatch
    );
    let expired = s.mint_ticket(&MintOptions {
        expires_in: -1,
        ..MintOptions::session(PEER, APP)
    });
    assert_eq!(
        s.begin_auth_session(&expired, PEER),
        BeginAuthResult::ExpiredTicket
    );
    // Nothing so far produced a callback.
    assert!(pump(&mut s).is_empty());
    // 0, then 2 for a second ticket while the session is active.
    assert_eq!(s.begin_auth_session(&good, PEER), BeginAuthResult::Ok);
    let again = s.mint_ticket(&MintOptions::session(PEER, APP));
    assert_eq!(
        s.begin_auth_session(&again, PEER),
        BeginAuthResult::DuplicateRequest
    );
}

#[test]
fn real_valve_tickets_are_checked_not_waved_through() {
    // shared/data/tickets/v2.json: Valve-signed, app 291410, expired in 2016.
    let v2 = steam_ticket::hex::decode(concat!(
        "140000005B4216673D33130388D38A0001001001ADBA7257180000000100000002000000B727746200000000",
        "92E4120002000000B2000000320000000400000088D38A000100100152720400B72774625100006400000000",
        "AFBA72572F6A8E570100A39F000000000000B03C9B084359D0F9A72E6BB26702C96545AF0D137E33FA71F218",
        "C96D503CFDCF4D172DF6998F0D329F1991959BEB5C302DEF32DDC20A0BDE6C8A8E5D47C81BB45F517AE65FCE",
        "889A635A17CBDA966CE5C5324C00DDD71BB86989148B0D0AA2BFCF9E3C1C7EF870CAF6C98242D2A4E11AC185",
        "032F220460F19F83FDBA65AB16CB"
    ))
    .unwrap();
    let owner = 76561197969363848;
    assert_eq!(
        sim().begin_auth_session(&v2, owner),
        BeginAuthResult::GameMismatch
    );
    let mut same_app =
        SimulatedSteam::with_clock(SimulatedConfig::new(ME, 291410), Box::new(FixedClock(NOW)));
    assert_eq!(
        same_app.begin_auth_session(&v2, owner),
        BeginAuthResult::ExpiredTicket
    );
    let mut back_then = SimulatedSteam::with_clock(
        SimulatedConfig::new(ME, 291410),
        Box::new(FixedClock(1_467_136_700)),
    );
    assert_eq!(
        back_then.begin_auth_session(&v2, owner),
        BeginAuthResult::Ok
    );
}

#[test]
fn cancelling_a_ticket_ends_its_sessions_with_response_6() {
    let mut s = sim();
    let t = s.get_auth_session_ticket(&Identity::None);
    assert_eq!(s.begin_auth_session(&t.bytes, ME), BeginAuthResult::Ok);
    pump(&mut s);
    assert!(s.cancel_auth_ticket(t.handle));
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: ME,
            response: 6,
            owner_steam_id: ME
        })]
    );
    assert!(!s.cancel_auth_ticket(t.handle), "a handle cancels once");
    assert!(!s.cancel_auth_ticket(999));
}

#[test]
fn reused_and_cancelled_tickets_are_reported_in_the_callback() {
    let mut s = sim();
    let t = s.get_auth_session_ticket(&Identity::None);
    assert_eq!(s.begin_auth_session(&t.bytes, ME), BeginAuthResult::Ok);
    assert!(s.end_auth_session(ME));
    assert!(!s.end_auth_session(ME), "ended once");
    pump(&mut s);
    assert_eq!(s.begin_auth_session(&t.bytes, ME), BeginAuthResult::Ok);
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: ME,
            response: 7,
            owner_steam_id: ME
        })]
    );
    s.end_auth_session(ME);
    let t2 = s.get_auth_session_ticket(&Identity::None);
    s.cancel_auth_ticket(t2.handle);
    pump(&mut s);
    assert_eq!(s.begin_auth_session(&t2.bytes, ME), BeginAuthResult::Ok);
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: ME,
            response: 6,
            owner_steam_id: ME
        })]
    );
}

#[test]
fn family_sharing_owner_is_reported() {
    let mut s = sim();
    let lender = 76561198000000099;
    let t = s.mint_ticket(&MintOptions {
        owner_steam_id: Some(lender),
        ..MintOptions::session(PEER, APP)
    });
    assert_eq!(s.begin_auth_session(&t, PEER), BeginAuthResult::Ok);
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PEER,
            response: 0,
            owner_steam_id: lender
        })]
    );
}

#[test]
fn simulated_session_responses_reach_active_sessions_only() {
    let mut s = sim();
    assert!(!s.simulate_session_response(PEER, AuthSessionResponse::VacBanned));
    let t = s.mint_ticket(&MintOptions::session(PEER, APP));
    s.begin_auth_session(&t, PEER);
    pump(&mut s);
    assert!(s.simulate_session_response(PEER, AuthSessionResponse::VacBanned));
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: PEER,
            response: 3,
            owner_steam_id: PEER
        })]
    );
}

#[test]
fn idle_pumps_do_not_allocate_the_output() {
    let mut s = sim();
    let mut out = Vec::new();
    for _ in 0..1000 {
        s.run_callbacks(&mut out);
    }
    assert_eq!(out.capacity(), 0);
}

/// A clock the test moves forward.
#[derive(Clone)]
struct SharedClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Clock for SharedClock {
    fn unix_now(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn configured(config: SimulatedConfig) -> SimulatedSteam {
    SimulatedSteam::with_clock(config, Box::new(FixedClock(NOW)))
}

#[test]
fn the_configured_user_answers_the_start_up_calls() {
    let s = sim();
    assert_eq!(s.persona_name(), DEFAULT_PERSONA_NAME);
    assert!(s.is_subscribed());
    assert!(!s.is_subscribed_from_family_sharing());
    assert_eq!(s.app_owner(), ME);
    assert!(!s.is_dlc_installed(1));
    assert!(!s.is_steam_running_on_steam_deck());
    assert!(!s.is_steam_running_in_vr());
    assert!(!s.is_vac_banned());
    assert_eq!(
        (s.current_game_language(), s.ui_language()),
        ("english".into(), "english".into())
    );
    assert_eq!(s.launch_command_line(), "");

    let banned = configured(SimulatedConfig {
        vac_banned: true,
        vr: true,
        language: "german".into(),
        launch_command_line: "+connect 127.0.0.1:27015".into(),
        ..SimulatedConfig::new(ME, APP)
    });
    assert!(banned.is_vac_banned() && banned.is_steam_running_in_vr());
    assert_eq!(banned.current_game_language(), "german");
    assert_eq!(banned.launch_command_line(), "+connect 127.0.0.1:27015");

    let borrowed = configured(SimulatedConfig {
        persona_name: "Borrower".into(),
        owner_steam_id: Some(PEER),
        dlc: vec![555441, 555442],
        steam_deck: true,
        ..SimulatedConfig::new(ME, APP)
    });
    assert_eq!(borrowed.persona_name(), "Borrower");
    assert!(borrowed.is_subscribed_from_family_sharing());
    assert_eq!(borrowed.app_owner(), PEER);
    assert!(borrowed.is_dlc_installed(555442));
    assert!(!borrowed.is_dlc_installed(555443));
    assert!(borrowed.is_steam_running_on_steam_deck());

    let not_owned = configured(SimulatedConfig {
        owns_app: false,
        ..SimulatedConfig::new(ME, APP)
    });
    assert!(!not_owned.is_subscribed());
    assert!(!not_owned.is_subscribed_from_family_sharing());
    assert_eq!(not_owned.app_owner(), 0);
}

#[test]
fn family_sharing_and_dlc_reach_the_users_own_tickets() {
    let mut s = configured(SimulatedConfig {
        owner_steam_id: Some(PEER),
        dlc: vec![555441],
        ..SimulatedConfig::new(ME, APP)
    });
    let ticket = s.get_auth_session_ticket(&Identity::None);
    let decoded = decode(&ticket.bytes).unwrap();
    assert_eq!(decoded.ticket.ownership.steam_id, PEER);
    assert_eq!(decoded.ticket.ownership.dlc.len(), 1);
    assert_eq!(s.begin_auth_session(&ticket.bytes, ME), BeginAuthResult::Ok);
    assert!(
        pump(&mut s).contains(&SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id: ME,
            response: 0,
            owner_steam_id: PEER,
        }))
    );
    assert_eq!(
        s.user_has_license_for_app(ME, 555441),
        LicenseResult::HasLicense
    );
}

#[test]
fn losing_and_regaining_the_steam_connection_is_reported_once_each() {
    let mut s = sim();
    assert!(s.logged_on());
    assert!(s.simulate_steam_server_connection(false));
    assert!(
        !s.simulate_steam_server_connection(false),
        "no change, no event"
    );
    assert!(!s.logged_on());
    assert_eq!(pump(&mut s), vec![SteamEvent::SteamServersDisconnected]);
    assert!(s.simulate_steam_server_connection(true));
    assert!(s.logged_on());
    assert_eq!(pump(&mut s), vec![SteamEvent::SteamServersConnected]);
}

#[test]
fn encrypted_app_tickets_follow_steams_pending_and_rate_limits() {
    let now = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(NOW));
    let mut s = SimulatedSteam::with_clock(
        SimulatedConfig::new(ME, APP),
        Box::new(SharedClock(now.clone())),
    );
    assert_eq!(s.encrypted_app_ticket(), None, "nothing before a request");
    s.request_encrypted_app_ticket(b"data");
    s.request_encrypted_app_ticket(b"data");
    let answers = pump(&mut s);
    assert_eq!(
        answers,
        vec![
            SteamEvent::EncryptedAppTicket {
                result: eresult::OK
            },
            SteamEvent::EncryptedAppTicket {
                result: eresult::DUPLICATE_REQUEST
            },
        ]
    );
    let ticket = s.encrypted_app_ticket().expect("a ticket after the answer");
    let read =
        steam_ticket::encrypted::decrypt(&ticket, &DEVELOPMENT_ENCRYPTED_TICKET_KEY).unwrap();
    assert_eq!(
        (read.steam_id(), read.app_id(), read.user_data()),
        (ME, APP, &b"data"[..])
    );

    s.request_encrypted_app_ticket(b"");
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::EncryptedAppTicket {
            result: eresult::LIMIT_EXCEEDED
        }]
    );
    now.fetch_add(
        ENCRYPTED_TICKET_INTERVAL_SECS,
        std::sync::atomic::Ordering::SeqCst,
    );
    s.request_encrypted_app_ticket(b"");
    assert_eq!(
        pump(&mut s),
        vec![SteamEvent::EncryptedAppTicket {
            result: eresult::OK
        }]
    );

    s.simulate_steam_server_connection(false);
    now.fetch_add(
        ENCRYPTED_TICKET_INTERVAL_SECS,
        std::sync::atomic::Ordering::SeqCst,
    );
    s.request_encrypted_app_ticket(b"");
    assert!(pump(&mut s).contains(&SteamEvent::EncryptedAppTicket {
        result: eresult::NO_CONNECTION
    }));
}

#[test]
fn encrypted_app_tickets_carry_the_data_and_the_user_under_the_configured_key() {
    let key = [7u8; 32];
    let mut s = configured(SimulatedConfig {
        owner_steam_id: Some(PEER),
        dlc: vec![1_000],
        vac_banned: true,
        encrypted_ticket_key: key,
        ..SimulatedConfig::new(ME, APP)
    });
    s.request_encrypted_app_ticket(b"nonce-1");
    pump(&mut s);
    let ticket = s.encrypted_app_ticket().unwrap();
    assert!(steam_ticket::encrypted::decrypt(&ticket, &DEVELOPMENT_ENCRYPTED_TICKET_KEY).is_err());
    let read = steam_ticket::encrypted::decrypt(&ticket, &key).unwrap();
    assert_eq!((read.steam_id(), read.user_data()), (ME, &b"nonce-1"[..]));
    assert_eq!(u64::from(read.issue_time()), NOW);
    assert!(read.is_for_app(APP) && read.owns_app(1_000));
    assert!(read.is_license_borrowed() && read.is_vac_banned() && !read.is_license_temporary());
}
