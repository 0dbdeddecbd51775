//! What a dedicated server tells Steam's server browser (`ISteamGameServer`'s setters), and the
//! record of what it set: the simulated server shows it, and both backends answer
//! `SteamServer.getServerInfo()` from it.

use std::collections::BTreeMap;

/// One `ISteamGameServer` setter call with its argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerSetting {
    /// `SetProduct`: the game's product name (Steam wants the app id as a string).
    Product(String),
    /// `SetModDir`: the game's folder name ("garrysmod", ...).
    ModDir(String),
    /// `SetGameDescription`: the game's name shown in the browser.
    GameDescription(String),
    /// `SetServerName`.
    ServerName(String),
    /// `SetMapName`.
    MapName(String),
    /// `SetMaxPlayerCount`.
    MaxPlayerCount(i32),
    /// `SetBotPlayerCount`.
    BotPlayerCount(i32),
    /// `SetPasswordProtected`.
    PasswordProtected(bool),
    /// `SetDedicatedServer`.
    DedicatedServer(bool),
    /// `SetRegion`: the region the server is in ("255" for the world).
    Region(String),
    /// `SetGameTags`: comma-separated tags players can filter on.
    GameTags(String),
    /// `SetGameData`: hidden data matched by filters, not shown to players.
    GameData(String),
    /// `SetKeyValue`: a rule shown in the server's details.
    KeyValue(String, String),
    /// `ClearAllKeyValues`.
    ClearAllKeyValues,
    /// `SetSpectatorPort` (0: no spectator port).
    SpectatorPort(u16),
    /// `SetSpectatorServerName`.
    SpectatorServerName(String),
    /// `SetAdvertiseServerActive`: list the server on the master server.
    AdvertiseServerActive(bool),
}

impl ServerSetting {
    /// The setter's name in Valve's flat API (`SteamAPI_ISteamGameServer_<name>`).
    pub fn flat_name(&self) -> &'static str {
        match self {
            ServerSetting::Product(_) => "SetProduct",
            ServerSetting::ModDir(_) => "SetModDir",
            ServerSetting::GameDescription(_) => "SetGameDescription",
            ServerSetting::ServerName(_) => "SetServerName",
            ServerSetting::MapName(_) => "SetMapName",
            ServerSetting::MaxPlayerCount(_) => "SetMaxPlayerCount",
            ServerSetting::BotPlayerCount(_) => "SetBotPlayerCount",
            ServerSetting::PasswordProtected(_) => "SetPasswordProtected",
            ServerSetting::DedicatedServer(_) => "SetDedicatedServer",
            ServerSetting::Region(_) => "SetRegion",
            ServerSetting::GameTags(_) => "SetGameTags",
            ServerSetting::GameData(_) => "SetGameData",
            ServerSetting::KeyValue(..) => "SetKeyValue",
            ServerSetting::ClearAllKeyValues => "ClearAllKeyValues",
            ServerSetting::SpectatorPort(_) => "SetSpectatorPort",
            ServerSetting::SpectatorServerName(_) => "SetSpectatorServerName",
            ServerSetting::AdvertiseServerActive(_) => "SetAdvertiseServerActive",
        }
    }
}

/// Everything the game set for the server browser since init.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    pub product: String,
    pub mod_dir: String,
    pub game_description: String,
    pub server_name: String,
    pub map_name: String,
    pub max_players: i32,
    pub bot_players: i32,
    pub password_protected: bool,
    pub dedicated: bool,
    pub region: String,
    pub game_tags: String,
    pub game_data: String,
    pub key_values: BTreeMap<String, String>,
    pub spectator_port: u16,
    pub spectator_server_name: String,
    pub advertised: bool,
}

impl ServerInfo {
    /// Records one setter call.
    pub fn apply(&mut self, setting: &ServerSetting) {
        match setting.clone() {
            ServerSetting::Product(v) => self.product = v,
            ServerSetting::ModDir(v) => self.mod_dir = v,
            ServerSetting::GameDescription(v) => self.game_description = v,
            ServerSetting::ServerName(v) => self.server_name = v,
            ServerSetting::MapName(v) => self.map_name = v,
            ServerSetting::MaxPlayerCount(n) => self.max_players = n,
            ServerSetting::BotPlayerCount(n) => self.bot_players = n,
            ServerSetting::PasswordProtected(b) => self.password_protected = b,
            ServerSetting::DedicatedServer(b) => self.dedicated = b,
            ServerSetting::Region(v) => self.region = v,
            ServerSetting::GameTags(v) => self.game_tags = v,
            ServerSetting::GameData(v) => self.game_data = v,
            ServerSetting::KeyValue(k, v) => {
                self.key_values.insert(k, v);
            }
            ServerSetting::ClearAllKeyValues => self.key_values.clear(),
            ServerSetting::SpectatorPort(p) => self.spectator_port = p,
            ServerSetting::SpectatorServerName(v) => self.spectator_server_name = v,
            ServerSetting::AdvertiseServerActive(b) => self.advertised = b,
        }
    }

    /// One line for logs and `serverInitEx`-style messages: name, map, players, tags, key-values,
    /// advertised or not.
    pub fn summary(&self) -> String {
        let key_values: Vec<String> = self
            .key_values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "\"{}\" on {}, {} players max ({} bots), tags \"{}\", rules {{{}}}, {}{}{}",
            self.server_name,
            if self.map_name.is_empty() {
                "no map"
            } else {
                &self.map_name
            },
            self.max_players,
            self.bot_players,
            self.game_tags,
            key_values.join(", "),
            if self.advertised {
                "advertised"
            } else {
                "not advertised"
            },
            if self.dedicated { ", dedicated" } else { "" },
            if self.password_protected {
                ", password"
            } else {
                ""
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_are_recorded_and_key_values_cleared() {
        let mut info = ServerInfo::default();
        for setting in [
            ServerSetting::ServerName("Arena #1".into()),
            ServerSetting::MapName("dm_lobby".into()),
            ServerSetting::MaxPlayerCount(16),
            ServerSetting::BotPlayerCount(2),
            ServerSetting::GameTags("ctf,eu".into()),
            ServerSetting::KeyValue("mode".into(), "ctf".into()),
            ServerSetting::KeyValue("round".into(), "3".into()),
            ServerSetting::AdvertiseServerActive(true),
            ServerSetting::DedicatedServer(true),
        ] {
            info.apply(&setting);
        }
        assert_eq!(
            info.summary(),
            "\"Arena #1\" on dm_lobby, 16 players max (2 bots), tags \"ctf,eu\", rules {mode=ctf, round=3}, advertised, dedicated"
        );
        info.apply(&ServerSetting::ClearAllKeyValues);
        info.apply(&ServerSetting::KeyValue("mode".into(), "dm".into()));
        assert_eq!(info.key_values.len(), 1);
        assert_eq!(info.key_values["mode"], "dm");
    }
}
