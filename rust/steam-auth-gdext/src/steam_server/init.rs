//! Start-up and shutdown: `serverInit`'s arguments checked, the backend chosen, the app id found.

use godot::prelude::*;

use steam_auth_core::{
    resolve_app_id, BackendKind, GameServerBackend, InitResult, InitStatus, ServerConfig,
    ServerInfo, ServerMode, SimulatedGameServer, SteamworksGameServer,
};

use super::SteamServer;
use crate::steam_settings;
use crate::{frame_pump, settings};

/// The GodotSteam Server API level whose Main and Game Server members this class follows.
const GODOTSTEAM_SERVER_API: &str = "4.x";

const MISSING_SERVER_APP_ID: &str = "no app id: start the server with SteamAppId set, put \
steam_appid.txt next to it, or set the Project Setting steam/auth/app_id";

#[godot_api(secondary)]
impl SteamServer {
    /// The GodotSteam Server API this singleton follows and this addon's version, e.g.
    /// [code]"GodotSteam Server 4.x (steam-auth 0.1.0)"[/code].
    #[func]
    fn get_godotsteam_version(&self) -> GString {
        let version = format!(
            "GodotSteam Server {GODOTSTEAM_SERVER_API} (steam-auth {})",
            env!("CARGO_PKG_VERSION")
        );
        GString::from(version.as_str())
    }

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

    /// Shuts the game server down; its sessions are forgotten. Harmless when not initialised.
    #[func(rename = serverShutdown)]
    fn server_shutdown(&mut self) {
        self.shutdown();
    }
}

impl SteamServer {
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
                        self.info = ServerInfo::default();
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
    let kind = steam_settings::backend_kind()?;
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
    let dirs = steam_settings::app_id_dirs();
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
