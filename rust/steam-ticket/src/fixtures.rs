//! Ready-made tickets for tests, examples and benchmarks (feature `test-support`): the one place
//! the full `Ticket` literal is written. Tweak the returned value for the case at hand.

use std::net::Ipv4Addr;

use crate::model::{Ownership, SessionHeader, Ticket, TicketType, GC_TOKEN_BYTES};

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

/// Gives a minted ticket another GC token, in place: a new ticket of the same player. The GC token is
/// outside the signed ownership part, so many one-use tickets come from one signature (RSA signing
/// is slow).
pub fn set_gc_token(minted: &mut [u8], gc_token: u64) {
    minted[GC_TOKEN_BYTES].copy_from_slice(&gc_token.to_le_bytes());
}

/// The current unix time as a ticket stores it (32 bits).
pub fn now() -> u32 {
    use crate::check::Clock;
    crate::check::SystemClock
        .unix_now()
        .min(u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_gc_token_leaves_the_signed_part_alone() {
        let original = crate::mint(&web_api_ticket(76561198000000001, 480, now()));
        let mut renewed = original.clone();
        set_gc_token(&mut renewed, 0x5eed);
        let (original, renewed) = (
            crate::decode(&original).unwrap(),
            crate::decode(&renewed).unwrap(),
        );
        assert_eq!(
            (original.ticket.gc_token, renewed.ticket.gc_token),
            (1, 0x5eed)
        );
        assert_eq!(renewed.signed_bytes, original.signed_bytes);
        assert_eq!(renewed.signature, original.signature);
    }
}
