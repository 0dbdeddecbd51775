//! The Godot-agnostic half of the `Steam` singleton: Steam backends (the real one through
//! `steamworks`, and a simulated Steam), networking identities, result codes and app id resolution.
//!
//! The gdext crate only translates between these types and Godot's.

pub mod app_id;
pub mod auth_sessions;
pub mod backend;
pub mod codes;
pub mod game_server;
pub mod identity;
pub mod multiplayer_auth;
pub mod simulated;
pub mod simulated_server;
pub mod steamworks_backend;
pub mod steamworks_server;

pub use app_id::{resolve_app_id, AppIdError, AppIdSource, MISSING_APP_ID};
pub use backend::{BackendKind, IssuedTicket, SteamBackend, SteamEvent};
pub use codes::{
    eresult, AuthSessionResponse, BeginAuthResult, EnumTable, InitResult, InitStatus,
    LicenseResult, ServerMode, ENUMS, SERVER_ENUMS,
};
pub use game_server::{GameServerBackend, ServerConfig, ServerEvent};
pub use identity::{Identity, IdentityError};
pub use multiplayer_auth::{Outcome, PeerAuth, PeerId, Rejection};
pub use simulated::{
    MintOptions, SimulatedConfig, SimulatedSteam, DEFAULT_LANGUAGE, DEFAULT_PERSONA_NAME,
    DEFAULT_SIMULATED_STEAM_ID,
};
pub use simulated_server::SimulatedGameServer;
pub use steamworks_backend::SteamworksBackend;
pub use steamworks_server::SteamworksGameServer;
