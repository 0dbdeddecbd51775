//! Bytes → [`Ticket`]: every length is checked before it is used.

use std::net::Ipv4Addr;
use thiserror::Error;

use crate::hex::{self, HexError};
use crate::model::*;

/// Why bytes are not a Steam auth ticket.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("ticket hex is invalid: {0}")]
    Hex(#[from] HexError),
    #[error("ticket is truncated: field `{field}` needs {needed} bytes at offset {offset}, but the ticket ends at {len}")]
    Truncated {
        field: &'static str,
        offset: usize,
        needed: usize,
        len: usize,
    },
    #[error("this is a bare ownership (app) ticket without the session part; pass the whole auth ticket from GetAuthSessionTicket or GetAuthTicketForWebApi")]
    BareOwnershipTicket,
    #[error("not a Steam auth ticket: it must start with 14000000 (GC section length 20), found {found:08x}")]
    NotAnAuthTicket { found: u32 },
    #[error("unsupported session header length {found} (expected 24)")]
    SessionHeaderLength { found: u32 },
    #[error(
        "ownership ticket length {declared} is too small for its own contents ({needed} bytes)"
    )]
    OwnershipTooShort { declared: usize, needed: usize },
    #[error("ownership section length {section} does not match ownership ticket length {ticket} plus a 128-byte signature")]
    OwnershipSectionLength { section: usize, ticket: usize },
}

/// A decoded ticket: its fields, its signature and the exact bytes the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedTicket {
    pub ticket: Ticket,
    pub signature: [u8; SIGNATURE_LEN],
    /// The ownership ticket bytes as received (what Valve signed).
    pub signed_bytes: Vec<u8>,
    /// Length of the ticket proper; bytes after it in the input were ignored.
    pub total_len: usize,
}

/// Decodes a ticket from hex (upper- or lowercase).
pub fn decode_hex(hex: &str) -> Result<DecodedTicket, DecodeError> {
    decode(&hex::decode(hex)?)
}

/// Decodes a ticket. Trailing bytes after the declared lengths (a whole SDK buffer) are ignored.
pub fn decode(bytes: &[u8]) -> Result<DecodedTicket, DecodeError> {
    let mut r = Reader::new(bytes, 0);
    let gc_len = r.u32("gc_section_length")?;
    if gc_len != GC_SECTION_LEN {
        return Err(if looks_like_bare_ownership(bytes) {
            DecodeError::BareOwnershipTicket
        } else {
            DecodeError::NotAnAuthTicket { found: gc_len }
        });
    }
    let gc_token = r.u64("gc_token")?;
    let steam_id = r.u64("steam_id")?;
    let token_time = r.u32("token_time")?;

    let header_len = r.u32("session_header_length")?;
    if header_len != SESSION_HEADER_LEN {
        return Err(DecodeError::SessionHeaderLength { found: header_len });
    }
    let _marker = r.u32("session_header_marker")?;
    let session = SessionHeader {
        ticket_type: TicketType::from(r.u32("ticket_type")?),
        external_ip: r.ip("session_external_ip")?,
        internal_ip: r.ip("session_internal_ip")?,
        ms_since_connect: r.u32("ms_since_connect")?,
        connection_count: r.u32("connection_count")?,
    };

    let section_len = r.u32("ownership_section_length")? as usize;
    debug_assert_eq!(r.pos, OWNERSHIP_OFFSET);
    let ownership_len =
        Reader::new(bytes, OWNERSHIP_OFFSET).u32("ownership_ticket_length")? as usize;
    if section_len != ownership_len.saturating_add(SIGNATURE_LEN) {
        return Err(DecodeError::OwnershipSectionLength {
            section: section_len,
            ticket: ownership_len,
        });
    }
    // Parse the fields first so that a short input names the exact field it ends in.
    let window_end = OWNERSHIP_OFFSET.saturating_add(ownership_len);
    let window = &bytes[OWNERSHIP_OFFSET..window_end.min(bytes.len())];
    let ownership = decode_ownership(window).map_err(|err| match err {
        DecodeError::Truncated { needed, offset, .. } if window.len() == ownership_len => {
            DecodeError::OwnershipTooShort {
                declared: ownership_len,
                needed: offset - OWNERSHIP_OFFSET + needed,
            }
        }
        DecodeError::Truncated {
            field,
            offset,
            needed,
            ..
        } => DecodeError::Truncated {
            field,
            offset,
            needed,
            len: bytes.len(),
        },
        other => other,
    })?;
    let signed_bytes = r.bytes("ownership_ticket", ownership_len)?;
    let signature: [u8; SIGNATURE_LEN] = r
        .bytes("signature", SIGNATURE_LEN)?
        .try_into()
        .expect("reader returned exactly SIGNATURE_LEN bytes");

    Ok(DecodedTicket {
        ticket: Ticket {
            gc_token,
            steam_id,
            token_time,
            session,
            ownership,
        },
        signature,
        signed_bytes: signed_bytes.to_vec(),
        total_len: r.pos,
    })
}

/// Parses the ownership ticket inside its window (its declared length, cut short by the input's end).
fn decode_ownership(window: &[u8]) -> Result<Ownership, DecodeError> {
    // Offsets in errors are relative to the whole ticket.
    decode_ownership_at(window, OWNERSHIP_OFFSET).map(|(ownership, _)| ownership)
}

/// What follows the DLC list in an ownership ticket: a u16 that is non-zero for a VAC-banned
/// player (Valve's encrypted-ticket decoder reads it so), then whatever the ticket's declared length
/// still holds (the app-defined value of an encrypted app ticket).
pub(crate) struct OwnershipTail<'a> {
    pub vac_banned: u16,
    pub rest: &'a [u8],
}

/// Parses the ownership ticket in `window`, which sits at `base` in what the caller decodes (for
/// the offsets errors name), and returns what follows its DLC list.
pub(crate) fn decode_ownership_at(
    window: &[u8],
    base: usize,
) -> Result<(Ownership, OwnershipTail<'_>), DecodeError> {
    let mut r = Reader::new(window, 0).based_at(base);
    let _declared = r.u32("ownership_ticket_length")?;
    let mut ownership = Ownership {
        version: r.u32("ownership_version")?,
        steam_id: r.u64("ownership_steam_id")?,
        app_id: r.u32("app_id")?,
        external_ip: r.ip("ownership_external_ip")?,
        internal_ip: r.ip("ownership_internal_ip")?,
        flags: r.u32("flags")?,
        issued: r.u32("issued")?,
        expires: r.u32("expires")?,
        licenses: Vec::new(),
        dlc: Vec::new(),
    };
    ownership.licenses = r.u32_list("license_count", "licenses")?;
    let dlc_count = r.u16("dlc_count")?;
    for _ in 0..dlc_count {
        let app_id = r.u32("dlc_app_id")?;
        let licenses = r.u32_list("dlc_license_count", "dlc_licenses")?;
        ownership.dlc.push(Dlc { app_id, licenses });
    }
    let vac_banned = r.u16("reserved")?;
    let tail = OwnershipTail {
        vac_banned,
        rest: &window[r.pos..],
    };
    Ok((ownership, tail))
}

/// A bare ownership ticket starts with its own length (≥ 46) followed by version 4.
fn looks_like_bare_ownership(bytes: &[u8]) -> bool {
    let mut r = Reader::new(bytes, 0);
    matches!(
        (r.u32("len"), r.u32("version")),
        (Ok(len), Ok(OWNERSHIP_VERSION)) if (46..=4096).contains(&len)
    )
}

/// A bounds-checked little-endian cursor whose errors name the field being read.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Added to positions in error messages, for windows inside the ticket.
    base: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], pos: usize) -> Self {
        Reader { buf, pos, base: 0 }
    }

    fn based_at(mut self, base: usize) -> Self {
        self.base = base;
        self
    }

    fn bytes(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|end| *end <= self.buf.len());
        let end = end.ok_or(DecodeError::Truncated {
            field,
            offset: self.base + self.pos,
            needed: n,
            len: self.base + self.buf.len(),
        })?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        Ok(self.bytes(field, N)?.try_into().expect("length checked"))
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        self.array(field).map(u16::from_le_bytes)
    }

    fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        self.array(field).map(u32::from_le_bytes)
    }

    fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        self.array(field).map(u64::from_le_bytes)
    }

    /// Steam stores IPv4 addresses as a host-order u32.
    fn ip(&mut self, field: &'static str) -> Result<Ipv4Addr, DecodeError> {
        self.u32(field).map(Ipv4Addr::from)
    }

    /// A u16 count followed by that many u32 values; the count is checked against what remains.
    fn u32_list(
        &mut self,
        count_field: &'static str,
        field: &'static str,
    ) -> Result<Vec<u32>, DecodeError> {
        let count = usize::from(self.u16(count_field)?);
        let raw = self.bytes(field, count * 4)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("chunks of 4")))
            .collect())
    }
}
