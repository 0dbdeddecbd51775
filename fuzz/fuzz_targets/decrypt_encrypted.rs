//! Any bytes as an encrypted app ticket: reading never panics. The first 32 bytes are the key, so
//! the fuzzer can also reach past the decryption with tickets it mints from the seed corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steam_ticket::encrypted::{decrypt, KEY_LEN};

fuzz_target!(|data: &[u8]| {
    if data.len() >= KEY_LEN {
        let (key, ticket) = data.split_at(KEY_LEN);
        let _ = decrypt(ticket, key);
    }
});
