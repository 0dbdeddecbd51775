//! Any bytes: decoding never panics or over-reads; signature checks on garbage fail cleanly.
//! (decode ∘ mint = id is a proptest in steam-ticket: RSA signing is too slow to fuzz through.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use steam_ticket::{decode, KeyRing};

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = decode(data) {
        assert!(decoded.total_len <= data.len());
        assert_eq!(decoded.signed_bytes.len() + 56 + 128, decoded.total_len);
        let _ = KeyRing::with_simulation().verify(&decoded);
    }
});
