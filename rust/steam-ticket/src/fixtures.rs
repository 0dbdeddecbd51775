//! Ready-made tickets for tests, examples and benchmarks (feature `test-support`): the one place
//! the full `Ticket` literal is written. Tweak the returned value for the case at hand.

use std::net::Ipv4Addr;

use crate::model::{Ownership, SessionHeader, Ticket, TicketType};

/// How long the fixtures' ownership part lasts (the real samples last 21 days).
pub const LIFETIME_SECS: u32 = 21 * 86_400;

/// A Web API ticket (`GetAuthTicketForWebApi`) for `steam_id` and `app_id`, issued at `now` (unix
/// seconds) from loopback, valid [`LIFETIME_SECS`], with the base licence; GC token 1.
pub fn web_api_ticket(steam_id: u64, app_id: u32, now: u32) -> Ticket {
    let loopback = Ipv4Addr::LOCALHOST;
    Ticket {
        gc_token: 1,
        steam_id,
        token_time: now,
        session: SessionHeader {
            ticket_type: TicketType::WebApi,
            external_ip: loopback,
            internal_ip: loopback,
            ms_since_connect: 5,
            connection_count: 1,
        },
        ownership: Ownership {
            version: crate::model::OWNERSHIP_VERSION,
            steam_id,
            app_id,
            external_ip: loopback,
            internal_ip: loopback,
            flags: 0,
            issued: now,
            expires: now.saturating_add(LIFETIME_SECS),
            licenses: vec![0],
            dlc: vec![],
        },
    }
}

/// Like [`web_api_ticket`], as a session ticket (`GetAuthSessionTicket`).
pub fn session_ticket(steam_id: u64, app_id: u32, now: u32) -> Ticket {
    let mut ticket = web_api_ticket(steam_id, app_id, now);
    ticket.session.ticket_type = TicketType::Session;
    ticket
}

/// The current unix time as a ticket stores it (32 bits).
pub fn now() -> u32 {
    use crate::check::Clock;
    crate::check::SystemClock
        .unix_now()
        .min(u64::from(u32::MAX)) as u32
}
