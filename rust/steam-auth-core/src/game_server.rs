//! What a game-server backend offers the `SteamServer` singleton: `ISteamGameServer`'s log-on and
//! auth calls. A dedicated server runs without a Steam client, so it validates players here rather
//! than through `ISteamUser`.

use crate::backend::BackendKind;
use crate::codes::{BeginAuthResult, LicenseResult};

/// A game-server callback, translated to GodotSteam Server's signal arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// `SteamServersConnected_t` → `server_connected()`.
    Connected,
    /// `SteamServerConnectFailure_t` → `server_connect_failure(result, retrying)`.
    ConnectFailure { result: i32, retrying: bool },
    /// `SteamServersDisconnected_t` → `server_disconnected(result)`.
    Disconnected { result: i32 },
    /// `ValidateAuthTicketResponse_t` → `validate_auth_ticket_response(auth_id, response, owner_id)`.
    ValidateAuthTicket {
        steam_id: u64,
        response: i32,
        owner_steam_id: u64,
    },
}

/// How the server is set up (`SteamGameServer_Init`'s arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub app_id: u32,
    pub ip: std::net::Ipv4Addr,
    pub game_port: u16,
    pub query_port: u16,
    pub mode: crate::codes::ServerMode,
    pub version: String,
}

/// `ISteamGameServer`'s auth subset. Called on the main thread; callbacks come only from
/// [`run_callbacks`](GameServerBackend::run_callbacks), never from inside another call.
pub trait GameServerBackend {
    fn kind(&self) -> BackendKind;
    fn app_id(&self) -> u32;

    /// `LogOnAnonymous`: `Connected` (or `ConnectFailure`) follows.
    fn log_on_anonymous(&mut self);

    /// `LogOn` with a game server login token (GSLT).
    fn log_on(&mut self, token: &str);

    /// `LogOff`: `Disconnected` follows.
    fn log_off(&mut self);

    /// `BLoggedOn`.
    fn logged_on(&self) -> bool;

    /// `GetSteamID`: the server's own SteamID, 0 until Steam gave it one at log-on.
    fn steam_id(&self) -> u64;

    /// `BeginAuthSession`: synchronous checks now, a `ValidateAuthTicket` event later on success.
    fn begin_auth_session(&mut self, ticket: &[u8], steam_id: u64) -> BeginAuthResult;

    /// `EndAuthSession`. Returns false if no session was begun for that SteamID.
    fn end_auth_session(&mut self, steam_id: u64) -> bool;

    /// `UserHasLicenseForApp` for a player with an active auth session.
    fn user_has_license_for_app(&mut self, steam_id: u64, app_id: u32) -> LicenseResult;

    /// Pumps pending callbacks into `out` (appended).
    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>);
}
