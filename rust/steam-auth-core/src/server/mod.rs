//! The game-server side: what a game-server backend offers the `SteamServer` singleton: `ISteamGameServer`'s log-on and
//! auth calls. A dedicated server runs without a Steam client, so it validates players here rather
//! than through `ISteamUser`.
//!
//! Two implementations: `steamworks` (Valve's game server) and `simulated`.

pub mod browser;
pub mod simulated;
pub mod steamworks;

pub use browser::{ServerInfo, ServerSetting};

use crate::client::IssuedTicket;
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
    /// `GSPolicyResponse_t` → `policy_response(secure)`: after log-on, whether the server is VAC
    /// secure.
    PolicyResponse { secure: bool },
    /// `GSClientApprove_t` → `client_approved(steam_id, owner_id)`.
    ClientApproved { steam_id: u64, owner_steam_id: u64 },
    /// `GSClientDeny_t` → `client_denied(steam_id, reason)`: a `DenyReason` value.
    ClientDenied { steam_id: u64, reason: i32 },
    /// `GSClientKick_t` → `client_kick(steam_id, reason)`.
    ClientKick { steam_id: u64, reason: i32 },
    /// `GSClientGroupStatus_t` → `client_group_status(steam_id, group_id, member, officer)`.
    ClientGroupStatus {
        steam_id: u64,
        group_id: u64,
        member: bool,
        officer: bool,
    },
    /// `AssociateWithClanResult_t` → `associate_clan(result)`: an EResult.
    AssociateClan { result: i32 },
    /// `ComputeNewPlayerCompatibilityResult_t` → `player_compat(result, ...)`.
    PlayerCompat(PlayerCompat),
}

/// `ComputeNewPlayerCompatibilityResult_t`: how many players on the server dislike the candidate
/// (or are disliked by them), by Steam's friends-and-blocks data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayerCompat {
    /// An EResult.
    pub result: i32,
    pub players_that_dont_like_candidate: i32,
    pub players_that_candidate_doesnt_like: i32,
    pub clan_players_that_dont_like_candidate: i32,
    pub candidate_steam_id: u64,
}

/// `GetPublicIP`: the server's address as Steam sees it (behind NAT, not the bound one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicIp {
    /// Not known yet (before log-on), as Steam answers then: an IPv4 of 0.
    Unknown,
    V4(std::net::Ipv4Addr),
    V6(std::net::Ipv6Addr),
}

/// A packet Steam wants sent from the game's query socket (`GetNextOutgoingPacket`), for servers that
/// share their game port with Steam's queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingPacket {
    pub bytes: Vec<u8>,
    pub address: std::net::Ipv4Addr,
    pub port: u16,
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

/// `ISteamGameServer` (besides what [`AuthValidator`] shares with the client). Called on the main
/// thread; callbacks come only from [`run_callbacks`](GameServerBackend::run_callbacks), never from
/// inside another call.
pub trait GameServerBackend: AuthValidator {
    /// One server-browser setter (`SetServerName`, `SetKeyValue`, ...). What was set is the caller's
    /// to remember ([`ServerInfo`]).
    fn set(&mut self, setting: &ServerSetting);

    /// `BSecure`: the server is VAC secure (Steam's policy response said so after log-on).
    fn secure(&self) -> bool;

    /// `GetPublicIP`.
    fn public_ip(&self) -> PublicIp;

    /// `WasRestartRequested`: Steam asked the server to restart for an update (reported once).
    fn was_restart_requested(&mut self) -> bool;

    /// `GetAuthSessionTicket`: the server's own ticket, for a client's `beginAuthSession`;
    /// `for_steam_id` is the peer it is meant for (0: any).
    fn auth_session_ticket(&mut self, for_steam_id: u64) -> IssuedTicket;

    /// `CancelAuthTicket` for a ticket from [`auth_session_ticket`](Self::auth_session_ticket).
    fn cancel_auth_ticket(&mut self, handle: u32);

    /// `GetNextOutgoingPacket`: `None` when Steam has nothing to send.
    fn next_outgoing_packet(&mut self) -> Option<OutgoingPacket>;

    /// `HandleIncomingPacket`: true when the packet was one of Steam's queries and was handled.
    fn handle_incoming_packet(&mut self, packet: &[u8], ip: std::net::Ipv4Addr, port: u16) -> bool;

    /// `RequestUserGroupStatus`: false when Steam cannot be asked; else `ClientGroupStatus` follows.
    fn request_user_group_status(&mut self, steam_id: u64, group_id: u64) -> bool;

    /// `AssociateWithClan`: `AssociateClan` follows.
    fn associate_with_clan(&mut self, clan_id: u64);

    /// `ComputeNewPlayerCompatibility`: `PlayerCompat` follows.
    fn compute_new_player_compatibility(&mut self, steam_id: u64);

    /// `LogOnAnonymous`: `Connected` (or `ConnectFailure`) follows.
    fn log_on_anonymous(&mut self);

    /// `LogOn` with a game server login token (GSLT).
    fn log_on(&mut self, token: &str);

    /// `LogOff`: `Disconnected` follows.
    fn log_off(&mut self);

    /// Pumps pending callbacks into `out` (appended).
    fn run_callbacks(&mut self, out: &mut Vec<ServerEvent>);
}
