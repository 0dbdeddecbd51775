//! [`Ticket`] → bytes in Steam's layout, signed by the simulation key.
//!
//! Used by the simulated Steam backend and by tests. `decode(&mint(&t)).ticket == t` for every `t`.

use crate::keys::SimulationSigner;
use crate::model::*;

/// Encodes a ticket and signs its ownership part with `signer`.
pub fn mint_with(ticket: &Ticket, signer: &SimulationSigner) -> Vec<u8> {
    let ownership = encode_ownership(&ticket.ownership);
    let signature = signer.sign(&ownership);

    let mut out = Vec::with_capacity(OWNERSHIP_OFFSET + ownership.len() + SIGNATURE_LEN);
    put_u32(&mut out, GC_SECTION_LEN);
    out.extend_from_slice(&ticket.gc_token.to_le_bytes());
    out.extend_from_slice(&ticket.steam_id.to_le_bytes());
    put_u32(&mut out, ticket.token_time);
    put_u32(&mut out, SESSION_HEADER_LEN);
    put_u32(&mut out, SESSION_HEADER_MARKER);
    let session = &ticket.session;
    put_u32(&mut out, session.ticket_type.code());
    put_u32(&mut out, u32::from(session.external_ip));
    put_u32(&mut out, u32::from(session.internal_ip));
    put_u32(&mut out, session.ms_since_connect);
    put_u32(&mut out, session.connection_count);
    put_u32(&mut out, len_u32(ownership.len() + SIGNATURE_LEN));
    out.extend_from_slice(&ownership);
    out.extend_from_slice(&signature);
    out
}

/// Encodes and signs with the committed simulation key.
pub fn mint(ticket: &Ticket) -> Vec<u8> {
    mint_with(ticket, &SimulationSigner::new())
}

fn encode_ownership(o: &Ownership) -> Vec<u8> {
    encode_ownership_with(o, 0, &[])
}

/// The ownership ticket with `vac_banned` in the u16 after the DLC list (0 in auth tickets) and
/// `tail` after it, inside its declared length.
pub(crate) fn encode_ownership_with(o: &Ownership, vac_banned: u16, tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    put_u32(&mut out, 0); // length, patched below
    put_u32(&mut out, o.version);
    out.extend_from_slice(&o.steam_id.to_le_bytes());
    put_u32(&mut out, o.app_id);
    put_u32(&mut out, u32::from(o.external_ip));
    put_u32(&mut out, u32::from(o.internal_ip));
    put_u32(&mut out, o.flags);
    put_u32(&mut out, o.issued);
    put_u32(&mut out, o.expires);
    put_u32_list(&mut out, &o.licenses);
    put_u16(&mut out, count_u16(o.dlc.len()));
    for dlc in &o.dlc {
        put_u32(&mut out, dlc.app_id);
        put_u32_list(&mut out, &dlc.licenses);
    }
    put_u16(&mut out, vac_banned);
    out.extend_from_slice(tail);
    let len = len_u32(out.len());
    out[..4].copy_from_slice(&len.to_le_bytes());
    out
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32_list(out: &mut Vec<u8>, values: &[u32]) {
    put_u16(out, count_u16(values.len()));
    for v in values {
        put_u32(out, *v);
    }
}

/// Steam's layout counts licenses and DLC in u16: more is a caller bug, not a runtime condition.
fn count_u16(n: usize) -> u16 {
    u16::try_from(n).expect("at most 65,535 licenses or DLC fit in a Steam ticket")
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).expect("ticket sections are far below 4 GiB")
}
