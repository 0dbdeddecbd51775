//! The real tickets in tests/vectors (copied from shared/data/tickets) against their decoded values.

use serde_json::Value;
use steam_ticket::{
    check, decode, decode_hex, hex, DecodeError, Expectations, FixedClock, KeyRing, Problem,
    TicketType, TrustedKey,
};

struct Vector {
    name: &'static str,
    bytes: Vec<u8>,
    expected: Value,
}

fn vectors() -> Vec<Vector> {
    [
        ("v2", include_str!("vectors/v2.json")),
        ("v3", include_str!("vectors/v3.json")),
        ("v5", include_str!("vectors/v5.json")),
    ]
    .into_iter()
    .map(|(name, json)| {
        let v: Value = serde_json::from_str(json).unwrap();
        Vector {
            name,
            bytes: hex::decode(v["hex"].as_str().unwrap()).unwrap(),
            expected: v["expected"].clone(),
        }
    })
    .collect()
}

fn u64_of(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} missing"))
}

#[test]
fn every_vector_decodes_to_its_expected_values() {
    for v in vectors() {
        let d = decode(&v.bytes).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let e = &v.expected;
        let t = &d.ticket;
        assert_eq!(t.steam_id, u64_of(e, "steam_id"), "{}", v.name);
        assert_eq!(t.gc_token, u64_of(e, "gc_token"), "{}", v.name);
        assert_eq!(
            u64::from(t.token_time),
            u64_of(e, "token_time"),
            "{}",
            v.name
        );
        assert_eq!(
            u64::from(t.session.ticket_type.code()),
            u64_of(e, "ticket_type"),
            "{}",
            v.name
        );
        let o = &t.ownership;
        assert_eq!(u64::from(o.app_id), u64_of(e, "app_id"), "{}", v.name);
        assert_eq!(u64::from(o.version), u64_of(e, "version"), "{}", v.name);
        assert_eq!(o.steam_id, u64_of(e, "owner_steam_id"), "{}", v.name);
        assert_eq!(u64::from(o.flags), u64_of(e, "flags"), "{}", v.name);
        assert_eq!(u64::from(o.issued), u64_of(e, "issued"), "{}", v.name);
        assert_eq!(u64::from(o.expires), u64_of(e, "expires"), "{}", v.name);
        let licenses: Vec<u64> = o.licenses.iter().map(|l| u64::from(*l)).collect();
        let expected_licenses: Vec<u64> = e["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_u64().unwrap())
            .collect();
        assert_eq!(licenses, expected_licenses, "{}", v.name);
        assert_eq!(
            o.dlc.len(),
            e["dlc"].as_array().unwrap().len(),
            "{}",
            v.name
        );
        assert_eq!(d.total_len as u64, u64_of(e, "total_len"), "{}", v.name);
    }
}

#[test]
fn every_vector_verifies_with_valves_key_only() {
    for v in vectors() {
        let d = decode(&v.bytes).unwrap();
        assert_eq!(KeyRing::default().verify(&d), Some("valve"), "{}", v.name);
        assert_eq!(
            KeyRing::with_simulation().verify(&d),
            Some("valve"),
            "{}",
            v.name
        );
        assert_eq!(KeyRing::empty().verify(&d), None, "{}", v.name);
    }
}

#[test]
fn a_key_trusted_twice_keeps_its_first_name() {
    let ring = KeyRing::default().trusting(
        TrustedKey::from_pem("valve-again", include_str!("../keys/valve-public-key.pem")).unwrap(),
    );
    for v in vectors() {
        assert_eq!(ring.verify(&decode(&v.bytes).unwrap()), Some("valve"));
    }
}

#[test]
fn ticket_types_are_recognised() {
    let types: Vec<TicketType> = vectors()
        .iter()
        .map(|v| decode(&v.bytes).unwrap().ticket.session.ticket_type)
        .collect();
    assert_eq!(
        types,
        [TicketType::Session, TicketType::Session, TicketType::WebApi]
    );
}

#[test]
fn a_flipped_bit_anywhere_in_the_signed_part_fails_verification() {
    let keys = KeyRing::default();
    for v in vectors() {
        let d = decode(&v.bytes).unwrap();
        let signed = 56..d.total_len; // ownership ticket and signature
        for byte in signed {
            for bit in 0..8 {
                let mut bytes = v.bytes.clone();
                bytes[byte] ^= 1 << bit;
                // A flip in a length field may make it undecodable: that is a failure too.
                if let Ok(tampered) = decode(&bytes) {
                    assert_eq!(
                        keys.verify(&tampered),
                        None,
                        "{}: flipping bit {bit} of byte {byte} still verifies",
                        v.name
                    );
                }
            }
        }
    }
}

#[test]
fn truncation_at_every_offset_fails_cleanly_with_a_field_name() {
    for v in vectors() {
        for len in 0..v.bytes.len() {
            match decode(&v.bytes[..len]) {
                Err(DecodeError::Truncated { field, len: at, .. }) => {
                    assert!(!field.is_empty());
                    assert_eq!(at, len, "{}: wrong length reported", v.name);
                }
                other => panic!("{}: truncation at {len} gave {other:?}", v.name),
            }
        }
    }
}

#[test]
fn truncation_names_the_field_it_cuts() {
    let bytes = &vectors()[0].bytes;
    let field_at = |len: usize| match decode(&bytes[..len]) {
        Err(DecodeError::Truncated { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field_at(2), "gc_section_length");
    assert_eq!(field_at(10), "gc_token");
    assert_eq!(field_at(33), "ticket_type");
    assert_eq!(field_at(70), "ownership_steam_id");
    assert_eq!(field_at(74), "app_id");
    assert_eq!(field_at(100), "licenses");
    assert_eq!(field_at(200), "signature");
}

#[test]
fn trailing_bytes_of_an_sdk_buffer_are_ignored() {
    for v in vectors() {
        for size in [1024, 2560] {
            let mut buffer = v.bytes.clone();
            buffer.resize(size, 0xAB);
            let d = decode(&buffer).unwrap();
            assert_eq!(d, decode(&v.bytes).unwrap(), "{}", v.name);
            assert_eq!(KeyRing::default().verify(&d), Some("valve"));
        }
    }
}

#[test]
fn a_bare_ownership_ticket_is_rejected_as_such() {
    let v = &vectors()[0];
    let bare = &v.bytes[56..];
    assert_eq!(decode(bare), Err(DecodeError::BareOwnershipTicket));
    assert!(DecodeError::BareOwnershipTicket
        .to_string()
        .contains("session part"));
}

#[test]
fn other_garbage_is_not_an_auth_ticket() {
    assert_eq!(
        decode(&[1, 2, 3, 4, 5, 6, 7, 8]),
        Err(DecodeError::NotAnAuthTicket { found: 0x04030201 })
    );
}

#[test]
fn lying_lengths_are_errors_not_over_reads() {
    let v = &vectors()[0];
    // Ownership section length that disagrees with the ownership ticket length.
    let mut bytes = v.bytes.clone();
    bytes[52] = 0xff;
    assert!(matches!(
        decode(&bytes),
        Err(DecodeError::OwnershipSectionLength { .. })
    ));
    // Ownership ticket length too short for its contents (section length kept consistent).
    let mut bytes = v.bytes.clone();
    bytes[56] = 20;
    bytes[52] = 20 + 128;
    assert!(matches!(
        decode(&bytes),
        Err(DecodeError::OwnershipTooShort { declared: 20, .. })
    ));
    // A license count far beyond the buffer.
    let mut bytes = v.bytes.clone();
    bytes[96] = 0xff;
    bytes[97] = 0xff;
    assert!(decode(&bytes).is_err());
    // Session header length other than 24.
    let mut bytes = v.bytes.clone();
    bytes[24] = 25;
    assert_eq!(
        decode(&bytes),
        Err(DecodeError::SessionHeaderLength { found: 25 })
    );
}

#[test]
fn hex_round_trips_and_decodes_in_either_case() {
    for v in vectors() {
        let upper = hex::encode(&v.bytes);
        assert_eq!(hex::decode(&upper).unwrap(), v.bytes);
        let lower = upper.to_lowercase();
        assert_eq!(decode_hex(&lower).unwrap(), decode(&v.bytes).unwrap());
    }
    assert!(matches!(
        decode_hex("1400000Z"),
        Err(DecodeError::Hex(hex::HexError::InvalidDigit {
            position: 7,
            ..
        }))
    ));
}

#[test]
fn checks_use_the_injected_clock() {
    let v = &vectors()[2];
    let d = decode(&v.bytes).unwrap();
    let expires = d.ticket.ownership.expires;
    let expect = Expectations {
        app_id: Some(958260),
        ..Default::default()
    };
    let before = check(
        &d,
        &KeyRing::default(),
        &expect,
        &FixedClock(u64::from(expires) - 1),
    );
    assert!(before.passed(), "{:?}", before.problems);
    assert_eq!(before.signed_by.as_deref(), Some("valve"));

    let after = check(
        &d,
        &KeyRing::default(),
        &expect,
        &FixedClock(u64::from(expires)),
    );
    assert!(after.expired);
    assert_eq!(
        after.problems,
        vec![Problem::Expired {
            expired_at: expires,
            now: u64::from(expires)
        }]
    );
}

#[test]
fn checks_report_wrong_app_and_unknown_signer() {
    let d = decode(&vectors()[0].bytes).unwrap();
    let expect = Expectations {
        app_id: Some(555440),
        ..Default::default()
    };
    let report = check(&d, &KeyRing::empty(), &expect, &FixedClock(0));
    assert_eq!(report.signed_by, None);
    assert_eq!(
        report.problems,
        vec![
            Problem::BadSignature,
            Problem::WrongApp {
                expected: 555440,
                found: 291410
            }
        ]
    );
}
