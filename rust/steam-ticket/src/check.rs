//! Offline checks: what can be said about a ticket without asking Steam.
//!
//! These catch forged, expired and wrong-app tickets before a server spends Web API quota on them. They
//! cannot prove the ticket is live (the GC token): only Steam can.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::decode::DecodedTicket;
use crate::keys::KeyRing;

/// Where "now" comes from, so tests can pin it.
pub trait Clock {
    /// Seconds since the Unix epoch.
    fn unix_now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn unix_now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// A clock stopped at a given Unix time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn unix_now(&self) -> u64 {
        self.0
    }
}

/// One reason a ticket fails the offline checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No trusted key verifies the ownership ticket's signature.
    BadSignature,
    /// The ticket is for another app.
    WrongApp { expected: u32, found: u32 },
    /// The ownership ticket's `expires` is in the past.
    Expired { expired_at: u32, now: u64 },
    /// The session and ownership parts name different users (and the owner is not a lender).
    SteamIdMismatch { ticket: u64, ownership: u64 },
}

impl Problem {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::BadSignature => "bad_signature",
            Problem::WrongApp { .. } => "wrong_app",
            Problem::Expired { .. } => "expired",
            Problem::SteamIdMismatch { .. } => "steam_id_mismatch",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BadSignature => {
                write!(
                    f,
                    "the ownership ticket's signature does not verify with any trusted key"
                )
            }
            Problem::WrongApp { expected, found } => {
                write!(f, "the ticket is for app {found}, not app {expected}")
            }
            Problem::Expired { expired_at, now } => write!(
                f,
                "the ownership ticket expired at {expired_at} (now is {now})"
            ),
            Problem::SteamIdMismatch { ticket, ownership } => write!(
                f,
                "the ticket's SteamID {ticket} differs from its ownership ticket's {ownership}"
            ),
        }
    }
}

/// What the offline checks concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Name of the key that verified the signature, if any.
    pub signed_by: Option<String>,
    /// The key that verified it is the public simulation key: anyone could have signed this.
    pub signed_by_simulation: bool,
    pub expired: bool,
    /// Every problem found; empty means the ticket passed.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What to check a ticket against.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// The app the ticket must be for; `None` skips the app check.
    pub app_id: Option<u32>,
    /// Accept an ownership SteamID different from the ticket's (Family Sharing). Off by default:
    /// Valve-issued session tickets carry the player's own SteamID in both places.
    pub allow_lender_owner: bool,
}

/// Runs every offline check.
pub fn check(
    ticket: &DecodedTicket,
    keys: &KeyRing,
    expect: &Expectations,
    clock: &dyn Clock,
) -> CheckReport {
    let mut problems = Vec::new();
    let signer = keys.verifying_key(ticket);
    let signed_by = signer.map(|key| key.name().to_owned());
    let signed_by_simulation = signer.is_some_and(|key| key.is_simulation());
    if signed_by.is_none() {
        problems.push(Problem::BadSignature);
    }
    let t = &ticket.ticket;
    if let Some(expected) = expect.app_id {
        if t.ownership.app_id != expected {
            problems.push(Problem::WrongApp {
                expected,
                found: t.ownership.app_id,
            });
        }
    }
    let now = clock.unix_now();
    let expired = u64::from(t.ownership.expires) <= now;
    if expired {
        problems.push(Problem::Expired {
            expired_at: t.ownership.expires,
            now,
        });
    }
    if t.steam_id != t.ownership.steam_id && !expect.allow_lender_owner {
        problems.push(Problem::SteamIdMismatch {
            ticket: t.steam_id,
            ownership: t.ownership.steam_id,
        });
    }
    CheckReport {
        signed_by,
        signed_by_simulation,
        expired,
        problems,
    }
}
