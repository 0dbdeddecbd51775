//! Tickets in GDScript's terms, for `Steam` and `SteamServer` alike: `getAuthSessionTicket`'s
//! `{id, buffer, size}` and `decodeAuthTicket`'s Dictionary.

use godot::prelude::*;
use steam_ticket::{DecodedTicket, KeyRing, TicketType};

/// `{id, buffer, size}`, as `getAuthSessionTicket` returns it.
pub fn ticket_dictionary(handle: i64, bytes: &[u8]) -> VarDictionary {
    vdict! {
        "id" => handle,
        "buffer" => &PackedByteArray::from(bytes),
        "size" => bytes.len() as i64,
    }
}

/// Every field a game may want to show or check, with snake_case keys.
pub fn to_dictionary(decoded: &DecodedTicket, keys: &KeyRing, now: u64) -> VarDictionary {
    let t = &decoded.ticket;
    let o = &t.ownership;
    let signed_by = keys.verify(decoded).unwrap_or("");
    let dlc: VarArray = o
        .dlc
        .iter()
        .map(|d| {
            vdict! {
                "app_id" => i64::from(d.app_id),
                "licenses" => &licenses(&d.licenses),
            }
            .to_variant()
        })
        .collect();
    vdict! {
        "steam_id" => t.steam_id as i64,
        "owner_steam_id" => o.steam_id as i64,
        "app_id" => i64::from(o.app_id),
        "gc_token" => t.gc_token.to_string(),
        "token_time" => i64::from(t.token_time),
        "ticket_type" => i64::from(t.session.ticket_type.code()),
        "ticket_type_name" => type_name(t.session.ticket_type),
        "version" => i64::from(o.version),
        "flags" => i64::from(o.flags),
        "issued" => i64::from(o.issued),
        "expires" => i64::from(o.expires),
        "licenses" => &licenses(&o.licenses),
        "dlc" => &dlc,
        "external_ip" => o.external_ip.to_string(),
        "internal_ip" => o.internal_ip.to_string(),
        "size" => decoded.total_len as i64,
        "signature_valid" => !signed_by.is_empty(),
        "signed_by" => signed_by,
        "expired" => u64::from(o.expires) <= now,
    }
}

fn licenses(ids: &[u32]) -> PackedInt64Array {
    ids.iter().map(|l| i64::from(*l)).collect()
}

fn type_name(t: TicketType) -> &'static str {
    match t {
        TicketType::Session => "session",
        TicketType::WebApi => "web_api",
        TicketType::Other(_) => "unknown",
    }
}
