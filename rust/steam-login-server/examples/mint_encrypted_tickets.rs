//! Writes N encrypted app tickets as wrk request bodies, one per line (`{"encryptedTicket": hex}`),
//! each holding a nonce of a server started with the same key, for the encrypted row of
//! scripts/bench-server.sh: 2,000 players, every ticket issued now (run the server with a window
//! that covers the benchmark).
//! Usage: cargo run -p steam-login-server --features test-support --example mint_encrypted_tickets --
//!        <count> <app_id> <key hex> > bodies.txt

use steam_login_server::config::EncryptedTicketKey;
use steam_login_server::EncryptedTickets;
use steam_ticket::encrypted::{mint_encrypted, EncryptedAppTicket, TICKET_VERSION};

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let app_id: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(555440);
    let key: EncryptedTicketKey = format!("{app_id}={}", args.next().expect("the key's hex"))
        .parse()
        .expect("APP=HEX");
    let raw_key = key.key;
    // The window does not enter a nonce; the server's flag decides how long it is good.
    let nonces = EncryptedTickets::new(vec![key], 0).expect("one key");
    let now = steam_ticket::fixtures::now();
    for i in 0..count {
        let nonce = nonces
            .issue_nonce(i64::from(now))
            .expect("the OS random number generator");
        let ticket = EncryptedAppTicket {
            version: TICKET_VERSION,
            user_data: nonce.into_bytes(),
            ownership: steam_ticket::fixtures::web_api_ticket(
                76561198100000000 + i % 2_000,
                app_id,
                now,
            )
            .ownership,
            vac_banned: 0,
            ownership_tail: Vec::new(),
            layout: steam_ticket::encrypted::Layout::Salted,
            app_defined_value: None,
        };
        let iv = (i as u128).to_le_bytes();
        let bytes = mint_encrypted(&ticket, &raw_key, iv, [0x5a; 8]);
        println!(
            "{{\"encryptedTicket\":\"{}\"}}",
            steam_ticket::hex::encode(&bytes)
        );
    }
}
