//! The Godot-agnostic half of the `Steam` and `SteamServer` singletons: Steam backends (the real one
//! through `steamworks`, and a simulated Steam), networking identities, result codes and app id
//! resolution.
//!
//! `validator` is what both sides share; `client` serves the `Steam` singleton and `server` the
//! `SteamServer` singleton, each with a `steamworks` and a `simulated` implementation. The gdext
//! crate only translates between these types and Godot's.

pub mod app_id;
pub mod auth_sessions;
pub mod client;
pub mod codes;
pub mod identity;
pub mod multiplayer_auth;
pub mod server;
pub mod steam_id;
pub mod steamworks_status;
pub mod validator;

pub use app_id::{resolve_app_id, AppIdError, AppIdSource, MISSING_APP_ID};
pub use client::simulated::{
    MintOptions, SimulatedConfig, SimulatedSteam, DEFAULT_LANGUAGE, DEFAULT_PERSONA_NAME,
    DEFAULT_SIMULATED_STEAM_ID, DEVELOPMENT_ENCRYPTED_TICKET_KEY,
};
pub use client::steamworks::SteamworksBackend;
pub use client::{IssuedTicket, SteamBackend, SteamEvent};
pub use codes::{
    eresult, AccountType, AuthSessionResponse, BeginAuthResult, DenyReason, EnumTable, InitResult,
    InitStatus, LicenseResult, ServerMode, ENUMS, SERVER_ENUMS,
};
pub use identity::{Identity, IdentityError};
pub use multiplayer_auth::{Outcome, PeerAuth, PeerId, Rejection};
pub use server::simulated::SimulatedGameServer;
pub use server::steamworks::SteamworksGameServer;
pub use server::{
    GameServerBackend, OutgoingPacket, PlayerCompat, PublicIp, ServerConfig, ServerEvent,
    ServerInfo, ServerSetting,
};
pub use steam_id::SteamIdParts;
pub use validator::{AuthValidator, BackendKind, TicketVerdict};
