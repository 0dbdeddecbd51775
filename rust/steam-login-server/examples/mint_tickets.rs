//! Writes N simulation-signed Web API tickets (one SteamID each) as wrk request bodies, one per line.
//! Usage: cargo run -p steam-login-server --example mint_tickets -- <count> <app_id> > bodies.txt

use steam_ticket::{hex, mint};

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let app_id: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(555440);
    let now = steam_ticket::fixtures::now();
    for i in 0..count {
        let steam_id = 76561198100000000 + i;
        let mut ticket = steam_ticket::fixtures::web_api_ticket(steam_id, app_id, now);
        ticket.gc_token = 0x5eed_0000_0000_0000 + i;
        println!("{{\"token\":\"{}\"}}", hex::encode(&mint(&ticket)));
    }
}
