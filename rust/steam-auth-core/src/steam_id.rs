//! What a SteamID64 says about itself (`CSteamID`'s accessors): account id, instance, account type
//! and universe are bit fields, so GodotSteam Server's `getSteamID32`, `isAnonAccount`, `isLobby`, ...
//! need no Steam connection and answer the same on every backend.

use crate::codes::AccountType;

/// The parts of a SteamID64: account id (bits 0..31), instance (32..51), type (52..55), universe
/// (56..63).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SteamIdParts(pub u64);

/// `k_EChatInstanceFlagLobby`: the instance bit that marks a chat SteamID as a matchmaking lobby.
const CHAT_INSTANCE_FLAG_LOBBY: u32 = (0x000F_FFFF + 1) >> 2;

impl SteamIdParts {
    /// `GetAccountID`: the low 32 bits (the "SteamID32").
    pub fn account_id(self) -> u32 {
        (self.0 & 0xFFFF_FFFF) as u32
    }

    /// `GetUnAccountInstance`.
    pub fn instance(self) -> u32 {
        ((self.0 >> 32) & 0x000F_FFFF) as u32
    }

    /// `GetEAccountType` as a number (`ACCOUNT_TYPE_*`).
    pub fn account_type_code(self) -> i64 {
        ((self.0 >> 52) & 0xF) as i64
    }

    /// `GetEUniverse` as a number (`UNIVERSE_*`).
    pub fn universe_code(self) -> i64 {
        (self.0 >> 56) as i64
    }

    fn is(self, kind: AccountType) -> bool {
        self.account_type_code() == i64::from(kind.code())
    }

    /// `BAnonAccount`: an anonymous user or anonymous game server.
    pub fn is_anon(self) -> bool {
        self.is(AccountType::AnonUser) || self.is(AccountType::AnonGameServer)
    }

    /// `BAnonUserAccount`.
    pub fn is_anon_user(self) -> bool {
        self.is(AccountType::AnonUser)
    }

    /// `BChatAccount`.
    pub fn is_chat(self) -> bool {
        self.is(AccountType::Chat)
    }

    /// `BClanAccount`: a Steam group.
    pub fn is_clan(self) -> bool {
        self.is(AccountType::Clan)
    }

    /// `BConsoleUserAccount`.
    pub fn is_console_user(self) -> bool {
        self.is(AccountType::ConsoleUser)
    }

    /// `BIndividualAccount`: a player (console users count, as in `CSteamID`).
    pub fn is_individual(self) -> bool {
        self.is(AccountType::Individual) || self.is(AccountType::ConsoleUser)
    }

    /// `IsLobby`: a chat SteamID with the lobby instance flag.
    pub fn is_lobby(self) -> bool {
        self.is_chat() && self.instance() & CHAT_INSTANCE_FLAG_LOBBY != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_players_steamid_is_an_individual_in_the_public_universe() {
        let player = SteamIdParts(76561198000000000);
        assert_eq!(player.account_id(), 39_734_272);
        assert_eq!(player.instance(), 1);
        assert_eq!(player.account_type_code(), 1);
        assert_eq!(player.universe_code(), 1);
        assert!(player.is_individual());
        assert!(!player.is_anon() && !player.is_clan() && !player.is_chat() && !player.is_lobby());
    }

    #[test]
    fn game_servers_groups_and_lobbies_are_told_apart() {
        let anon_server = SteamIdParts(0x0140_0000_0000_0000 | 1234);
        assert!(anon_server.is_anon() && !anon_server.is_anon_user());
        assert_eq!(anon_server.account_type_code(), 4);
        assert!(!anon_server.is_individual());
        // A Steam group: type 7, instance 0 (103582791429521408 is Valve's first group id base).
        let group = SteamIdParts(103_582_791_429_521_408 + 5);
        assert!(group.is_clan() && !group.is_chat());
        assert_eq!(group.account_id(), 5);
        // A lobby: type 8 with the lobby instance flag; a plain chat room has no flag.
        let lobby = SteamIdParts(0x0186_0000_0000_0000 | 42);
        assert!(lobby.is_chat() && lobby.is_lobby());
        let chat_room = SteamIdParts(0x0180_0000_0000_0000 | 42);
        assert!(chat_room.is_chat() && !chat_room.is_lobby());
        let console = SteamIdParts(0x0190_0000_0000_0001);
        assert!(console.is_console_user() && console.is_individual());
        let anon_user = SteamIdParts(0x01A0_0000_0000_0001);
        assert!(anon_user.is_anon_user() && anon_user.is_anon());
    }
}
