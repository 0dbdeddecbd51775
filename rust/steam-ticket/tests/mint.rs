//! Minted tickets decode to what was minted, verify with the simulation key only, and one key ring
//! tells them apart from Valve's.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use steam_ticket::{
    check, decode, hex, mint, Dlc, Expectations, FixedClock, KeyRing, Ownership, Problem,
    SessionHeader, Ticket, TicketType, TrustedKey,
};

fn ip() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn ticket_type() -> impl Strategy<Value = TicketType> {
    any::<u32>().prop_map(TicketType::from)
}

prop_compose! {
    fn dlc()(app_id in any::<u32>(), licenses in prop::collection::vec(any::<u32>(), 0..4)) -> Dlc {
        Dlc { app_id, licenses }
    }
}

prop_compose! {
    fn ownership()(
        version in any::<u32>(), steam_id in any::<u64>(), app_id in any::<u32>(),
        external_ip in ip(), internal_ip in ip(), flags in any::<u32>(),
        issued in any::<u32>(), expires in any::<u32>(),
        licenses in prop::collection::vec(any::<u32>(), 0..6),
        dlc in prop::collection::vec(dlc(), 0..4),
    ) -> Ownership {
        Ownership { version, steam_id, app_id, external_ip, internal_ip, flags, issued, expires, licenses, dlc }
    }
}

prop_compose! {
    fn ticket()(
        gc_token in any::<u64>(), steam_id in any::<u64>(), token_time in any::<u32>(),
        ticket_type in ticket_type(), external_ip in ip(), internal_ip in ip(),
        ms_since_connect in any::<u32>(), connection_count in any::<u32>(),
        ownership in ownership(),
    ) -> Ticket {
        Ticket {
            gc_token, steam_id, token_time,
            session: SessionHeader { ticket_type, external_ip, internal_ip, ms_since_connect, connection_count },
            ownership,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decode_of_mint_is_identity(t in ticket()) {
        let bytes = mint(&t);
        let decoded = decode(&bytes).unwrap();
        prop_assert_eq!(&decoded.ticket, &t);
        prop_assert_eq!(decoded.total_len, bytes.len());
        let (sim, prod) = (KeyRing::with_simulation(), KeyRing::default());
        prop_assert_eq!(sim.verify(&decoded), Some("simulation"));
        prop_assert_eq!(prod.verify(&decoded), None);
    }
}

fn sample(now: u32) -> Ticket {
    let mut t = steam_ticket::fixtures::session_ticket(76561198000000000, 555440, now);
    t.gc_token = 0x0123_4567_89ab_cdef;
    t.session.external_ip = Ipv4Addr::new(203, 0, 113, 7);
    t.session.internal_ip = Ipv4Addr::new(192, 168, 1, 20);
    t.session.ms_since_connect = 1234;
    t.ownership.external_ip = t.session.external_ip;
    t.ownership.internal_ip = t.session.internal_ip;
    t.ownership.dlc = vec![Dlc {
        app_id: 555441,
        licenses: vec![7, 8],
    }];
    t
}

#[test]
fn minted_ticket_has_the_real_prefix_and_passes_simulation_checks() {
    let bytes = mint(&sample(1_700_000_000));
    assert_eq!(&bytes[..4], &[0x14, 0, 0, 0]);
    let d = decode(&bytes).unwrap();
    let expect = Expectations {
        app_id: Some(555440),
        ..Default::default()
    };
    let report = check(
        &d,
        &KeyRing::with_simulation(),
        &expect,
        &FixedClock(1_700_000_100),
    );
    assert!(report.passed(), "{:?}", report.problems);
    assert_eq!(report.signed_by.as_deref(), Some("simulation"));
    // A production key ring does not trust it.
    let prod = check(&d, &KeyRing::default(), &expect, &FixedClock(1_700_000_100));
    assert_eq!(prod.problems, vec![Problem::BadSignature]);
}

#[test]
fn family_sharing_owner_is_a_problem_unless_allowed() {
    let mut t = sample(1_700_000_000);
    t.ownership.steam_id = 76561198000000001;
    let d = decode(&mint(&t)).unwrap();
    let strict = check(
        &d,
        &KeyRing::with_simulation(),
        &Expectations::default(),
        &FixedClock(0),
    );
    assert_eq!(
        strict.problems,
        vec![Problem::SteamIdMismatch {
            ticket: 76561198000000000,
            ownership: 76561198000000001
        }]
    );
    let lenient = Expectations {
        allow_lender_owner: true,
        ..Default::default()
    };
    assert!(check(&d, &KeyRing::with_simulation(), &lenient, &FixedClock(0)).passed());
}

/// One ring sees Valve's tickets and simulated ones in turn: each is reported with its own signer
/// whichever key verified the ticket before it.
#[test]
fn a_shared_ring_names_each_tickets_own_signer_in_any_order() {
    let vector: serde_json::Value = serde_json::from_str(include_str!("vectors/v2.json")).unwrap();
    let real_bytes = hex::decode(vector["hex"].as_str().unwrap()).unwrap();
    let real = decode(&real_bytes).unwrap();
    let minted_bytes = mint(&sample(1_700_000_000));
    let minted = decode(&minted_bytes).unwrap();
    let ring = KeyRing::with_simulation();
    let clone = ring.clone();
    for (ticket, signer) in [
        (&real, "valve"),
        (&minted, "simulation"),
        (&minted, "simulation"),
        (&real, "valve"),
        (&real, "valve"),
        (&minted, "simulation"),
    ] {
        assert_eq!(ring.verify(ticket), Some(signer));
        assert_eq!(clone.verify(ticket), Some(signer));
    }
    let mut forged = minted.clone();
    forged.signature[0] ^= 1;
    assert_eq!(ring.verify(&forged), None);
    // A ring extended from a clone keeps its own memory of the last signer.
    let bare = KeyRing::empty();
    let extended = bare
        .clone()
        .trusting(TrustedKey::valve())
        .trusting(TrustedKey::simulation());
    assert_eq!(extended.verify(&minted), Some("simulation"));
    assert_eq!(bare.verify(&real), None);
    assert_eq!(bare.verify(&minted), None);
}
