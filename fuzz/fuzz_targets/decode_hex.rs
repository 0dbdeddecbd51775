//! Any string: hex decoding and ticket decoding never panic; valid hex round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steam_ticket::{decode_hex, hex};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = hex::decode(text) {
            assert_eq!(hex::encode(&bytes), text.to_ascii_uppercase());
        }
        let _ = decode_hex(text);
    }
});
