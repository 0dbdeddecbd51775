//! The signature check compares the whole encoded message, not only what a forger cannot easily fake.
//!
//! Each test signs, with the simulation private key and raw RSA (`m^d mod n`, no padding applied by a
//! library), an EMSA-PKCS1-v1_5 encoded message that differs from the right one in one byte, and
//! requires the ticket to be rejected. The unmodified encoding signed the same way must verify, so
//! the raw signing itself is known to be right.

use num_bigint::BigUint;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use sha1::{Digest, Sha1};
use steam_ticket::{decode, mint, KeyRing};

const PRIVATE_PEM: &str = include_str!("../keys/simulation-private-key.pem");
const LEN: usize = 128;
/// DER prefix of a SHA-1 `DigestInfo` (RFC 8017, section 9.2, note 1).
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
/// Where the parts of the 128-byte encoding start.
const SEPARATOR: usize = LEN - SHA1_DIGEST_INFO.len() - 20 - 1;
const DIGEST_INFO: usize = SEPARATOR + 1;
const DIGEST: usize = LEN - 20;

fn ticket() -> steam_ticket::DecodedTicket {
    let mut t = steam_ticket::fixtures::web_api_ticket(76561198000000042, 480, 1_700_000_000);
    t.gc_token = 7;
    t.ownership.expires = 1_900_000_000;
    decode(&mint(&t)).unwrap()
}

fn encoded_message(signed: &[u8]) -> [u8; LEN] {
    let mut em = [0xff; LEN];
    em[0] = 0x00;
    em[1] = 0x01;
    em[SEPARATOR] = 0x00;
    em[DIGEST_INFO..DIGEST].copy_from_slice(&SHA1_DIGEST_INFO);
    em[DIGEST..].copy_from_slice(&Sha1::digest(signed));
    em
}

/// `em^d mod n`, big-endian, left-padded to the modulus length.
fn raw_sign(em: &[u8; LEN]) -> [u8; LEN] {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(PRIVATE_PEM).unwrap();
    let n = BigUint::from_bytes_be(&key.n().to_bytes_be());
    let d = BigUint::from_bytes_be(&key.d().to_bytes_be());
    let s = BigUint::from_bytes_be(em).modpow(&d, &n).to_bytes_be();
    let mut out = [0u8; LEN];
    out[LEN - s.len()..].copy_from_slice(&s);
    out
}

/// Whether the simulation ring accepts the ticket with `em` raw-signed as its signature.
fn accepted_with(em: &[u8; LEN]) -> bool {
    let mut t = ticket();
    t.signature = raw_sign(em);
    KeyRing::with_simulation().verify(&t).is_some()
}

fn rejected_after_changing(position: usize) {
    let mut em = encoded_message(&ticket().signed_bytes);
    // A different value at that position; for the leading 00 any nonzero value keeps em < n.
    em[position] ^= if position == 0 { 0x01 } else { 0x5a };
    assert!(
        !accepted_with(&em),
        "an encoding differing at byte {position} was accepted"
    );
}

#[test]
fn the_right_encoding_raw_signed_verifies() {
    let t = ticket();
    let em = encoded_message(&t.signed_bytes);
    assert_eq!(
        raw_sign(&em),
        t.signature,
        "raw RSA equals the library's PKCS#1 v1.5"
    );
    assert!(accepted_with(&em));
}

#[test]
fn a_single_byte_of_padding_changed_is_rejected() {
    for position in [0, 1, 2, 50, SEPARATOR - 1, SEPARATOR] {
        rejected_after_changing(position);
    }
}

#[test]
fn a_single_byte_of_the_digest_info_changed_is_rejected() {
    for position in DIGEST_INFO..DIGEST {
        rejected_after_changing(position);
    }
}

#[test]
fn a_single_byte_of_the_digest_changed_is_rejected() {
    for position in [DIGEST, DIGEST + 10, LEN - 1] {
        rejected_after_changing(position);
    }
}
