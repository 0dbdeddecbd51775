//! The game-server side: what a game-server backend offers the `SteamServer` singleton: `ISteamGameServer`'s log-on and
//! auth calls. A dedicated server runs without a Steam client, so it validates players here rather
//! than through `ISteamUser`.
//!
//! Two implementations: `steamworks` (Valve's game server) and `simulated`.

pub mod simulated;
pub mod steamworks;

use crate::validator::{AuthValidator, TicketVerdict};

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
    ValidateAuthTicket(TicketVerdict),
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
pub trait GameServerBackend: AuthValidator {
    /// `LogOnAnonymous`: `Connected` (or `ConnectFailure`) follows.
    fn log_on_anonymous(&mut self);

    /// `LogOn` with a game server login token (GSLT).
    fn log_on(&mut self, token: &str);

    /// `LogOff`: `Disconnected` follows.
    fn log_off(&mut self);

    /// Pumps pending callbacks into `out` (appended).
    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>);
}
