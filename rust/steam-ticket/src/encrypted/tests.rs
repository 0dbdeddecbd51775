use super::*;
use crate::model::{Dlc, Ownership};

const KEY: [u8; KEY_LEN] = [0x5a; KEY_LEN];

fn ticket(user_data: &[u8]) -> EncryptedAppTicket {
    EncryptedAppTicket {
        version: TICKET_VERSION,
        user_data: user_data.to_vec(),
        ownership: Ownership {
            version: 4,
            steam_id: 76561198000000001,
            app_id: 480,
            external_ip: [203, 0, 113, 7].into(),
            internal_ip: [10, 0, 0, 2].into(),
            flags: FLAG_LICENSE_BORROWED,
            issued: 1_900_000_000,
            expires: 1_901_814_400,
            licenses: vec![1, 2],
            dlc: vec![Dlc {
                app_id: 1000,
                licenses: vec![5],
            }],
        },
        vac_banned: 1,
        ownership_tail: Vec::new(),
        layout: Layout::Salted,
        app_defined_value: None,
    }
}

fn mint(t: &EncryptedAppTicket) -> Vec<u8> {
    mint_encrypted(t, &KEY, [0x11; 16], [0x22; 8])
}

#[test]
fn what_is_minted_decrypts_to_itself_and_reads_as_valve_reads_it() {
    for len in [0, 1, 15, 16, 17, 300, 1024] {
        let t = ticket(&vec![0xab; len]);
        let back = decrypt(&mint(&t), &KEY).unwrap();
        assert_eq!(back, t, "{len} bytes of user data");
    }
    let t = decrypt(&mint(&ticket(b"nonce")), &KEY).unwrap();
    assert_eq!(
        (t.steam_id(), t.app_id(), t.issue_time()),
        (76561198000000001, 480, 1_900_000_000)
    );
    assert!(t.is_for_app(480) && !t.is_for_app(1000));
    assert!(t.owns_app(480) && t.owns_app(1000) && !t.owns_app(1001));
    assert!(t.is_vac_banned() && t.is_license_borrowed() && !t.is_license_temporary());
    assert_eq!(
        (
            t.user_data(),
            t.app_defined_value(),
            t.has_signature_bytes()
        ),
        (&b"nonce"[..], None, false)
    );
}

#[test]
fn a_wrong_key_is_refused_and_no_flipped_bit_changes_what_is_read() {
    let original = ticket(b"nonce");
    let bytes = mint(&original);
    assert!(decrypt(&bytes, &[0x5b; KEY_LEN]).is_err());
    assert_eq!(
        decrypt(&bytes, &KEY[..31]),
        Err(EncryptedTicketError::KeyLength(31))
    );
    for at in 0..bytes.len() {
        for bit in [0x01, 0x80] {
            let mut tampered = bytes.clone();
            tampered[at] ^= bit;
            // A flip in `cb_encrypted_appownershipticket`, which nothing reads (nor does Valve),
            // passes; any other is refused.
            if let Ok(t) = decrypt(&tampered, &KEY) {
                assert_eq!(
                    t, original,
                    "byte {at} bit {bit:#x} flipped and read otherwise"
                );
            }
        }
    }
}

#[test]
fn every_truncation_is_refused_without_panicking() {
    let bytes = mint(&ticket(b"nonce"));
    for len in 0..bytes.len() {
        assert!(decrypt(&bytes[..len], &KEY).is_err(), "cut at {len}");
    }
}

#[test]
fn errors_never_show_the_key_or_the_data() {
    let bytes = mint(&ticket(b"secret-nonce"));
    let error = decrypt(&bytes, &[0x5b; KEY_LEN]).unwrap_err().to_string();
    assert!(
        !error.contains("secret") && !error.contains("5b5b"),
        "{error}"
    );
}

#[test]
fn the_trailer_layout_round_trips_and_reads_the_app_defined_value_as_valve_does() {
    for extra in [Vec::new(), vec![1u8; 4], vec![2u8; 128]] {
        for tail in [Vec::new(), 0x1234_u32.to_le_bytes().to_vec()] {
            let mut t = ticket(b"nonce");
            t.version = 2;
            t.ownership_tail = tail.clone();
            t.layout = Layout::Trailer {
                extra: extra.clone(),
            };
            // Valve reads the u32 after the VAC word when the trailer's extra length is above 3,
            // from the ownership ticket or, past its end, from the extra bytes.
            t.app_defined_value = match (extra.len() > 3, tail.is_empty()) {
                (false, _) => None,
                (true, false) => Some(0x1234),
                (true, true) => Some(u32::from_le_bytes(extra[..4].try_into().unwrap())),
            };
            let back = decrypt(&mint(&t), &KEY).unwrap();
            assert_eq!(back, t, "{} extra bytes, tail {tail:?}", extra.len());
            assert_eq!(back.has_signature_bytes(), !extra.is_empty());
        }
    }
}

#[test]
fn version_0_is_refused_and_others_are_read_in_either_layout() {
    let mut t = ticket(b"x");
    t.version = 0;
    assert_eq!(
        decrypt(&mint(&t), &KEY),
        Err(EncryptedTicketError::Version(0))
    );
    t.version = 99;
    assert_eq!(decrypt(&mint(&t), &KEY).unwrap().version, 99);
}
