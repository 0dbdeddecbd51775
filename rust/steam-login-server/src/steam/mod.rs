//! Steam's Web API: the client (`ISteamUserAuth/AuthenticateUserTicket`, `ISteamUser/CheckAppOwnership`)
//! and the daily quota its calls are taken from.

pub mod quota;
pub mod web_api;
