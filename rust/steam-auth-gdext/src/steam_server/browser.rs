//! The server-browser fields (`ISteamGameServer`'s setters, GodotSteam Server's names and argument
//! order), and `getServerInfo`, which shows what the game set.

use godot::prelude::*;

use steam_auth_core::ServerSetting;

use super::SteamServer;

#[godot_api(secondary)]
impl SteamServer {
    /// The game's product name; Steam wants the app id as a string. Call before logging on.
    #[func(rename = setProduct)]
    fn set_product(&mut self, product: GString) {
        self.set_text("setProduct", &product, ServerSetting::Product);
    }

    /// The game's folder name ("garrysmod", ...). Call before logging on.
    #[func(rename = setModDir)]
    fn set_mod_dir(&mut self, mod_directory: GString) {
        self.set_text("setModDir", &mod_directory, ServerSetting::ModDir);
    }

    /// The game's description, shown in the server browser. Call before logging on.
    #[func(rename = setGameDescription)]
    fn set_game_description(&mut self, description: GString) {
        self.set_text(
            "setGameDescription",
            &description,
            ServerSetting::GameDescription,
        );
    }

    /// Whether this is a dedicated server (not a listen server). Call before logging on.
    #[func(rename = setDedicatedServer)]
    fn set_dedicated_server(&mut self, dedicated: bool) {
        self.apply(
            "setDedicatedServer",
            ServerSetting::DedicatedServer(dedicated),
        );
    }

    /// The server's name in the browser.
    #[func(rename = setServerName)]
    fn set_server_name(&mut self, name: GString) {
        self.set_text("setServerName", &name, ServerSetting::ServerName);
    }

    /// The map being played.
    #[func(rename = setMapName)]
    fn set_map_name(&mut self, map: GString) {
        self.set_text("setMapName", &map, ServerSetting::MapName);
    }

    /// How many players the server takes.
    #[func(rename = setMaxPlayerCount)]
    fn set_max_player_count(&mut self, players_max: i64) {
        if let Some(n) = count("setMaxPlayerCount", "players_max", players_max) {
            self.apply("setMaxPlayerCount", ServerSetting::MaxPlayerCount(n));
        }
    }

    /// How many of the players are bots.
    #[func(rename = setBotPlayerCount)]
    fn set_bot_player_count(&mut self, bots: i64) {
        if let Some(n) = count("setBotPlayerCount", "bots", bots) {
            self.apply("setBotPlayerCount", ServerSetting::BotPlayerCount(n));
        }
    }

    /// Whether joining needs a password (the browser shows a lock).
    #[func(rename = setPasswordProtected)]
    fn set_password_protected(&mut self, password_protected: bool) {
        self.apply(
            "setPasswordProtected",
            ServerSetting::PasswordProtected(password_protected),
        );
    }

    /// The region the server is in, for browser filters ("255": the world).
    #[func(rename = setRegion)]
    fn set_region(&mut self, region: GString) {
        self.set_text("setRegion", &region, ServerSetting::Region);
    }

    /// Comma-separated tags players can filter on ("ctf,eu").
    #[func(rename = setGameTags)]
    fn set_game_tags(&mut self, tags: GString) {
        self.set_text("setGameTags", &tags, ServerSetting::GameTags);
    }

    /// Hidden data browser filters can match; not shown to players.
    #[func(rename = setGameData)]
    fn set_game_data(&mut self, data: GString) {
        self.set_text("setGameData", &data, ServerSetting::GameData);
    }

    /// One rule shown in the server's details ([param key] = [param value]).
    #[func(rename = setKeyValue)]
    fn set_key_value(&mut self, key: GString, value: GString) {
        self.apply(
            "setKeyValue",
            ServerSetting::KeyValue(key.to_string(), value.to_string()),
        );
    }

    /// Removes every rule set with [method setKeyValue].
    #[func(rename = clearAllKeyValues)]
    fn clear_all_key_values(&mut self) {
        self.apply("clearAllKeyValues", ServerSetting::ClearAllKeyValues);
    }

    /// The port of a spectator (SourceTV-like) server; 0 for none.
    #[func(rename = setSpectatorPort)]
    fn set_spectator_port(&mut self, port: i64) {
        let Ok(port) = u16::try_from(port) else {
            godot_error!("SteamServer.setSpectatorPort: {port} is not a port (0..65535)");
            return;
        };
        self.apply("setSpectatorPort", ServerSetting::SpectatorPort(port));
    }

    /// The spectator server's name in the browser.
    #[func(rename = setSpectatorServerName)]
    fn set_spectator_server_name(&mut self, name: GString) {
        self.set_text(
            "setSpectatorServerName",
            &name,
            ServerSetting::SpectatorServerName,
        );
    }

    /// Whether Steam lists the server on the master server (the server browser); call it with
    /// [code]true[/code] once the server is ready for players.
    #[func(rename = setAdvertiseServerActive)]
    fn set_advertise_server_active(&mut self, active: bool) {
        self.apply(
            "setAdvertiseServerActive",
            ServerSetting::AdvertiseServerActive(active),
        );
    }

    /// What the game set for the server browser since [method serverInit] (this addon's call; not in
    /// GodotSteam Server): [code]{product, mod_dir, game_description, server_name, map_name,
    /// max_players, bot_players, password_protected, dedicated, region, game_tags, game_data,
    /// key_values: Dictionary, spectator_port, spectator_server_name, advertised, summary}[/code],
    /// [code]summary[/code] being one line to print. [code]{}[/code] (with an error) before init.
    #[func(rename = getServerInfo)]
    fn get_server_info(&self) -> VarDictionary {
        let info = &self.info;
        self.backend
            .with("getServerInfo", VarDictionary::new(), |_| {
                let mut key_values = VarDictionary::new();
                for (k, v) in &info.key_values {
                    key_values.set(k.as_str(), v.as_str());
                }
                vdict! {
                    "product" => info.product.as_str(),
                    "mod_dir" => info.mod_dir.as_str(),
                    "game_description" => info.game_description.as_str(),
                    "server_name" => info.server_name.as_str(),
                    "map_name" => info.map_name.as_str(),
                    "max_players" => i64::from(info.max_players),
                    "bot_players" => i64::from(info.bot_players),
                    "password_protected" => info.password_protected,
                    "dedicated" => info.dedicated,
                    "region" => info.region.as_str(),
                    "game_tags" => info.game_tags.as_str(),
                    "game_data" => info.game_data.as_str(),
                    "key_values" => &key_values,
                    "spectator_port" => i64::from(info.spectator_port),
                    "spectator_server_name" => info.spectator_server_name.as_str(),
                    "advertised" => info.advertised,
                    "summary" => info.summary().as_str(),
                }
            })
    }
}

impl SteamServer {
    fn apply(&mut self, method: &str, setting: ServerSetting) {
        if let Some(b) = self.backend.or_error_mut(method) {
            b.set(&setting);
            self.info.apply(&setting);
        }
    }

    /// A text setter. Godot's strings reach Rust without NUL characters (Godot replaces them), so
    /// every text is one Steam's C API can carry.
    fn set_text(&mut self, method: &str, value: &GString, setting: fn(String) -> ServerSetting) {
        self.apply(method, setting(value.to_string()));
    }
}

/// A player count: 0 or more, within Steam's int.
fn count(method: &str, name: &str, value: i64) -> Option<i32> {
    match i32::try_from(value) {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            godot_error!("SteamServer.{method}: {name} {value} is not a player count (0 or more)");
            None
        }
    }
}
