//! The client side: what a Steam backend offers the `Steam` singleton, the auth subset of
//! `ISteamUser` (beyond what [`AuthValidator`] shares with the game server) plus the
//! `ISteamApps`/`ISteamFriends`/`ISteamUtils` calls that auth scripts make at start-up.
//!
//! Two implementations: `steamworks` (the real client) and `simulated`.

pub mod simulated;
pub mod steamworks;

use crate::identity::Identity;
use crate::validator::{AuthValidator, TicketVerdict};

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
    ValidateAuthTicket(TicketVerdict),
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
pub trait SteamBackend: AuthValidator {
    /// `GetAuthSessionTicket`: a ticket now, a `AuthSessionTicket` event later.
    fn get_auth_session_ticket(&mut self, identity: &Identity) -> IssuedTicket;

    /// `GetAuthTicketForWebApi`: a handle now, the ticket in a `TicketForWebApi` event later.
    fn get_auth_ticket_for_web_api(&mut self, identity: &str) -> u32;

    /// `CancelAuthTicket`. Returns false if the handle is unknown.
    fn cancel_auth_ticket(&mut self, handle: u32) -> bool;

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

    /// The simulation's own hooks (tickets for other users, verdicts on demand); `None` for Steam.
    fn simulated_mut(&mut self) -> Option<&mut simulated::SimulatedSteam> {
        None
    }

    /// Pumps pending callbacks into `out` (appended; `out` is reused between frames).
    fn run_callbacks(&mut self, out: &mut Vec<SteamEvent>);
}
