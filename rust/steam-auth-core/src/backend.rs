//! What a Steam backend offers the `Steam` singleton: the auth subset of `ISteamUser`, plus the
//! `ISteamApps`/`ISteamFriends`/`ISteamUtils` calls that auth scripts make at start-up.

use crate::codes::{BeginAuthResult, LicenseResult};
use crate::identity::Identity;

/// A Steam callback, already translated to GodotSteam's signal arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SteamEvent {
    /// `GetAuthSessionTicketResponse_t` → `get_auth_session_ticket_response(auth_ticket, result)`.
    AuthSessionTicket { handle: u32, result: i32 },
    /// `GetTicketForWebApiResponse_t` → `get_ticket_for_web_api(auth_ticket, result, size, buffer)`.
    /// `ticket` holds exactly the ticket's bytes.
    TicketForWebApi {
        handle: u32,
        result: i32,
        ticket: Vec<u8>,
    },
    /// `ValidateAuthTicketResponse_t` → `validate_auth_ticket_response(auth_id, response, owner_id)`.
    ValidateAuthTicket {
        steam_id: u64,
        response: i32,
        owner_steam_id: u64,
    },
    /// `SteamServersConnected_t` → `steam_server_connected()`.
    SteamServersConnected,
    /// `SteamServersDisconnected_t` → `steam_server_disconnected()`.
    SteamServersDisconnected,
    /// `SteamServerConnectFailure_t` → `steam_server_connect_failed(result, retrying)`.
    SteamServerConnectFailure { result: i32, retrying: bool },
    /// `EncryptedAppTicketResponse_t` → `encrypted_app_ticket_response(result)` (an EResult here;
    /// the Godot layer words it as GodotSteam does).
    EncryptedAppTicket { result: i32 },
    /// A call result arrived with an I/O failure → GodotSteam ≤ 4.13's
    /// `steamworks_error(failed_signal, io_failure)`; `signal` names the signal that was not emitted.
    CallFailed { signal: &'static str },
}

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

/// A freshly issued session ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTicket {
    pub handle: u32,
    /// Exactly the ticket's bytes (no SDK buffer padding).
    pub bytes: Vec<u8>,
}

/// The auth part of `ISteamUser`, implemented by the steamworks adapter and the simulation.
///
/// Every method is called on the main thread; callbacks are only produced by [`run_callbacks`],
/// never from inside another call.
///
/// [`run_callbacks`]: SteamBackend::run_callbacks
pub trait SteamBackend {
    fn kind(&self) -> BackendKind;
    fn app_id(&self) -> u32;
    fn steam_id(&self) -> u64;
    fn logged_on(&self) -> bool;

    /// `GetAuthSessionTicket`: a ticket now, a `AuthSessionTicket` event later.
    fn get_auth_session_ticket(&mut self, identity: &Identity) -> IssuedTicket;

    /// `GetAuthTicketForWebApi`: a handle now, the ticket in a `TicketForWebApi` event later.
    fn get_auth_ticket_for_web_api(&mut self, identity: &str) -> u32;

    /// `BeginAuthSession`: synchronous checks now, a `ValidateAuthTicket` event later on success.
    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult;

    /// `CancelAuthTicket`. Returns false if the handle is unknown.
    fn cancel_auth_ticket(&mut self, handle: u32) -> bool;

    /// `EndAuthSession`. Returns false if no session was begun for that SteamID.
    fn end_auth_session(&mut self, steam_id: u64) -> bool;

    /// `UserHasLicenseForApp` for a user with an active auth session.
    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult;

    /// `ISteamFriends::GetPersonaName`.
    fn persona_name(&self) -> String;

    /// `ISteamApps::BIsSubscribed`: the user owns (or borrows) this app.
    fn is_subscribed(&self) -> bool;

    /// `ISteamApps::BIsSubscribedFromFamilySharing`.
    fn is_subscribed_from_family_sharing(&self) -> bool;

    /// `ISteamApps::GetAppOwner`: the SteamID that owns the license (differs under Family Sharing).
    fn app_owner(&self) -> u64;

    /// `ISteamApps::BIsDlcInstalled`.
    fn is_dlc_installed(&self, dlc_id: u32) -> bool;

    /// `ISteamUtils::IsSteamRunningOnSteamDeck`.
    fn is_steam_running_on_steam_deck(&self) -> bool;

    /// `ISteamUtils::IsSteamRunningInVR`.
    fn is_steam_running_in_vr(&self) -> bool;

    /// `ISteamApps::BIsVACBanned`: the user has a VAC ban on this game.
    fn is_vac_banned(&self) -> bool;

    /// `ISteamApps::GetCurrentGameLanguage` (Steam's language names: "english", "german", ...).
    fn current_game_language(&self) -> String;

    /// `ISteamUtils::GetSteamUILanguage`.
    fn ui_language(&self) -> String;

    /// `ISteamApps::GetLaunchCommandLine`: the command line of a `steam://run` launch, or "".
    fn launch_command_line(&self) -> String;

    /// `ISteamUser::RequestEncryptedAppTicket`: the answer comes as an `EncryptedAppTicket` event.
    fn request_encrypted_app_ticket(&mut self, data: &[u8]);

    /// `ISteamUser::GetEncryptedAppTicket`: the last ticket Steam made, if any.
    fn encrypted_app_ticket(&mut self) -> Option<Vec<u8>>;

    /// Pumps pending callbacks into `out` (appended; `out` is reused between frames).
    fn run_callbacks(&mut self, out: &mut Vec<SteamEvent>);
}
