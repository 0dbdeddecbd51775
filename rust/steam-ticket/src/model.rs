//! The fields of a Steam auth ticket, as typed values.
//!
//! Layout (little-endian), from `shared/data/README.md`:
//! GC token section (length 20) · session header (length 24) · ownership section
//! (ownership ticket + 128-byte RSA-SHA1 signature over it).

use std::net::Ipv4Addr;

/// Length of the GC token section; every ticket starts with it (hex `14000000`).
pub const GC_SECTION_LEN: u32 = 20;
/// Length of the session header.
pub const SESSION_HEADER_LEN: u32 = 24;
/// The constant that follows the session header length in every ticket seen.
pub const SESSION_HEADER_MARKER: u32 = 1;
/// Ownership ticket version this codec understands.
pub const OWNERSHIP_VERSION: u32 = 4;
/// RSA-1024 signature length.
pub const SIGNATURE_LEN: usize = 128;
/// Where the GC token lies in every auth ticket: after the GC section's 4-byte length.
pub const GC_TOKEN_BYTES: std::ops::Range<usize> = 4..12;
/// Offset of the ownership ticket in every auth ticket.
pub const OWNERSHIP_OFFSET: usize = 56;

/// Which Steam API produced the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketType {
    /// `GetAuthSessionTicket`: for `BeginAuthSession` on a peer or game server.
    Session,
    /// `GetAuthTicketForWebApi`: for `ISteamUserAuth/AuthenticateUserTicket`.
    WebApi,
    /// A value this codec does not know, kept as is.
    Other(u32),
}

impl TicketType {
    pub const SESSION_CODE: u32 = 2;
    pub const WEB_API_CODE: u32 = 5;

    pub fn code(self) -> u32 {
        match self {
            TicketType::Session => Self::SESSION_CODE,
            TicketType::WebApi => Self::WEB_API_CODE,
            TicketType::Other(code) => code,
        }
    }
}

impl From<u32> for TicketType {
    fn from(code: u32) -> Self {
        match code {
            Self::SESSION_CODE => TicketType::Session,
            Self::WEB_API_CODE => TicketType::WebApi,
            other => TicketType::Other(other),
        }
    }
}

/// The session header: how and from where the ticket was requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHeader {
    pub ticket_type: TicketType,
    pub external_ip: Ipv4Addr,
    pub internal_ip: Ipv4Addr,
    pub ms_since_connect: u32,
    pub connection_count: u32,
}

/// A DLC the user owns, with the licenses that grant it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dlc {
    pub app_id: u32,
    pub licenses: Vec<u32>,
}

/// The ownership ticket: the part Valve signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    pub version: u32,
    /// The account that owns the app (differs from the ticket's SteamID under Family Sharing).
    pub steam_id: u64,
    pub app_id: u32,
    pub external_ip: Ipv4Addr,
    pub internal_ip: Ipv4Addr,
    pub flags: u32,
    /// Unix time the ownership ticket was issued.
    pub issued: u32,
    /// Unix time after which the ownership ticket is no longer valid.
    pub expires: u32,
    pub licenses: Vec<u32>,
    pub dlc: Vec<Dlc>,
}

/// Everything a ticket says, without its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Game Coordinator token: what only Steam can validate.
    pub gc_token: u64,
    /// The user who requested the ticket.
    pub steam_id: u64,
    /// Unix time the GC token was generated.
    pub token_time: u32,
    pub session: SessionHeader,
    pub ownership: Ownership,
}
