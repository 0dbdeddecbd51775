//! Hooks only the simulated backend has: tickets for other users, and Steam's later verdicts and
//! connection changes on demand, so a game can play each case in the editor.

use godot::prelude::*;

use steam_auth_core::{AuthSessionResponse, AuthValidator, MintOptions, SimulatedSteam};
use steam_ticket::TicketType;

use super::Steam;
use crate::steam_args::{self as args, AnyOrNull};
use crate::ticket_info::ticket_dictionary;

#[godot_api(secondary)]
impl Steam {
    /// Simulated backend only: mints a ticket for another user, to play the second peer in a demo or
    /// test. Returns [code]{id: 0, buffer, size}[/code] like [method getAuthSessionTicket].
    /// [param options] may set [code]app_id[/code], [code]owner_steam_id[/code] (Family Sharing),
    /// [code]expires_in[/code] (seconds; negative for an expired ticket), [code]version[/code],
    /// [code]ticket_type[/code] (2 session, 5 Web API) and [code]licenses[/code].
    #[func(rename = mintSimulatedTicket)]
    fn mint_simulated_ticket(
        &mut self,
        steam_id: i64,
        #[opt(default = AnyOrNull::null())] options: AnyOrNull,
    ) -> VarDictionary {
        let options = match options.0.get_type() {
            VariantType::NIL => VarDictionary::new(),
            VariantType::DICTIONARY => options.0.to::<VarDictionary>(),
            other => {
                godot_error!(
                    "Steam.mintSimulatedTicket: options must be a Dictionary, got {other:?}"
                );
                return VarDictionary::new();
            }
        };
        let Some(sim) = self.simulation("mintSimulatedTicket") else {
            return VarDictionary::new();
        };
        let Some(steam_id) = args::steam_id(steam_id) else {
            godot_error!("Steam.mintSimulatedTicket: {steam_id} is not a SteamID64");
            return VarDictionary::new();
        };
        match mint_options(steam_id, sim.app_id(), &options) {
            Ok(opts) => ticket_dictionary(0, &sim.mint_ticket(&opts)),
            Err(message) => {
                godot_error!("Steam.mintSimulatedTicket: {message}");
                VarDictionary::new()
            }
        }
    }

    /// Simulated backend only: makes Steam report [param response] (an [enum AuthSessionResponse]
    /// value) for the active session of [param steam_id], as the real Steam does when a player goes
    /// offline or is banned. Returns [code]false[/code] if there is no such session.
    #[func(rename = simulateAuthSessionResponse)]
    fn simulate_auth_session_response(&mut self, steam_id: i64, response: i64) -> bool {
        let Some(response) = AuthSessionResponse::from_code(response) else {
            godot_error!("Steam.simulateAuthSessionResponse: {response} is not an AUTH_SESSION_RESPONSE_* value (0..10)");
            return false;
        };
        let Some(sim) = self.simulation("simulateAuthSessionResponse") else {
            return false;
        };
        args::steam_id(steam_id)
            .map(|id| sim.simulate_session_response(id, response))
            .unwrap_or(false)
    }

    /// Simulated backend only: the Steam client loses ([code]false[/code]) or regains
    /// ([code]true[/code]) its connection to Steam's servers; [method loggedOn] follows and
    /// [signal steam_server_disconnected] / [signal steam_server_connected] are emitted on a later
    /// frame. Returns [code]false[/code] when nothing changes.
    #[func(rename = simulateSteamServerConnection)]
    fn simulate_steam_server_connection(&mut self, connected: bool) -> bool {
        self.simulation("simulateSteamServerConnection")
            .map(|sim| sim.simulate_steam_server_connection(connected))
            .unwrap_or(false)
    }
}

impl Steam {
    fn simulation(&mut self, method: &str) -> Option<&mut SimulatedSteam> {
        match self.backend.or_error_mut(method)?.simulated_mut() {
            Some(sim) => Some(sim),
            None => {
                godot_error!("Steam.{method}: only available with the simulated backend (steam/auth/backend = \"simulated\")");
                None
            }
        }
    }
}

fn mint_options(
    steam_id: u64,
    app_id: u32,
    options: &VarDictionary,
) -> Result<MintOptions, String> {
    let mut opts = MintOptions::session(steam_id, app_id);
    let int = |key: &str| -> Result<Option<i64>, String> {
        match options.get(key) {
            None => Ok(None),
            Some(v) => v
                .try_to::<i64>()
                .map(Some)
                .map_err(|_| format!("option {key} must be an int")),
        }
    };
    let u32_of = |key: &str, v: i64| {
        u32::try_from(v).map_err(|_| format!("option {key} is out of range: {v}"))
    };
    if let Some(v) = int("app_id")? {
        opts.app_id = u32_of("app_id", v)?;
    }
    if let Some(v) = int("owner_steam_id")? {
        opts.owner_steam_id =
            Some(args::steam_id(v).ok_or("option owner_steam_id is not a SteamID64")?);
    }
    if let Some(v) = int("expires_in")? {
        opts.expires_in = v;
    }
    if let Some(v) = int("version")? {
        opts.version = u32_of("version", v)?;
    }
    if let Some(v) = int("ticket_type")? {
        opts.ticket_type = TicketType::from(u32_of("ticket_type", v)?);
    }
    if let Some(v) = options.get("licenses") {
        let licenses = v
            .try_to::<PackedInt64Array>()
            .map_err(|_| "option licenses must be an array of ints".to_string())?;
        opts.licenses = licenses
            .as_slice()
            .iter()
            .map(|l| u32_of("licenses", *l))
            .collect::<Result<_, _>>()?;
    }
    Ok(opts)
}
