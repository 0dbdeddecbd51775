//! A test-only stand-in for GodotSteam: a native class *and* engine singleton named `Steam`, with
//! GodotSteam's names for the calls SteamLogin makes. A GDScript stand-in cannot show what a real
//! GodotSteam build does to an addon that also registers a class named `Steam`; this one can.
//! It has no Steam: its tickets are the hex in `STAND_IN_TICKET`. See scripts/test-beside-godotsteam.sh.

use godot::prelude::*;

struct StandIn;

#[gdextension]
unsafe impl ExtensionLibrary for StandIn {}

/// GodotSteam's singleton, reduced to what SteamLogin uses.
#[derive(GodotClass)]
#[class(init, singleton, base = Object)]
pub struct Steam {
    web_api_requests: i64,
    base: Base<Object>,
}

#[godot_api]
impl Steam {
    /// GodotSteam's Web API ticket callback.
    #[signal]
    fn get_ticket_for_web_api(
        auth_ticket: i64,
        result: i64,
        ticket_size: i64,
        ticket_buffer: PackedByteArray,
    );

    /// Identifies the stand-in.
    #[func]
    fn get_godotsteam_version(&self) -> GString {
        "stand-in".into()
    }

    /// GodotSteam's init; always succeeds.
    #[func(rename = steamInitEx)]
    fn steam_init_ex(
        &mut self,
        #[opt(default = 0)] _app_id: i64,
        #[opt(default = false)] _embed: bool,
    ) -> VarDictionary {
        vdict! { "status" => 0, "verbal" => "Steamworks active." }
    }

    /// Answers with handle 7; the ticket follows in `get_ticket_for_web_api` on a later frame.
    #[func(rename = getAuthTicketForWebApi)]
    fn get_auth_ticket_for_web_api(&mut self, #[opt(default = "")] _identity: GString) -> i64 {
        self.web_api_requests += 1;
        self.to_gd().call_deferred("answer_web_api_ticket", &[]);
        7
    }

    /// `{id, buffer, size}` with the configured ticket.
    #[func(rename = getAuthSessionTicket)]
    fn get_auth_session_ticket(&mut self, #[opt(default = 0)] _remote: i64) -> VarDictionary {
        let ticket = configured_ticket();
        vdict! { "id" => 8, "size" => ticket.len() as i64, "buffer" => &ticket }
    }

    /// How many Web API tickets were asked for.
    #[func]
    fn web_api_requests(&self) -> i64 {
        self.web_api_requests
    }

    /// Emits the deferred Web API ticket.
    #[func]
    fn answer_web_api_ticket(&mut self) {
        let ticket = configured_ticket();
        let size = ticket.len() as i64;
        self.signals()
            .get_ticket_for_web_api()
            .emit(7, 1, size, &ticket);
    }
}

fn configured_ticket() -> PackedByteArray {
    let hex = std::env::var("STAND_IN_TICKET").unwrap_or_default();
    PackedByteArray::from(steam_ticket::hex::decode(&hex).unwrap_or_default())
}
