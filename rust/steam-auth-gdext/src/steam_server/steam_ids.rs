//! GodotSteam Server's Main-group SteamID helpers: what a SteamID64 says about itself. They read the
//! id's bit fields, so they answer before init and the same on every backend.

use godot::prelude::*;

use steam_auth_core::SteamIdParts;

use super::SteamServer;

/// GDScript ints are i64; a SteamID64 is read as its 64 bits.
fn parts(steam_id: i64) -> SteamIdParts {
    SteamIdParts(steam_id as u64)
}

#[godot_api(secondary)]
impl SteamServer {
    /// The account id of [param steam_id]: its low 32 bits (the "SteamID32").
    #[func(rename = getSteamID32)]
    fn get_steam_id_32(&self, steam_id: i64) -> i64 {
        i64::from(parts(steam_id).account_id())
    }

    /// Whether [param steam_id] is an anonymous account (an anonymous user or game server).
    #[func(rename = isAnonAccount)]
    fn is_anon_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_anon()
    }

    /// Whether [param steam_id] is an anonymous user account.
    #[func(rename = isAnonUserAccount)]
    fn is_anon_user_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_anon_user()
    }

    /// Whether [param steam_id] is a chat room or lobby.
    #[func(rename = isChatAccount)]
    fn is_chat_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_chat()
    }

    /// Whether [param steam_id] is a Steam group (clan).
    #[func(rename = isClanAccount)]
    fn is_clan_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_clan()
    }

    /// Whether [param steam_id] is a console user's (PSN or Xbox Live) stand-in account.
    #[func(rename = isConsoleUserAccount)]
    fn is_console_user_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_console_user()
    }

    /// Whether [param steam_id] is a player's account (console users included).
    #[func(rename = isIndividualAccount)]
    fn is_individual_account(&self, steam_id: i64) -> bool {
        parts(steam_id).is_individual()
    }

    /// Whether [param steam_id] is a matchmaking lobby.
    #[func(rename = isLobby)]
    fn is_lobby(&self, steam_id: i64) -> bool {
        parts(steam_id).is_lobby()
    }
}
