//! Log-on, players' sessions, the server's own ticket and whether it is secure.

use godot::prelude::*;

use super::SteamServer;
use crate::backend_slot::SingletonBackend;
use crate::ticket_info::ticket_dictionary;

#[godot_api(secondary)]
impl SteamServer {
    /// Logs on to a generic, anonymous game server account; [signal server_connected] follows.
    #[func(rename = logOnAnonymous)]
    fn log_on_anonymous(&mut self) {
        if let Some(b) = self.backend.or_error_mut("logOnAnonymous") {
            b.log_on_anonymous();
        }
    }

    /// Logs on to a persistent game server account with its login token (GSLT);
    /// [signal server_connected] or [signal server_connect_failure] follows. The token never
    /// appears in a message.
    #[func(rename = logOn)]
    fn log_on(&mut self, token: GString) {
        if let Some(b) = self.backend.or_error_mut("logOn") {
            b.log_on(&token.to_string());
        }
    }

    /// Logs off Steam; [signal server_disconnected] follows.
    #[func(rename = logOff)]
    fn log_off(&mut self) {
        if let Some(b) = self.backend.or_error_mut("logOff") {
            b.log_off();
        }
    }

    /// Whether the server is logged on to Steam. [code]false[/code] (with an error) before init.
    #[func(rename = loggedOn)]
    fn logged_on(&self) -> bool {
        self.backend.logged_on()
    }

    /// The server's own SteamID64, 0 until it is logged on. 0 (with an error) before init.
    #[func(rename = getSteamID)]
    fn get_steam_id(&self) -> i64 {
        self.backend.steam_id()
    }

    /// Validates a player's session ticket: a [enum BeginAuthSessionResult] value now and, on 0,
    /// [signal validate_auth_ticket_response] later (once the server is logged on). Only the first
    /// [param ticket_size] bytes of [param ticket] are read. Returns 1 (with an error) before init or
    /// when ticket_size does not fit.
    #[func(rename = beginAuthSession)]
    fn begin_auth_session(
        &mut self,
        ticket: PackedByteArray,
        ticket_size: i64,
        steam_id: i64,
    ) -> i64 {
        self.backend
            .begin_auth_session(&ticket, ticket_size, steam_id)
    }

    /// Ends the session begun for [param steam_id] (the player left). Warns if there is none.
    #[func(rename = endAuthSession)]
    fn end_auth_session(&mut self, steam_id: i64) {
        self.backend.end_auth_session(steam_id);
    }

    /// Whether a player with an active session owns [param app_id] (the game or a DLC): a
    /// [enum UserHasLicenseForAppResult] value. 2 (no auth, with an error) before init.
    #[func(rename = userHasLicenseForApp)]
    fn user_has_license_for_app(&mut self, steam_id: i64, app_id: i64) -> i64 {
        self.backend
            .user_has_license_for_app("userHasLicenseForApp", steam_id, app_id)
    }

    /// GodotSteam Server's spelling of [method userHasLicenseForApp]; the same call.
    #[func(rename = userHasLicenceForApp)]
    fn user_has_licence_for_app(&mut self, steam_id: i64, app_id: i64) -> i64 {
        self.backend
            .user_has_license_for_app("userHasLicenceForApp", steam_id, app_id)
    }

    /// The server's own session ticket, for a client that validates the server with
    /// [method Steam.beginAuthSession] and the server's SteamID: [code]{id, buffer, size}[/code]
    /// like [method Steam.getAuthSessionTicket]. [param remote_steam_id] is the peer it is for (0:
    /// any). Before log-on the server has no SteamID to vouch for: id 0 and an empty buffer, as Steam
    /// answers. [code]{}[/code] (with an error) before init.
    #[func(rename = getAuthSessionTicket)]
    fn get_auth_session_ticket(
        &mut self,
        #[opt(default = 0)] remote_steam_id: i64,
    ) -> VarDictionary {
        let Some(b) = self.backend.or_error_mut("getAuthSessionTicket") else {
            return VarDictionary::new();
        };
        let ticket = b.auth_session_ticket(u64::try_from(remote_steam_id).unwrap_or(0));
        ticket_dictionary(i64::from(ticket.handle), &ticket.bytes)
    }

    /// Cancels a ticket from [method getAuthSessionTicket]; clients' sessions begun with it end.
    #[func(rename = cancelAuthTicket)]
    fn cancel_auth_ticket(&mut self, auth_ticket: i64) {
        let Ok(handle) = u32::try_from(auth_ticket) else {
            godot_error!("SteamServer.cancelAuthTicket: {auth_ticket} is not a ticket handle");
            return;
        };
        if let Some(b) = self.backend.or_error_mut("cancelAuthTicket") {
            b.cancel_auth_ticket(handle);
        }
    }

    /// Whether the server is VAC secure: logged on in [constant SERVER_MODE_AUTHENTICATION_AND_SECURE]
    /// and confirmed by Steam's [signal policy_response]. [code]false[/code] (with an error) before
    /// init.
    #[func]
    fn secure(&self) -> bool {
        self.backend.with("secure", false, |b| b.secure())
    }

    /// The same answer as [method secure] (GodotSteam Server's Main-group name for it).
    #[func(rename = isServerSecure)]
    fn is_server_secure(&self) -> bool {
        self.backend.with("isServerSecure", false, |b| b.secure())
    }

    /// The server's own SteamID64, as [method getSteamID] (GodotSteam Server's Main-group name).
    #[func(rename = getServerSteamID)]
    fn get_server_steam_id(&self) -> i64 {
        self.backend
            .with("getServerSteamID", 0, |b| b.validator().steam_id() as i64)
    }
}
