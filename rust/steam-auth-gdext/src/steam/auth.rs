//! Tickets and auth sessions: `ISteamUser`'s auth calls, encrypted app tickets, and the offline
//! ticket decoder.

use godot::prelude::*;

use steam_auth_core::eresult;
use steam_ticket::{Clock, KeyRing, SystemClock};

use super::Steam;
use crate::steam_args::{self as args, AnyOrNull};
use crate::ticket_info::{self, ticket_dictionary};

#[godot_api(secondary)]
impl Steam {
    /// Requests a session ticket for [method beginAuthSession] on a peer or game server.
    /// Returns [code]{id: int, buffer: PackedByteArray, size: int}[/code] where buffer holds exactly
    /// size bytes; [signal get_auth_session_ticket_response] follows on a later frame.
    /// [param identity]: null or 0 for none, a SteamID64 int, or a string such as
    /// [code]"steamid:7656..."[/code], [code]"str:my-server"[/code], [code]"ip:10.0.0.1:27015"[/code].
    /// Returns [code]{}[/code] (with an error) before init or for a malformed identity.
    #[func(rename = getAuthSessionTicket)]
    fn get_auth_session_ticket(
        &mut self,
        #[opt(default = AnyOrNull::null())] identity: AnyOrNull,
    ) -> VarDictionary {
        let identity = match args::identity(&identity.0) {
            Ok(identity) => identity,
            Err(message) => {
                godot_error!("Steam.getAuthSessionTicket: {message}");
                return VarDictionary::new();
            }
        };
        let Some(backend) = self.backend.or_error_mut("getAuthSessionTicket") else {
            return VarDictionary::new();
        };
        let ticket = backend.get_auth_session_ticket(&identity);
        ticket_dictionary(i64::from(ticket.handle), &ticket.bytes)
    }

    /// Requests a ticket for the [code]ISteamUserAuth/AuthenticateUserTicket[/code] Web API; returns its
    /// handle, and the ticket arrives in [signal get_ticket_for_web_api]. [param identity] must equal
    /// the identity the server passes to the Web API. Returns 0 (with an error) before init.
    #[func(rename = getAuthTicketForWebApi)]
    fn get_auth_ticket_for_web_api(&mut self, #[opt(default = "")] identity: GString) -> i64 {
        let identity = identity.to_string();
        if identity.contains('\0') {
            godot_error!("Steam.getAuthTicketForWebApi: identity must not contain NUL characters");
            return 0;
        }
        self.backend
            .or_error_mut("getAuthTicketForWebApi")
            .map(|b| i64::from(b.get_auth_ticket_for_web_api(&identity)))
            .unwrap_or(0)
    }

    /// Validates a peer's ticket: returns a [enum BeginAuthSessionResult] value at once and, on 0,
    /// [signal validate_auth_ticket_response] later. Only the first [param ticket_size] bytes of
    /// [param ticket] are read. Returns 1 (with an error) before init or when ticket_size does not fit.
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

    /// Cancels a ticket from [method getAuthSessionTicket] or [method getAuthTicketForWebApi]; sessions
    /// begun with it receive [constant AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED]. Warns on an unknown
    /// handle.
    #[func(rename = cancelAuthTicket)]
    fn cancel_auth_ticket(&mut self, auth_ticket: i64) {
        let Some(backend) = self.backend.or_error_mut("cancelAuthTicket") else {
            return;
        };
        let known = u32::try_from(auth_ticket)
            .map(|h| backend.cancel_auth_ticket(h))
            .unwrap_or(false);
        if !known {
            godot_warn!("Steam.cancelAuthTicket: no active ticket has handle {auth_ticket}");
        }
    }

    /// Ends the auth session begun for [param steam_id]. Warns if there is none.
    #[func(rename = endAuthSession)]
    fn end_auth_session(&mut self, steam_id: i64) {
        self.backend.end_auth_session(steam_id);
    }

    /// Whether a user with an active auth session owns [param app_id] (the game or a DLC): a
    /// [enum UserHasLicenseForAppResult] value. 2 (no auth, with an error) before init.
    #[func(rename = userHasLicenseForApp)]
    fn user_has_license_for_app(&mut self, steam_id: i64, app_id: i64) -> i64 {
        self.backend
            .user_has_license_for_app("userHasLicenseForApp", steam_id, app_id)
    }

    /// Asks Steam for an encrypted app ticket that includes [param secret] (GodotSteam's argument: the
    /// data to include); [signal encrypted_app_ticket_response] answers, then call
    /// [method getEncryptedAppTicket]. Steam allows one request at a time and one a minute. The
    /// simulated backend follows those rules, and its ticket is in Steam's encrypted format, holding
    /// [param secret], encrypted with the Project Setting
    /// [code]steam/auth/simulated_encrypted_ticket_key[/code]: by default a public development key
    /// ([code]"steam-auth development key, open"[/code] as bytes), which a login server must never
    /// accept for a real app.
    #[func(rename = requestEncryptedAppTicket)]
    fn request_encrypted_app_ticket(&mut self, #[opt(default = "")] secret: GString) {
        let data = secret.to_string().into_bytes();
        if let Some(backend) = self.backend.or_error_mut("requestEncryptedAppTicket") {
            backend.request_encrypted_app_ticket(&data);
        }
    }

    /// The ticket from the last successful [method requestEncryptedAppTicket]:
    /// [code]{buffer: PackedByteArray, size: int}[/code]; an empty buffer and size 0 when Steam has
    /// none. [code]{}[/code] (with an error) before init.
    #[func(rename = getEncryptedAppTicket)]
    fn get_encrypted_app_ticket(&mut self) -> VarDictionary {
        let Some(backend) = self.backend.or_error_mut("getEncryptedAppTicket") else {
            return VarDictionary::new();
        };
        let ticket = backend.encrypted_app_ticket().unwrap_or_default();
        vdict! {
            "buffer" => &PackedByteArray::from(ticket.as_slice()),
            "size" => ticket.len() as i64,
        }
    }

    /// Decodes a ticket (PackedByteArray, hex String, or the Dictionary from
    /// [method getAuthSessionTicket]) without calling Steam. Returns steam_id, owner_steam_id, app_id,
    /// gc_token (String), token_time, ticket_type (2 session, 5 Web API), ticket_type_name, version,
    /// flags, issued, expires, licenses, dlc, external_ip, internal_ip, size, signature_valid,
    /// signed_by ([code]"valve"[/code], [code]"simulation"[/code] or [code]""[/code]) and expired;
    /// or [code]{error: String}[/code]. Works without [method steamInit].
    #[func(rename = decodeAuthTicket)]
    fn decode_auth_ticket(&self, ticket: Variant) -> VarDictionary {
        let decoded = crate::args::ticket_bytes(&ticket)
            .and_then(|bytes| steam_ticket::decode(&bytes).map_err(|e| e.to_string()));
        match decoded {
            Ok(d) => {
                ticket_info::to_dictionary(&d, &KeyRing::with_simulation(), SystemClock.unix_now())
            }
            Err(error) => vdict! { "error" => error.as_str() },
        }
    }
}

/// GodotSteam's words for an `EncryptedAppTicketResponse_t` result.
pub(super) fn encrypted_ticket_wording(result: i32) -> &'static str {
    match result {
        eresult::OK => "ok",
        eresult::NO_CONNECTION => "no connection",
        eresult::DUPLICATE_REQUEST => "duplicate request",
        _ => "limit exceeded",
    }
}
