//! Writes N simulation-signed Web API tickets (one SteamID each) as wrk request bodies, one per line.
//! Usage: cargo run -p steam-login-server --example mint_tickets -- <count> <app_id> > bodies.txt

use std::time::{SystemTime, UNIX_EPOCH};

use steam_ticket::{hex, mint, Ownership, SessionHeader, Ticket, TicketType};

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let app_id: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(555440);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0);
    for i in 0..count {
        let steam_id = 76561198100000000 + i;
        let local = [127, 0, 0, 1].into();
        let ticket = Ticket {
            gc_token: 0x5eed_0000_0000_0000 + i,
            steam_id,
            token_time: now,
            session: SessionHeader {
                ticket_type: TicketType::WebApi,
                external_ip: local,
                internal_ip: local,
                ms_since_connect: 1,
                connection_count: 1,
            },
            ownership: Ownership {
                version: 4,
                steam_id,
                app_id,
                external_ip: local,
                internal_ip: local,
                flags: 0,
                issued: now,
                expires: now + 21 * 86_400,
                licenses: vec![0],
                dlc: vec![],
            },
        };
        println!("{{\"token\":\"{}\"}}", hex::encode(&mint(&ticket)));
    }
}
