//! What a Steam client and a game server share when they check a player's session ticket: begin and
//! end the session, the licence check, logged-on and SteamID, and the verdict Steam sends later.
//!
//! `SteamBackend` (the `Steam` singleton) and `GameServerBackend` (`SteamServer`) both extend
//! [`AuthValidator`], so the Godot layer writes these calls once.

use crate::codes::{BeginAuthResult, LicenseResult};

/// Which implementation is talking to "Steam".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// The real Steam client through the `steamworks` crate.
    Steam,
    /// The in-process simulation: real ticket layout, simulation-key signatures.
    Simulated,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Steam => "steam",
            BackendKind::Simulated => "simulated",
        }
    }

    /// Parses the Project Setting / environment value (`steam` or `simulated`, any case).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "steam" => Some(BackendKind::Steam),
            "simulated" | "simulation" => Some(BackendKind::Simulated),
            _ => None,
        }
    }
}

/// `ValidateAuthTicketResponse_t`: Steam's later verdict on a session begun with
/// [`AuthValidator::begin_auth_session`] → `validate_auth_ticket_response(auth_id, response, owner_id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketVerdict {
    /// The SteamID that gave the ticket.
    pub steam_id: u64,
    /// An `EAuthSessionResponse` value.
    pub response: i32,
    /// The SteamID that owns the game (differs under Family Sharing).
    pub owner_steam_id: u64,
}

/// The auth calls `ISteamUser` and `ISteamGameServer` have in common. Called on the main thread;
/// verdicts arrive later through the backend's `run_callbacks`, never from inside a call.
pub trait AuthValidator {
    fn kind(&self) -> BackendKind;
    fn app_id(&self) -> u32;

    /// `GetSteamID`: the user's SteamID, or the game server's (0 until it is logged on).
    fn steam_id(&self) -> u64;

    /// `BLoggedOn`.
    fn logged_on(&self) -> bool;

    /// `BeginAuthSession`: synchronous checks now, a [`TicketVerdict`] later on success.
    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult;

    /// `EndAuthSession`. Returns false if no session was begun for that SteamID.
    fn end_auth_session(&mut self, steam_id: u64) -> bool;

    /// `UserHasLicenseForApp` for a user with an active auth session.
    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult;
}
