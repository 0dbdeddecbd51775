//! The `Steam` engine singleton: GodotSteam's auth API (and the start-up calls auth scripts make) over
//! a Steam backend from `steam-auth-core`.
//!
//! One idea per file: `init` (start-up, backend choice, shutdown), `auth` (tickets and sessions),
//! `user` (who is playing and what they own), `simulation` (the simulated backend's extra hooks).
//! This file holds the class, its signals and how the singleton is registered. What `Steam` shares
//! with `SteamServer` lives beside both: `steam_args`, `steam_settings`, `ticket_info`,
//! `enum_constants`.

mod auth;
mod init;
mod simulation;
mod user;

use godot::classes::Object;
use godot::prelude::*;

use steam_auth_core::{SteamBackend, SteamEvent, TicketVerdict};

use crate::backend_slot::BackendSlot;
use crate::own_singleton;
use crate::steam_by_name::NAME as SINGLETON_NAME;

const NOT_INITIALISED: &str =
    "Steam is not initialised: call Steam.steamInit() or Steam.steamInitEx() first";

/// Steam's user authentication API, call-compatible with GodotSteam.
///
/// Talks to the real Steam client through Steamworks, or to a simulated Steam when the Project Setting
/// [code]steam/auth/backend[/code] (or the environment variable [code]STEAM_AUTH_BACKEND[/code]) is
/// [code]simulated[/code]. The simulation issues tickets in Steam's real binary layout, signed with a
/// published (not secret) simulation key, and answers with the same result codes and callbacks.
/// Besides GodotSteam's auth calls it answers the start-up calls auth scripts make (persona,
/// ownership, DLC, Steam Deck), accepts GodotSteam 4.14+ and older (4.13 and below) call forms, and
/// registers GodotSteam's enums ([code]Steam.BeginAuthSessionResult[/code], ...).
#[derive(GodotClass)]
#[class(no_init, base = Object)]
pub struct Steam {
    backend: BackendSlot<dyn SteamBackend>,
    pumping_on_process_frame: bool,
    /// The app id Steam was initialised with (GodotSteam's property); 0 before init.
    #[var]
    current_app_id: i64,
    /// The local user's SteamID64 once Steam is initialised (GodotSteam's property); 0 before.
    #[var]
    current_steam_id: i64,
    /// A clan (Steam group) id a game keeps here, as GodotSteam offers; this addon never sets it.
    #[var]
    current_clan_id: i64,
    base: Base<Object>,
}

#[godot_api]
impl Steam {
    /// [method getAuthSessionTicket] finished: [param auth_ticket] is the handle, [param result] a
    /// [enum Result] value (1 = [constant RESULT_OK]).
    #[signal]
    fn get_auth_session_ticket_response(auth_ticket: i64, result: i64);

    /// [method beginAuthSession] was decided, or a session changed state later (ticket cancelled, user
    /// offline, ...). [param auth_id] is the SteamID that gave the ticket, [param response] an
    /// [enum AuthSessionResponse] value, [param owner_id] the SteamID that owns the game (differs
    /// under Family Sharing).
    #[signal]
    fn validate_auth_ticket_response(auth_id: i64, response: i64, owner_id: i64);

    /// The Web API ticket requested by [method getAuthTicketForWebApi] is ready;
    /// [param ticket_buffer] holds exactly [param ticket_size] bytes.
    #[signal]
    fn get_ticket_for_web_api(
        auth_ticket: i64,
        result: i64,
        ticket_size: i64,
        ticket_buffer: PackedByteArray,
    );

    /// The answer to [method requestEncryptedAppTicket], worded as GodotSteam does:
    /// [code]"ok"[/code] (then call [method getEncryptedAppTicket]), [code]"no connection"[/code],
    /// [code]"duplicate request"[/code] or [code]"limit exceeded"[/code].
    #[signal]
    fn encrypted_app_ticket_response(result: GString);

    /// The Steam client (re)gained its connection to Steam's servers.
    #[signal]
    fn steam_server_connected();

    /// The Steam client lost its connection to Steam's servers; [method loggedOn] is false until
    /// [signal steam_server_connected].
    #[signal]
    fn steam_server_disconnected();

    /// A connection attempt to Steam's servers failed: [param result] a [enum Result] value,
    /// [param retrying] whether Steam keeps trying.
    #[signal]
    fn steam_server_connect_failed(result: i64, retrying: bool);

    /// The Steam client is shutting down (GodotSteam's signal). The steamworks crate this addon uses
    /// does not deliver Steam's [code]SteamShutdown_t[/code], so neither backend emits it today; it is
    /// registered so scripts that connect it load.
    #[signal]
    fn steam_shutdown();

    /// GodotSteam 4.13 and older: a Steam call result came back with an I/O failure, so
    /// [param failed_signal] was not emitted; [param io_failure] says what happened.
    #[signal]
    fn steamworks_error(failed_signal: GString, io_failure: GString);
}

impl Steam {
    fn new_gd() -> Gd<Self> {
        Gd::from_init_fn(|base| Steam {
            backend: BackendSlot::empty("Steam", NOT_INITIALISED),
            pumping_on_process_frame: false,
            current_app_id: 0,
            current_steam_id: 0,
            current_clan_id: 0,
            base,
        })
    }

    /// Registers our singleton unless the Project Setting `steam/auth/provide_steam_singleton` says
    /// otherwise or (with `auto`) another `Steam`, such as GodotSteam's, is already registered.
    pub fn register_singleton() {
        own_singleton::register(SINGLETON_NAME, "GodotSteam", "SteamLogin", Steam::new_gd);
    }

    /// Undoes [`Self::register_singleton`] when the extension unloads.
    pub fn unregister_singleton() {
        own_singleton::unregister::<Steam>(SINGLETON_NAME);
    }

    /// Shuts Steam down and disconnects everything from its signals (see `shutdown`).
    pub fn release_all() {
        own_singleton::release::<Steam>(SINGLETON_NAME, |this| this.bind_mut().shutdown());
    }
}

/// Emits one Steam callback as GodotSteam's signal (typed signals: the arguments are checked here).
fn emit(this: &mut Gd<Steam>, event: SteamEvent) {
    let mut signals = this.signals();
    match event {
        SteamEvent::AuthSessionTicket { handle, result } => signals
            .get_auth_session_ticket_response()
            .emit(i64::from(handle), i64::from(result)),
        SteamEvent::TicketForWebApi {
            handle,
            result,
            ticket,
        } => signals.get_ticket_for_web_api().emit(
            i64::from(handle),
            i64::from(result),
            ticket.len() as i64,
            &PackedByteArray::from(ticket),
        ),
        SteamEvent::ValidateAuthTicket(TicketVerdict {
            steam_id,
            response,
            owner_steam_id,
        }) => signals.validate_auth_ticket_response().emit(
            steam_id as i64,
            i64::from(response),
            owner_steam_id as i64,
        ),
        SteamEvent::SteamServersConnected => signals.steam_server_connected().emit(),
        SteamEvent::SteamServersDisconnected => signals.steam_server_disconnected().emit(),
        SteamEvent::SteamServerConnectFailure { result, retrying } => signals
            .steam_server_connect_failed()
            .emit(i64::from(result), retrying),
        SteamEvent::EncryptedAppTicket { result } => signals
            .encrypted_app_ticket_response()
            .emit(&GString::from(auth::encrypted_ticket_wording(result))),
        SteamEvent::CallFailed { signal } => signals
            .steamworks_error()
            .emit(&GString::from(signal), &GString::from("io failure")),
    }
}
