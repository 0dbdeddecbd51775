//! The real Steam game server, through `steamworks::Server` (Valve's `SteamGameServer_*` flat API).
//! steamworks 0.13 wraps log-on, the SteamID and auth sessions; `BLoggedOn`, `LogOff` and
//! `UserHasLicenseForApp` go through the flat API directly.

use steamworks::{AuthSessionError, CallbackResult, Server, SteamId};

use crate::codes::{BeginAuthResult, InitStatus, LicenseResult, ServerMode};
use crate::server::{GameServerBackend, ServerConfig, ServerEvent};
use crate::steamworks_status::{init_failure, steam_error_code, steam_running, validate_code};
use crate::validator::{AuthValidator, BackendKind, TicketVerdict};

/// The steamworks game-server adapter.
pub struct SteamworksGameServer {
    server: Server,
    app_id: u32,
}

impl SteamworksGameServer {
    /// `SteamGameServer_Init` for `config`; the app id must already be in `SteamAppId` (as Steam
    /// reads it), which [`Self::init`] sets from `config.app_id`.
    pub fn init(config: &ServerConfig) -> Result<Self, InitStatus> {
        std::env::set_var("SteamAppId", config.app_id.to_string());
        let mode = match config.mode {
            ServerMode::NoAuthentication | ServerMode::Invalid => {
                steamworks::ServerMode::NoAuthentication
            }
            ServerMode::Authentication => steamworks::ServerMode::Authentication,
            ServerMode::AuthenticationAndSecure => steamworks::ServerMode::AuthenticationAndSecure,
        };
        let (server, _client) = Server::init(
            config.ip,
            config.game_port,
            config.query_port,
            mode,
            &config.version,
        )
        .map_err(|err| init_failure(&err, steam_running()))?;
        Ok(SteamworksGameServer {
            server,
            app_id: config.app_id,
        })
    }
}

fn game_server() -> *mut steamworks_sys::ISteamGameServer {
    // SAFETY: called only while a Server exists (self holds one), so the interface is initialised.
    unsafe { steamworks_sys::SteamAPI_SteamGameServer_v015() }
}

impl AuthValidator for SteamworksGameServer {
    fn kind(&self) -> BackendKind {
        BackendKind::Steam
    }

    fn app_id(&self) -> u32 {
        self.app_id
    }

    fn logged_on(&self) -> bool {
        // SAFETY: see game_server().
        unsafe { steamworks_sys::SteamAPI_ISteamGameServer_BLoggedOn(game_server()) }
    }

    fn steam_id(&self) -> u64 {
        self.server.steam_id().raw()
    }

    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult {
        match self
            .server
            .begin_authentication_session(SteamId::from_raw(steam_id), ticket)
        {
            Ok(()) => BeginAuthResult::Ok,
            Err(AuthSessionError::InvalidTicket) => BeginAuthResult::InvalidTicket,
            Err(AuthSessionError::DuplicateRequest) => BeginAuthResult::DuplicateRequest,
            Err(AuthSessionError::InvalidVersion) => BeginAuthResult::InvalidVersion,
            Err(AuthSessionError::GameMismatch) => BeginAuthResult::GameMismatch,
            Err(AuthSessionError::ExpiredTicket) => BeginAuthResult::ExpiredTicket,
        }
    }

    /// Steam ignores unknown SteamIDs and says nothing, so this reports true.
    fn end_auth_session(&mut self, steam_id: u64) -> bool {
        self.server
            .end_authentication_session(SteamId::from_raw(steam_id));
        true
    }

    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult {
        // SAFETY: see game_server().
        let code = unsafe {
            steamworks_sys::SteamAPI_ISteamGameServer_UserHasLicenseForApp(
                game_server(),
                steam_id,
                app_id,
            )
        } as i64;
        LicenseResult::from_code(code).unwrap_or(LicenseResult::NoAuth)
    }
}

impl GameServerBackend for SteamworksGameServer {
    fn log_on_anonymous(&mut self) {
        self.server.log_on_anonymous();
    }

    fn log_on(&mut self, token: &str) {
        // steamworks' log_on unwraps a CString: interior NULs would panic across the FFI boundary.
        self.server.log_on(&token.replace('\0', ""));
    }

    fn log_off(&mut self) {
        // SAFETY: see game_server().
        unsafe { steamworks_sys::SteamAPI_ISteamGameServer_LogOff(game_server()) }
    }

    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>) {
        self.server.process_callbacks(|callback| match callback {
            CallbackResult::SteamServersConnected(_) => out.push(ServerEvent::Connected),
            CallbackResult::SteamServerConnectFailure(r) => out.push(ServerEvent::ConnectFailure {
                result: steam_error_code(&r.reason),
                retrying: r.still_retrying,
            }),
            CallbackResult::SteamServersDisconnected(r) => out.push(ServerEvent::Disconnected {
                result: steam_error_code(&r.reason),
            }),
            CallbackResult::ValidateAuthTicketResponse(r) => {
                out.push(ServerEvent::ValidateAuthTicket(TicketVerdict {
                    steam_id: r.steam_id.raw(),
                    response: validate_code(&r.response),
                    owner_steam_id: r.owner_steam_id.raw(),
                }))
            }
            _ => {}
        });
    }
}
