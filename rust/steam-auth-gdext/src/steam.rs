//! The `Steam` engine singleton: GodotSteam's auth API over a [`SteamBackend`].

use std::path::PathBuf;

use godot::classes::{Engine, Os, ProjectSettings, SceneTree};
use godot::prelude::*;

use steam_auth_core::{
    resolve_app_id, AuthSessionResponse, BackendKind, InitResult, InitStatus, MintOptions,
    SimulatedConfig, SimulatedSteam, SteamBackend, SteamEvent, SteamworksBackend,
    DEFAULT_SIMULATED_STEAM_ID,
};
use steam_ticket::{Clock, KeyRing, SystemClock, TicketType};

use crate::{args, settings, ticket_info};

const NOT_INITIALISED: &str =
    "Steam is not initialised: call Steam.steamInit() or Steam.steamInitEx() first";

/// Steam's user authentication API, call-compatible with GodotSteam.
///
/// Talks to the real Steam client through Steamworks, or to a simulated Steam when the Project Setting
/// [code]steam/auth/backend[/code] (or the environment variable [code]STEAM_AUTH_BACKEND[/code]) is
/// [code]simulated[/code]. The simulation issues tickets in Steam's real binary layout, signed with a
/// published (not secret) simulation key, and answers with the same result codes and callbacks.
#[derive(GodotClass)]
#[class(init, singleton)]
pub struct Steam {
    backend: Option<Box<dyn SteamBackend>>,
    /// Reused between pumps so idle frames do not allocate.
    events: Vec<SteamEvent>,
    pumping_on_process_frame: bool,
    base: Base<Object>,
}

#[godot_api]
impl Steam {
    /// [method get_auth_session_ticket] finished: [param auth_ticket] is the handle, [param result] an
    /// EResult (1 = [constant RESULT_OK]).
    #[signal]
    fn get_auth_session_ticket_response(auth_ticket: i64, result: i64);

    /// [method beginAuthSession] was decided, or a session changed state later (ticket cancelled, user
    /// offline, ...). [param auth_id] is the SteamID that gave the ticket, [param response] an
    /// [code]AUTH_SESSION_RESPONSE_*[/code] value, [param owner_id] the SteamID that owns the game
    /// (differs under Family Sharing).
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

    /// EResult: success.
    #[constant]
    const RESULT_OK: i64 = 1;
    /// EResult: generic failure.
    #[constant]
    const RESULT_FAIL: i64 = 2;

    /// Steam has verified the user is online, the ticket is valid and has not been reused.
    #[constant]
    const AUTH_SESSION_RESPONSE_OK: i64 = 0;
    /// The user in question is not connected to Steam.
    #[constant]
    const AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM: i64 = 1;
    /// The user has no license for this app, or the license expired.
    #[constant]
    const AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED: i64 = 2;
    /// The user is VAC banned for this game.
    #[constant]
    const AUTH_SESSION_RESPONSE_VAC_BANNED: i64 = 3;
    /// The user logged in elsewhere and this game session was disconnected.
    #[constant]
    const AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE: i64 = 4;
    /// VAC could not perform anti-cheat checks on this user.
    #[constant]
    const AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT: i64 = 5;
    /// The ticket was cancelled by its issuer.
    #[constant]
    const AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED: i64 = 6;
    /// The ticket was already used; it is not valid.
    #[constant]
    const AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED: i64 = 7;
    /// The ticket is not from a user instance currently connected to Steam.
    #[constant]
    const AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID: i64 = 8;
    /// The user is banned for this game by the publisher (Web API ban, not VAC).
    #[constant]
    const AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN: i64 = 9;
    /// The ticket was made for a different networking identity than the one validating it.
    #[constant]
    const AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE: i64 = 10;

    /// The ticket is valid for this game and this SteamID.
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_OK: i64 = 0;
    /// The ticket is invalid (malformed, forged, or for another SteamID).
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET: i64 = 1;
    /// A ticket was already submitted for this SteamID.
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST: i64 = 2;
    /// The ticket is from an incompatible interface version.
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION: i64 = 3;
    /// The ticket is not for this game.
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH: i64 = 4;
    /// The ticket has expired.
    #[constant]
    const BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET: i64 = 5;

    /// [method steamInitEx] succeeded.
    #[constant]
    const STEAM_API_INIT_RESULT_OK: i64 = 0;
    /// Steam refused to initialise for another reason ([code]verbal[/code] says which).
    #[constant]
    const STEAM_API_INIT_RESULT_FAILED_GENERIC: i64 = 1;
    /// The Steam client is not running.
    #[constant]
    const STEAM_API_INIT_RESULT_NO_STEAM_CLIENT: i64 = 2;
    /// The Steam client is older than the game's Steamworks SDK.
    #[constant]
    const STEAM_API_INIT_RESULT_VERSION_MISMATCH: i64 = 3;

    /// [method userHasLicenseForApp]: the user has a license for the app.
    #[constant]
    const USER_HAS_LICENSE_RESULT_HAS_LICENSE: i64 = 0;
    /// [method userHasLicenseForApp]: the user has no license for the app.
    #[constant]
    const USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE: i64 = 1;
    /// [method userHasLicenseForApp]: the user has no auth session; call [method beginAuthSession] first.
    #[constant]
    const USER_HAS_LICENSE_RESULT_NO_AUTH: i64 = 2;

    /// Initialises Steam; returns [code]true[/code] on success. See [method steamInitEx] for the reason
    /// of a failure. [param app_id] 0 means: [code]steam_appid.txt[/code], else the Project Setting
    /// [code]steam/auth/app_id[/code].
    #[func(rename = steamInit)]
    fn steam_init(
        &mut self,
        #[opt(default = 0)] app_id: i64,
        #[opt(default = true)] embed_callbacks: bool,
    ) -> bool {
        self.init(app_id, embed_callbacks).is_ok()
    }

    /// Initialises Steam and returns [code]{status: int, verbal: String}[/code]: status is a
    /// [code]STEAM_API_INIT_RESULT_*[/code] value and verbal says what happened and what to do.
    /// With [param embed_callbacks] (default) callbacks are dispatched every frame, unless the Project
    /// Setting [code]steam/auth/embed_callbacks[/code] is off; otherwise call [method run_callbacks]
    /// yourself.
    #[func(rename = steamInitEx)]
    fn steam_init_ex(
        &mut self,
        #[opt(default = 0)] app_id: i64,
        #[opt(default = true)] embed_callbacks: bool,
    ) -> VarDictionary {
        let status = self.init(app_id, embed_callbacks);
        vdict! {
            "status" => i64::from(status.status.code()),
            "verbal" => status.verbal.as_str(),
        }
    }

    /// [code]true[/code] once [method steamInit] succeeded and until [method steamShutdown].
    #[func(rename = isSteamInitialized)]
    fn is_steam_initialized(&self) -> bool {
        self.backend.is_some()
    }

    /// Whether the user is connected to Steam's servers. [code]false[/code] (with an error) before init.
    #[func(rename = loggedOn)]
    fn logged_on(&self) -> bool {
        self.with_backend("loggedOn", false, |b| b.logged_on())
    }

    /// The local user's SteamID64. 0 (with an error) before init.
    #[func(rename = getSteamID)]
    fn get_steam_id(&self) -> i64 {
        self.with_backend("getSteamID", 0, |b| b.steam_id() as i64)
    }

    /// The app id Steam was initialised with. 0 (with an error) before init.
    #[func(rename = getAppID)]
    fn get_app_id(&self) -> i64 {
        self.with_backend("getAppID", 0, |b| i64::from(b.app_id()))
    }

    /// Which backend is active: [code]"steam"[/code], [code]"simulated"[/code], or [code]""[/code]
    /// before init.
    #[func(rename = getSteamBackend)]
    fn get_steam_backend(&self) -> GString {
        self.backend
            .as_ref()
            .map(|b| b.kind().name())
            .unwrap_or("")
            .into()
    }

    /// Shuts Steam down; tickets and sessions are forgotten. Harmless when not initialised.
    #[func(rename = steamShutdown)]
    fn steam_shutdown(&mut self) {
        self.stop_pumping();
        self.backend = None;
        self.events.clear();
    }

    /// Dispatches pending Steam callbacks as signals. Called every frame when callbacks are embedded.
    #[func(gd_self)]
    fn run_callbacks(mut this: Gd<Self>) {
        let mut events = {
            let mut steam = this.bind_mut();
            let mut events = std::mem::take(&mut steam.events);
            if let Some(backend) = steam.backend.as_mut() {
                backend.run_callbacks(&mut events);
            }
            events
        };
        // Signals are emitted without holding a borrow, so handlers may call back into Steam.
        for event in events.drain(..) {
            emit(&mut this, event);
        }
        let mut steam = this.bind_mut();
        if steam.events.capacity() < events.capacity() {
            steam.events = events;
        }
    }

    /// Requests a session ticket for [method beginAuthSession] on a peer or game server.
    /// Returns [code]{id: int, buffer: PackedByteArray, size: int}[/code] where buffer holds exactly
    /// size bytes; [signal get_auth_session_ticket_response] follows on a later frame.
    /// [param identity]: null or 0 for none, a SteamID64 int, or a string such as
    /// [code]"steamid:7656..."[/code], [code]"str:my-server"[/code], [code]"ip:10.0.0.1:27015"[/code].
    /// Returns [code]{}[/code] (with an error) before init or for a malformed identity.
    #[func(rename = getAuthSessionTicket)]
    fn get_auth_session_ticket(
        &mut self,
        #[opt(default = args::AnyOrNull::null())] identity: args::AnyOrNull,
    ) -> VarDictionary {
        let identity = match args::identity(&identity.0) {
            Ok(identity) => identity,
            Err(message) => {
                godot_error!("Steam.getAuthSessionTicket: {message}");
                return VarDictionary::new();
            }
        };
        let Some(backend) = self.backend_or_error("getAuthSessionTicket") else {
            return VarDictionary::new();
        };
        let ticket = backend.get_auth_session_ticket(&identity);
        ticket_dictionary(i64::from(ticket.handle), &ticket.bytes)
    }

    /// Requests a ticket for the [code]ISteamUserAuth/AuthenticateUserTicket[/code] Web API; returns its
    /// handle, and the ticket arrives in [signal get_ticket_for_web_api]. [param identity] must equal
    /// the identity the server passes to the Web API. Returns 0 (with an error) before init.
    #[func(rename = getAuthTicketForWebApi)]
    fn get_auth_ticket_for_web_api(&mut self, #[opt(default = "")] identity: GString) -> i64 {
        let identity = identity.to_string();
        if identity.contains('\0') {
            godot_error!("Steam.getAuthTicketForWebApi: identity must not contain NUL characters");
            return 0;
        }
        self.backend_or_error("getAuthTicketForWebApi")
            .map(|b| i64::from(b.get_auth_ticket_for_web_api(&identity)))
            .unwrap_or(0)
    }

    /// Validates a peer's ticket: returns a [code]BEGIN_AUTH_SESSION_RESULT_*[/code] value at once and,
    /// on 0, [signal validate_auth_ticket_response] later. Only the first [param ticket_size] bytes of
    /// [param ticket] are read. Returns 1 (with an error) before init or when ticket_size does not fit.
    #[func(rename = beginAuthSession)]
    fn begin_auth_session(
        &mut self,
        ticket: PackedByteArray,
        ticket_size: i64,
        steam_id: i64,
    ) -> i64 {
        const INVALID: i64 = 1;
        let Some(size) = usize::try_from(ticket_size)
            .ok()
            .filter(|s| *s > 0 && *s <= ticket.len())
        else {
            godot_error!(
                "Steam.beginAuthSession: ticket_size {ticket_size} must be between 1 and the buffer's {} bytes",
                ticket.len()
            );
            return INVALID;
        };
        let Some(steam_id) = args::steam_id(steam_id) else {
            godot_error!("Steam.beginAuthSession: {steam_id} is not a SteamID64");
            return INVALID;
        };
        let Some(backend) = self.backend_or_error("beginAuthSession") else {
            return INVALID;
        };
        i64::from(
            backend
                .begin_auth_session(&ticket.as_slice()[..size], steam_id)
                .code(),
        )
    }

    /// Cancels a ticket from [method getAuthSessionTicket] or [method getAuthTicketForWebApi]; sessions
    /// begun with it receive [constant AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED]. Warns on an unknown
    /// handle.
    #[func(rename = cancelAuthTicket)]
    fn cancel_auth_ticket(&mut self, auth_ticket: i64) {
        let Some(backend) = self.backend_or_error("cancelAuthTicket") else {
            return;
        };
        let known = u32::try_from(auth_ticket)
            .map(|h| backend.cancel_auth_ticket(h))
            .unwrap_or(false);
        if !known {
            godot_warn!("Steam.cancelAuthTicket: no active ticket has handle {auth_ticket}");
        }
    }

    /// Ends the auth session begun for [param steam_id]. Warns if there is none.
    #[func(rename = endAuthSession)]
    fn end_auth_session(&mut self, steam_id: i64) {
        let Some(backend) = self.backend_or_error("endAuthSession") else {
            return;
        };
        let known = args::steam_id(steam_id)
            .map(|id| backend.end_auth_session(id))
            .unwrap_or(false);
        if !known {
            godot_warn!("Steam.endAuthSession: no auth session is active for SteamID {steam_id}");
        }
    }

    /// Whether a user with an active auth session owns [param app_id] (the game or a DLC): a
    /// [code]USER_HAS_LICENSE_RESULT_*[/code] value. 2 (no auth, with an error) before init.
    #[func(rename = userHasLicenseForApp)]
    fn user_has_license_for_app(&mut self, steam_id: i64, app_id: i64) -> i64 {
        const NO_AUTH: i64 = 2;
        let (Some(steam_id), Ok(app_id)) = (args::steam_id(steam_id), u32::try_from(app_id)) else {
            godot_error!(
                "Steam.userHasLicenseForApp: {steam_id} / {app_id} is not a SteamID64 / app id"
            );
            return NO_AUTH;
        };
        self.backend_or_error("userHasLicenseForApp")
            .map(|b| i64::from(b.user_has_license_for_app(steam_id, app_id).code()))
            .unwrap_or(NO_AUTH)
    }

    /// Decodes a ticket (PackedByteArray, hex String, or the Dictionary from
    /// [method getAuthSessionTicket]) without calling Steam. Returns steam_id, owner_steam_id, app_id,
    /// gc_token (String), token_time, ticket_type (2 session, 5 Web API), ticket_type_name, version,
    /// flags, issued, expires, licenses, dlc, external_ip, internal_ip, size, signature_valid,
    /// signed_by ([code]"valve"[/code], [code]"simulation"[/code] or [code]""[/code]) and expired;
    /// or [code]{error: String}[/code]. Works without [method steamInit].
    #[func(rename = decodeAuthTicket)]
    fn decode_auth_ticket(&self, ticket: Variant) -> VarDictionary {
        let decoded = args::ticket_bytes(&ticket)
            .and_then(|bytes| steam_ticket::decode(&bytes).map_err(|e| e.to_string()));
        match decoded {
            Ok(d) => {
                ticket_info::to_dictionary(&d, &KeyRing::with_simulation(), SystemClock.unix_now())
            }
            Err(error) => vdict! { "error" => error.as_str() },
        }
    }

    /// Simulated backend only: mints a ticket for another user, to play the second peer in a demo or
    /// test. Returns [code]{id: 0, buffer, size}[/code] like [method getAuthSessionTicket].
    /// [param options] may set [code]app_id[/code], [code]owner_steam_id[/code] (Family Sharing),
    /// [code]expires_in[/code] (seconds; negative for an expired ticket), [code]version[/code],
    /// [code]ticket_type[/code] (2 session, 5 Web API) and [code]licenses[/code].
    #[func(rename = mintSimulatedTicket)]
    fn mint_simulated_ticket(
        &mut self,
        steam_id: i64,
        #[opt(default = args::AnyOrNull::null())] options: args::AnyOrNull,
    ) -> VarDictionary {
        let options = match options.0.get_type() {
            VariantType::NIL => VarDictionary::new(),
            VariantType::DICTIONARY => options.0.to::<VarDictionary>(),
            other => {
                godot_error!(
                    "Steam.mintSimulatedTicket: options must be a Dictionary, got {other:?}"
                );
                return VarDictionary::new();
            }
        };
        let Some(sim) = self.simulation("mintSimulatedTicket") else {
            return VarDictionary::new();
        };
        let Some(steam_id) = args::steam_id(steam_id) else {
            godot_error!("Steam.mintSimulatedTicket: {steam_id} is not a SteamID64");
            return VarDictionary::new();
        };
        match mint_options(steam_id, sim.app_id(), &options) {
            Ok(opts) => ticket_dictionary(0, &sim.mint_ticket(&opts)),
            Err(message) => {
                godot_error!("Steam.mintSimulatedTicket: {message}");
                VarDictionary::new()
            }
        }
    }

    /// Simulated backend only: makes Steam report [param response] (an
    /// [code]AUTH_SESSION_RESPONSE_*[/code] value) for the active session of [param steam_id], as the
    /// real Steam does when a player goes offline or is banned. Returns [code]false[/code] if there is no
    /// such session.
    #[func(rename = simulateAuthSessionResponse)]
    fn simulate_auth_session_response(&mut self, steam_id: i64, response: i64) -> bool {
        let Some(response) = AuthSessionResponse::from_code(response) else {
            godot_error!("Steam.simulateAuthSessionResponse: {response} is not an AUTH_SESSION_RESPONSE_* value (0..10)");
            return false;
        };
        let Some(sim) = self.simulation("simulateAuthSessionResponse") else {
            return false;
        };
        args::steam_id(steam_id)
            .map(|id| sim.simulate_session_response(id, response))
            .unwrap_or(false)
    }
}

impl Steam {
    pub(crate) fn is_initialized(&self) -> bool {
        self.backend.is_some()
    }

    /// `getAuthTicketForWebApi` for Rust callers; 0 when it cannot be had.
    pub(crate) fn web_api_ticket(&mut self, identity: &str) -> u32 {
        match self.backend.as_mut() {
            Some(b) if !identity.contains('\0') => b.get_auth_ticket_for_web_api(identity),
            _ => 0,
        }
    }

    /// A session ticket's bytes for Rust callers, or `None` before init.
    pub(crate) fn session_ticket_bytes(&mut self) -> Option<Vec<u8>> {
        let backend = self.backend.as_mut()?;
        Some(
            backend
                .get_auth_session_ticket(&steam_auth_core::Identity::None)
                .bytes,
        )
    }

    /// Shuts Steam down and disconnects everything from its signals (see `shutdown`).
    pub fn release_all() {
        let mut this = <Steam as godot::obj::Singleton>::singleton();
        this.bind_mut().steam_shutdown();
        let signals = [
            "get_auth_session_ticket_response",
            "validate_auth_ticket_response",
            "get_ticket_for_web_api",
        ];
        for signal in signals {
            for connection in this.get_signal_connection_list(signal).iter_shared() {
                if let Some(callable) = connection
                    .get("callable")
                    .and_then(|c| c.try_to::<Callable>().ok())
                {
                    this.disconnect(signal, &callable);
                }
            }
        }
    }

    fn init(&mut self, app_id: i64, embed_callbacks: bool) -> InitStatus {
        if let Some(backend) = &self.backend {
            return InitStatus::ok(format!(
                "Steam is already initialised ({} backend, app {})",
                backend.kind().name(),
                backend.app_id()
            ));
        }
        let result = self.start_backend(app_id);
        match result {
            Ok(backend) => {
                let status = InitStatus::ok(format!(
                    "Steam initialised: {} backend, app {}, user {}",
                    backend.kind().name(),
                    backend.app_id(),
                    backend.steam_id()
                ));
                self.backend = Some(backend);
                if embed_callbacks && settings::embed_callbacks() {
                    self.start_pumping();
                }
                status
            }
            Err(status) => {
                godot_warn!("Steam.steamInit: {}", status.verbal);
                status
            }
        }
    }

    fn start_backend(&self, app_id: i64) -> Result<Box<dyn SteamBackend>, InitStatus> {
        let generic = |message: String| InitStatus::failed(InitResult::FailedGeneric, message);
        let kind = backend_kind().map_err(generic)?;
        let dirs = app_id_dirs();
        let dir_refs: Vec<&std::path::Path> = dirs.iter().map(PathBuf::as_path).collect();
        let setting = settings::get(settings::APP_ID)
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0);
        let (app_id, _source) =
            resolve_app_id(app_id, &dir_refs, setting).map_err(|e| generic(e.to_string()))?;
        match kind {
            BackendKind::Simulated => {
                let steam_id = simulated_steam_id().map_err(generic)?;
                Ok(Box::new(SimulatedSteam::new(SimulatedConfig {
                    steam_id,
                    app_id,
                })))
            }
            BackendKind::Steam => {
                SteamworksBackend::init(app_id).map(|b| Box::new(b) as Box<dyn SteamBackend>)
            }
        }
    }

    fn start_pumping(&mut self) {
        let Some(mut tree) = scene_tree() else {
            godot_warn!("Steam.steamInit: no SceneTree is running, so callbacks are not embedded; call Steam.run_callbacks() every frame");
            return;
        };
        let callable = Callable::from_object_method(&self.to_gd(), "run_callbacks");
        if !tree.is_connected("process_frame", &callable) {
            tree.connect("process_frame", &callable);
        }
        self.pumping_on_process_frame = true;
    }

    fn stop_pumping(&mut self) {
        if !std::mem::take(&mut self.pumping_on_process_frame) {
            return;
        }
        let callable = Callable::from_object_method(&self.to_gd(), "run_callbacks");
        if let Some(mut tree) = scene_tree() {
            if tree.is_connected("process_frame", &callable) {
                tree.disconnect("process_frame", &callable);
            }
        }
    }

    fn with_backend<R>(
        &self,
        method: &str,
        default: R,
        f: impl FnOnce(&dyn SteamBackend) -> R,
    ) -> R {
        match &self.backend {
            Some(b) => f(b.as_ref()),
            None => {
                godot_error!("Steam.{method}: {NOT_INITIALISED}");
                default
            }
        }
    }

    fn backend_or_error(&mut self, method: &str) -> Option<&mut Box<dyn SteamBackend>> {
        if self.backend.is_none() {
            godot_error!("Steam.{method}: {NOT_INITIALISED}");
        }
        self.backend.as_mut()
    }

    fn simulation(&mut self, method: &str) -> Option<&mut SimulatedSteam> {
        let backend = self.backend_or_error(method)?;
        let sim = backend.as_any_mut().downcast_mut::<SimulatedSteam>();
        if sim.is_none() {
            godot_error!("Steam.{method}: only available with the simulated backend (steam/auth/backend = \"simulated\")");
        }
        sim
    }
}

fn emit(this: &mut Gd<Steam>, event: SteamEvent) {
    match event {
        SteamEvent::AuthSessionTicket { handle, result } => {
            this.emit_signal(
                "get_auth_session_ticket_response",
                &[
                    i64::from(handle).to_variant(),
                    i64::from(result).to_variant(),
                ],
            );
        }
        SteamEvent::TicketForWebApi {
            handle,
            result,
            ticket,
        } => {
            let size = ticket.len() as i64;
            this.emit_signal(
                "get_ticket_for_web_api",
                &[
                    i64::from(handle).to_variant(),
                    i64::from(result).to_variant(),
                    size.to_variant(),
                    PackedByteArray::from(ticket).to_variant(),
                ],
            );
        }
        SteamEvent::ValidateAuthTicket {
            steam_id,
            response,
            owner_steam_id,
        } => {
            this.emit_signal(
                "validate_auth_ticket_response",
                &[
                    (steam_id as i64).to_variant(),
                    i64::from(response).to_variant(),
                    (owner_steam_id as i64).to_variant(),
                ],
            );
        }
    }
}

fn ticket_dictionary(handle: i64, bytes: &[u8]) -> VarDictionary {
    vdict! {
        "id" => handle,
        "buffer" => &PackedByteArray::from(bytes),
        "size" => bytes.len() as i64,
    }
}

fn scene_tree() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()
}

fn backend_kind() -> Result<BackendKind, String> {
    let (value, from) = match settings::env(settings::BACKEND_ENV) {
        Some(v) => (v, format!("environment variable {}", settings::BACKEND_ENV)),
        None => (
            settings::get(settings::BACKEND)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "steam".into()),
            format!("Project Setting {}", settings::BACKEND),
        ),
    };
    BackendKind::parse(&value)
        .ok_or_else(|| format!("{from} is {value:?}; it must be \"steam\" or \"simulated\""))
}

fn simulated_steam_id() -> Result<u64, String> {
    if let Some(v) = settings::env(settings::SIMULATED_STEAM_ID_ENV) {
        return v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id != 0)
            .ok_or_else(|| {
                format!(
                    "environment variable {} is {v:?}, not a SteamID64",
                    settings::SIMULATED_STEAM_ID_ENV
                )
            });
    }
    let value = settings::get(settings::SIMULATED_STEAM_ID)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(DEFAULT_SIMULATED_STEAM_ID as i64);
    args::steam_id(value).ok_or_else(|| {
        format!(
            "Project Setting {} is {value}, not a SteamID64",
            settings::SIMULATED_STEAM_ID
        )
    })
}

/// Where `steam_appid.txt` is looked for: the working directory, the project, the executable's folder.
fn app_id_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        dirs.push(cwd);
    }
    let project = ProjectSettings::singleton()
        .globalize_path("res://")
        .to_string();
    if !project.is_empty() && !project.starts_with("res://") {
        dirs.push(PathBuf::from(project));
    }
    let exe = Os::singleton().get_executable_path().to_string();
    if let Some(dir) = PathBuf::from(exe).parent() {
        dirs.push(dir.to_path_buf());
    }
    dirs
}

fn mint_options(
    steam_id: u64,
    app_id: u32,
    options: &VarDictionary,
) -> Result<MintOptions, String> {
    let mut opts = MintOptions::session(steam_id, app_id);
    let int = |key: &str| -> Result<Option<i64>, String> {
        match options.get(key) {
            None => Ok(None),
            Some(v) => v
                .try_to::<i64>()
                .map(Some)
                .map_err(|_| format!("option {key} must be an int")),
        }
    };
    let u32_of = |key: &str, v: i64| {
        u32::try_from(v).map_err(|_| format!("option {key} is out of range: {v}"))
    };
    if let Some(v) = int("app_id")? {
        opts.app_id = u32_of("app_id", v)?;
    }
    if let Some(v) = int("owner_steam_id")? {
        opts.owner_steam_id =
            Some(args::steam_id(v).ok_or("option owner_steam_id is not a SteamID64")?);
    }
    if let Some(v) = int("expires_in")? {
        opts.expires_in = v;
    }
    if let Some(v) = int("version")? {
        opts.version = u32_of("version", v)?;
    }
    if let Some(v) = int("ticket_type")? {
        opts.ticket_type = TicketType::from(u32_of("ticket_type", v)?);
    }
    if let Some(v) = options.get("licenses") {
        let licenses = v
            .try_to::<PackedInt64Array>()
            .map_err(|_| "option licenses must be an array of ints".to_string())?;
        opts.licenses = licenses
            .as_slice()
            .iter()
            .map(|l| u32_of("licenses", *l))
            .collect::<Result<_, _>>()?;
    }
    Ok(opts)
}
