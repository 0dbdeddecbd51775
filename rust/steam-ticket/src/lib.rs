//! Steam auth tickets as data: strict hex, a bounds-checked decoder, signature verification against
//! Valve's key (and, for simulations, a committed non-secret key), offline checks, and minting.
//!
//! One implementation serves the Godot extension (decoding, the simulated Steam) and the login server
//! (rejecting forged, expired or wrong-app tickets without spending Web API quota).
//!
//! ```
//! let hex = "14000000"; // a real ticket is ~234 bytes; see tests/vectors
//! assert!(steam_ticket::decode_hex(hex).is_err());
//! ```

pub mod check;
pub mod decode;
pub mod encrypted;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
pub mod hex;
pub mod keys;
pub mod mint;
pub mod model;

pub use check::{check, CheckReport, Clock, Expectations, FixedClock, Problem, SystemClock};
pub use decode::{decode, decode_hex, DecodeError, DecodedTicket};
pub use hex::HexError;
pub use keys::{KeyRing, SimulationSigner, TrustedKey};
pub use mint::{mint, mint_with};
pub use model::{Dlc, Ownership, SessionHeader, Ticket, TicketType};
