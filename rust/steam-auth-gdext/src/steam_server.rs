//! The `SteamServer` engine singleton: GodotSteam Server's names for `ISteamGameServer`'s log-on
//! and auth calls, so a dedicated Godot server (no Steam client) validates its players.
//!
//! Backends as for `Steam`: `steamworks::Server` (Valve's `SteamGameServer_*`), or the simulated game
//! server from `steam-auth-core`, which checks simulation-signed tickets from any process.

use godot::classes::Engine;
use godot::prelude::*;

use steam_auth_core::{
    resolve_app_id, BackendKind, GameServerBackend, InitResult, InitStatus, ServerConfig,
    ServerEvent, ServerMode, SimulatedGameServer, SteamworksGameServer, TicketVerdict,
};

use crate::backend_slot::BackendSlot;

use crate::steam::settings as steam_settings;
use crate::{frame_pump, settings};

/// The name GodotSteam Server gives its singleton.
pub const SINGLETON_NAME: &str = "SteamServer";

const NOT_INITIALISED: &str = "the server is not initialised: call SteamServer.serverInit() first";
const MISSING_SERVER_APP_ID: &str = "no app id: start the server with SteamAppId set, put \
steam_appid.txt next to it, or set the Project Setting steam/auth/app_id";

/// Steam's game-server API for dedicated servers, call-compatible with GodotSteam Server.
///
/// A dedicated server has no Steam client, so it validates players' session tickets here:
/// [code]serverInit(...)[/code], [method logOnAnonymous] (or [method logOn] with a game server login
/// token), then [method beginAuthSession] for each player and [method endAuthSession] when they leave.
/// It talks to Steam through Steamworks' game-server API; with [code]steam/auth/backend = "simulated"[/code]
/// (or [code]STEAM_AUTH_BACKEND[/code]) a simulated game server checks simulation-signed tickets from
/// any process like Steam does: signature, SteamID, app, version, expiry, duplicate and reused
/// tickets. Callbacks are dispatched every frame.
#[derive(GodotClass)]
#[class(no_init, base = Object)]
pub struct SteamServer {
    backend: BackendSlot<dyn GameServerBackend>,
    events: Vec<ServerEvent>,
    base: Base<Object>,
}

#[godot_api]
impl SteamServer {
    /// A player's session was decided, or changed state later. [param auth_id] is the player's
    /// SteamID, [param response] an [enum AuthSessionResponse] value, [param owner_id] the SteamID
    /// that owns the game (differs under Family Sharing).
    #[signal]
    fn validate_auth_ticket_response(auth_id: i64, response: i64, owner_id: i64);

    /// The server logged on to Steam.
    #[signal]
    fn server_connected();

    /// Logging on failed: [param result] a [enum Result] value (102 [constant RESULT_GSLT_DENIED]
    /// for a refused token), [param retrying] whether Steam keeps trying.
    #[signal]
    fn server_connect_failure(result: i64, retrying: bool);

    /// The server lost (or gave up with [method logOff]) its connection to Steam.
    #[signal]
    fn server_disconnected(result: i64);

    /// Initialises the game server: [param ip] to bind ([code]"0.0.0.0"[/code] for any),
    /// [param game_port], [param query_port], [param server_mode] a [enum ServerMode] value, and
    /// [param version] ("x.x.x.x"). Returns [code]true[/code] on success; [method serverInitEx] says
    /// why not. The app id comes from [code]SteamAppId[/code], [code]SteamGameId[/code],
    /// [code]steam_appid.txt[/code] or the Project Setting [code]steam/auth/app_id[/code].
    #[func(rename = serverInit)]
    fn server_init(
        &mut self,
        ip: GString,
        game_port: i64,
        query_port: i64,
        server_mode: i64,
        version: GString,
    ) -> bool {
        self.init(&ip, game_port, query_port, server_mode, &version)
            .is_ok()
    }

    /// Like [method serverInit], returning [code]{status, verbal}[/code]: status a
    /// [enum SteamAPIInitResult] value, verbal what happened or what to do.
    #[func(rename = serverInitEx)]
    fn server_init_ex(
        &mut self,
        ip: GString,
        game_port: i64,
        query_port: i64,
        server_mode: i64,
        version: GString,
    ) -> VarDictionary {
        let status = self.init(&ip, game_port, query_port, server_mode, &version);
        vdict! {
            "status" => i64::from(status.status.code()),
            "verbal" => status.verbal.as_str(),
        }
    }

    /// [code]true[/code] between a successful [method serverInit] and [method serverShutdown].
    #[func(rename = isServerInitialized)]
    fn is_server_initialized(&self) -> bool {
        self.backend.is_initialised()
    }

    /// Logs on to a generic, anonymous game server account; [signal server_connected] follows.
    #[func(rename = logOnAnonymous)]
    fn log_on_anonymous(&mut self) {
        if let Some(b) = self.backend.or_error_mut("logOnAnonymous") {
            b.log_on_anonymous();
        }
    }

    /// Logs on to a persistent game server account with its login token (GSLT);
    /// [signal server_connected] or [signal server_connect_failure] follows. The token never
    /// appears in a message.
    #[func(rename = logOn)]
    fn log_on(&mut self, token: GString) {
        if let Some(b) = self.backend.or_error_mut("logOn") {
            b.log_on(&token.to_string());
        }
    }

    /// Logs off Steam; [signal server_disconnected] follows.
    #[func(rename = logOff)]
    fn log_off(&mut self) {
        if let Some(b) = self.backend.or_error_mut("logOff") {
            b.log_off();
        }
    }

    /// Whether the server is logged on to Steam. [code]false[/code] (with an error) before init.
    #[func(rename = loggedOn)]
    fn logged_on(&self) -> bool {
        self.backend.logged_on()
    }

    /// The server's own SteamID64, 0 until it is logged on. 0 (with an error) before init.
    #[func(rename = getSteamID)]
    fn get_steam_id(&self) -> i64 {
        self.backend.steam_id()
    }

    /// Validates a player's session ticket: a [enum BeginAuthSessionResult] value now and, on 0,
    /// [signal validate_auth_ticket_response] later (once the server is logged on). Only the first
    /// [param ticket_size] bytes of [param ticket] are read. Returns 1 (with an error) before init or
    /// when ticket_size does not fit.
    #[func(rename = beginAuthSession)]
    fn begin_auth_session(
        &mut self,
        ticket: PackedByteArray,
        ticket_size: i64,
        steam_id: i64,
    ) -> i64 {
        self.backend
            .begin_auth_session(&ticket, ticket_size, steam_id)
    }

    /// Ends the session begun for [param steam_id] (the player left). Warns if there is none.
    #[func(rename = endAuthSession)]
    fn end_auth_session(&mut self, steam_id: i64) {
        self.backend.end_auth_session(steam_id);
    }

    /// Whether a player with an active session owns [param app_id] (the game or a DLC): a
    /// [enum UserHasLicenseForAppResult] value. 2 (no auth, with an error) before init.
    #[func(rename = userHasLicenseForApp)]
    fn user_has_license_for_app(&mut self, steam_id: i64, app_id: i64) -> i64 {
        self.backend
            .user_has_license_for_app("userHasLicenseForApp", steam_id, app_id)
    }

    /// Dispatches pending game-server callbacks as signals; called every frame after init.
    #[func(gd_self)]
    fn run_callbacks(mut this: Gd<Self>) {
        let mut events = {
            let mut server = this.bind_mut();
            let mut events = std::mem::take(&mut server.events);
            if let Some(b) = server.backend.get_mut() {
                b.run_callbacks(&mut events);
            }
            events
        };
        for event in events.drain(..) {
            emit(&mut this, event);
        }
        let mut server = this.bind_mut();
        if server.events.capacity() < events.capacity() {
            server.events = events;
        }
    }

    /// Shuts the game server down; its sessions are forgotten. Harmless when not initialised.
    #[func(rename = serverShutdown)]
    fn server_shutdown(&mut self) {
        self.shutdown();
    }
}

impl SteamServer {
    /// Registers the singleton unless another `SteamServer` (GodotSteam Server's) exists; the
    /// `steam/auth/provide_steam_singleton` policy applies as for `Steam`.
    pub fn register_singleton() {
        let mut engine = Engine::singleton();
        let taken = engine.has_singleton(SINGLETON_NAME);
        match steam_settings::provide_steam_singleton() {
            steam_settings::ProvideSingleton::Never => {}
            _ if taken => {}
            _ => engine.register_singleton(SINGLETON_NAME, &Self::new_gd()),
        }
    }

    pub fn unregister_singleton() {
        if let Some(ours) = Self::ours() {
            Engine::singleton().unregister_singleton(SINGLETON_NAME);
            ours.free();
        }
    }

    /// Shuts down and disconnects everything from its signals (at the end of the SceneTree).
    pub fn release_all() {
        let Some(mut this) = Self::ours() else {
            return;
        };
        this.bind_mut().shutdown();
        crate::steam::disconnect_all_signals(&mut this.upcast::<Object>());
    }

    fn ours() -> Option<Gd<SteamServer>> {
        let engine = Engine::singleton();
        if !engine.has_singleton(SINGLETON_NAME) {
            return None;
        }
        engine
            .get_singleton(SINGLETON_NAME)
            .and_then(|s| s.try_cast::<SteamServer>().ok())
    }

    fn new_gd() -> Gd<Self> {
        Gd::from_init_fn(|base| SteamServer {
            backend: BackendSlot::empty(SINGLETON_NAME, NOT_INITIALISED),
            events: Vec::new(),
            base,
        })
    }

    fn shutdown(&mut self) {
        if self.backend.clear() {
            frame_pump::stop(&self.to_gd());
        }
        self.events.clear();
    }

    fn init(
        &mut self,
        ip: &GString,
        game_port: i64,
        query_port: i64,
        server_mode: i64,
        version: &GString,
    ) -> InitStatus {
        if self.backend.is_initialised() {
            return InitStatus::ok("the server is already initialised");
        }
        let status = match server_config(ip, game_port, query_port, server_mode, version) {
            Ok((kind, config)) => {
                let verbal = format!(
                    "game server initialised: {} backend, app {}, ports {}/{}",
                    kind.name(),
                    config.app_id,
                    config.game_port,
                    config.query_port
                );
                let backend: Result<Box<dyn GameServerBackend>, InitStatus> = match kind {
                    BackendKind::Simulated => Ok(Box::new(SimulatedGameServer::new(config))),
                    BackendKind::Steam => SteamworksGameServer::init(&config)
                        .map(|b| Box::new(b) as Box<dyn GameServerBackend>),
                };
                match backend {
                    Ok(backend) => {
                        self.backend.set(backend);
                        if steam_settings::embed_callbacks() && !frame_pump::start(&self.to_gd()) {
                            godot_warn!("SteamServer.serverInit: no SceneTree is running; call SteamServer.run_callbacks() every frame");
                        }
                        InitStatus::ok(verbal)
                    }
                    Err(status) => status,
                }
            }
            Err(message) => InitStatus::failed(InitResult::FailedGeneric, message),
        };
        if !status.is_ok() {
            godot_warn!("SteamServer.serverInit: {}", status.verbal);
        }
        status
    }
}

/// Checks `serverInit`'s arguments, picks the backend and finds the app id.
fn server_config(
    ip: &GString,
    game_port: i64,
    query_port: i64,
    server_mode: i64,
    version: &GString,
) -> Result<(BackendKind, ServerConfig), String> {
    let kind = crate::steam::init::backend_kind()?;
    let ip = ip
        .to_string()
        .parse::<std::net::Ipv4Addr>()
        .map_err(|_| format!("ip {ip:?} is not an IPv4 address (\"0.0.0.0\" binds any)"))?;
    let port = |name: &str, v: i64| {
        u16::try_from(v).map_err(|_| format!("{name} {v} is not a port (0..65535)"))
    };
    let mode = ServerMode::from_code(server_mode)
        .filter(|m| *m != ServerMode::Invalid)
        .ok_or_else(|| format!("server_mode {server_mode} is not a SERVER_MODE_* value (1..3)"))?;
    let setting = settings::get(steam_settings::APP_ID)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(0);
    let dirs = crate::steam::init::app_id_dirs();
    let dir_refs: Vec<&std::path::Path> = dirs.iter().map(std::path::PathBuf::as_path).collect();
    let (app_id, _) = resolve_app_id(0, settings::env, &dir_refs, setting)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| MISSING_SERVER_APP_ID.to_owned())?;
    let config = ServerConfig {
        app_id,
        ip,
        game_port: port("game_port", game_port)?,
        query_port: port("query_port", query_port)?,
        mode,
        version: version.to_string(),
    };
    Ok((kind, config))
}

fn emit(this: &mut Gd<SteamServer>, event: ServerEvent) {
    let mut signals = this.signals();
    match event {
        ServerEvent::Connected => signals.server_connected().emit(),
        ServerEvent::ConnectFailure { result, retrying } => signals
            .server_connect_failure()
            .emit(i64::from(result), retrying),
        ServerEvent::Disconnected { result } => {
            signals.server_disconnected().emit(i64::from(result))
        }
        ServerEvent::ValidateAuthTicket(TicketVerdict {
            steam_id,
            response,
            owner_steam_id,
        }) => signals.validate_auth_ticket_response().emit(
            steam_id as i64,
            i64::from(response),
            owner_steam_id as i64,
        ),
    }
}
