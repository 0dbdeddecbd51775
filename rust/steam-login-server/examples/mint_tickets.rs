//! Writes N simulation-signed Web API tickets as wrk request bodies, one per line: 2,000 players,
//! each ticket with a GC token of its own (a ticket logs in once), series `series` keeping files made
//! for one run apart.
//! Usage: cargo run -p steam-login-server --example mint_tickets -- <count> <app_id> [series] > bodies.txt

use steam_ticket::{hex, mint};

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let app_id: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(555440);
    let series: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let now = steam_ticket::fixtures::now();
    // Signing is slow (RSA): each player's ticket is signed once, and each body is that ticket with a
    // GC token of its own, as a new ticket of that player would be.
    const PLAYERS: u64 = 2_000;
    let signed: Vec<Vec<u8>> = (0..PLAYERS.min(count.max(1)))
        .map(|p| {
            mint(&steam_ticket::fixtures::web_api_ticket(
                76561198100000000 + p,
                app_id,
                now,
            ))
        })
        .collect();
    for i in 0..count {
        let mut ticket = signed[(i % signed.len() as u64) as usize].clone();
        let gc_token: u64 = 0x5eed_0000_0000_0000 + (series << 40) + i;
        steam_ticket::fixtures::set_gc_token(&mut ticket, gc_token);
        println!("{{\"token\":\"{}\"}}", hex::encode(&ticket));
    }
}
