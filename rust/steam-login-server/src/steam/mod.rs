//! Steam's Web API: the client (`ISteamUserAuth/AuthenticateUserTicket`, `ISteamUser/CheckAppOwnership`,
//! `ISteamUser/GetFriendList`), its connections, and the daily quota its calls are taken from.

mod http1_pool;
pub mod quota;
pub mod web_api;
