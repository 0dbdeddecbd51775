//! Every call this addon makes by name to the `Steam` and `SteamServer` singletons, whoever
//! registered them: this addon (full build), or GodotSteam and GodotSteam Server (beside which the
//! addon runs login-only). `SteamLogin` and `SteamMultiplayerAuth` go through here, through
//! `Object.call` and signals, so they work with either; what GodotSteam answers differently (no
//! `isSteamInitialized`, no `isServerInitialized`) is decided in one place.

use godot::classes::{Engine, Object};
use godot::prelude::*;

/// The name GodotSteam gives its singleton; scripts reach either one as `Steam`.
pub const NAME: &str = "Steam";
/// The name GodotSteam Server gives its singleton.
#[cfg(feature = "steam-singleton")]
pub const SERVER_NAME: &str = "SteamServer";

/// A registered engine singleton, without the error `get_singleton` prints for a missing name.
fn singleton(name: &str) -> Option<Gd<Object>> {
    let engine = Engine::singleton();
    if engine.has_singleton(name) {
        engine.get_singleton(name)
    } else {
        None
    }
}

/// The registered `Steam` singleton, if any.
pub fn registered() -> Option<Gd<Object>> {
    singleton(NAME)
}

/// A session ticket as `getAuthSessionTicket()` gave it.
pub struct SessionTicket {
    /// Its handle, for `cancelAuthTicket`, when the answer carried one.
    #[cfg(feature = "steam-singleton")]
    pub handle: Option<i64>,
    pub bytes: Vec<u8>,
}

/// The registered `Steam` singleton, reached by name.
pub struct SteamByName(Gd<Object>);

impl SteamByName {
    pub fn registered() -> Option<Self> {
        registered().map(SteamByName)
    }

    /// Ours answers `isSteamInitialized`; GodotSteam has no such call, so its singleton is taken as
    /// initialised (its ticket calls then fail softly with handle 0 / an empty ticket).
    pub fn is_initialized(&mut self) -> bool {
        call_bool_or(&mut self.0, "isSteamInitialized", true)
    }

    /// `getAuthSessionTicket()`; `None` when Steam gave no ticket.
    pub fn session_ticket(&mut self) -> Option<SessionTicket> {
        if !self.0.has_method("getAuthSessionTicket") {
            return None;
        }
        let answer = self.0.call("getAuthSessionTicket", &[]);
        let bytes = crate::args::ticket_bytes(&answer)
            .ok()
            .filter(|b| !b.is_empty())?;
        Some(SessionTicket {
            #[cfg(feature = "steam-singleton")]
            handle: answer
                .try_to::<VarDictionary>()
                .ok()
                .and_then(|d| d.get("id"))
                .and_then(|id| id.try_to::<i64>().ok()),
            bytes,
        })
    }

    /// `getAuthTicketForWebApi(identity)`: the handle whose ticket `get_ticket_for_web_api` brings;
    /// 0 when none is had.
    pub fn web_api_ticket(&mut self, identity: &GString) -> u32 {
        if identity.to_string().contains('\0') || !self.0.has_method("getAuthTicketForWebApi") {
            return 0;
        }
        self.0
            .call("getAuthTicketForWebApi", &[identity.to_variant()])
            .try_to::<i64>()
            .ok()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(0)
    }

    /// `requestEncryptedAppTicket(secret)`; false when the singleton has no such method.
    pub fn request_encrypted_app_ticket(&mut self, secret: &str) -> bool {
        if !self.0.has_method("requestEncryptedAppTicket") {
            return false;
        }
        self.0.call(
            "requestEncryptedAppTicket",
            &[GString::from(secret).to_variant()],
        );
        true
    }

    /// `getEncryptedAppTicket()`'s `{buffer, size}` as bytes; `None` when Steam has none.
    pub fn encrypted_app_ticket(&mut self) -> Option<Vec<u8>> {
        if !self.0.has_method("getEncryptedAppTicket") {
            return None;
        }
        let answer = self.0.call("getEncryptedAppTicket", &[]);
        crate::args::ticket_bytes(&answer)
            .ok()
            .filter(|bytes| !bytes.is_empty())
    }

    /// `cancelAuthTicket(handle)`, unless the game already shut Steam down (which forgets tickets).
    #[cfg(feature = "steam-singleton")]
    pub fn cancel_auth_ticket(&mut self, handle: i64) {
        if self.is_initialized() {
            self.0.call("cancelAuthTicket", &[handle.to_variant()]);
        }
    }

    /// Connects `callable` to one of Steam's signals (once).
    pub fn watch(&mut self, signal: &str, callable: &Callable) {
        if !self.0.is_connected(signal, callable) {
            self.0.connect(signal, callable);
        }
    }

    /// Undoes [`watch`](Self::watch); the singleton may belong to another addon that outlives ours.
    pub fn unwatch(&mut self, signal: &str, callable: &Callable) {
        if self.0.is_connected(signal, callable) {
            self.0.disconnect(signal, callable);
        }
    }
}

/// Who validates players' tickets, by name: an initialised `SteamServer` (a dedicated server), else
/// `Steam` (a listen server).
#[cfg(feature = "steam-singleton")]
pub struct ValidatorByName(Gd<Object>);

#[cfg(feature = "steam-singleton")]
impl ValidatorByName {
    pub fn find() -> Option<Self> {
        if let Some(mut server) = singleton(SERVER_NAME) {
            // GodotSteam Server has no such call: its SteamServer is taken as ready.
            if call_bool_or(&mut server, "isServerInitialized", true) {
                return Some(ValidatorByName(server));
            }
        }
        registered().map(ValidatorByName)
    }

    /// `beginAuthSession(ticket, size, steam_id)`: the `BeginAuthSessionResult` code, `None` when the
    /// answer is not a number.
    pub fn begin_auth_session(&mut self, ticket: &PackedByteArray, steam_id: u64) -> Option<i64> {
        self.0
            .call(
                "beginAuthSession",
                &[
                    ticket.to_variant(),
                    (ticket.len() as i64).to_variant(),
                    (steam_id as i64).to_variant(),
                ],
            )
            .try_to::<i64>()
            .ok()
    }

    pub fn end_auth_session(&mut self, steam_id: u64) {
        self.0
            .call("endAuthSession", &[(steam_id as i64).to_variant()]);
    }

    /// Connects `callable` to the validator's `validate_auth_ticket_response` (once).
    pub fn watch_verdicts(&mut self, callable: &Callable) {
        const SIGNAL: &str = "validate_auth_ticket_response";
        if !self.0.is_connected(SIGNAL, callable) {
            self.0.connect(SIGNAL, callable);
        }
    }

    pub fn unwatch_verdicts(&mut self, callable: &Callable) {
        const SIGNAL: &str = "validate_auth_ticket_response";
        if self.0.is_connected(SIGNAL, callable) {
            self.0.disconnect(SIGNAL, callable);
        }
    }
}

/// `object.method()` as a bool; `absent` when the object has no such method.
fn call_bool_or(object: &mut Gd<Object>, method: &str, absent: bool) -> bool {
    if !object.has_method(method) {
        return absent;
    }
    object.call(method, &[]).try_to::<bool>().unwrap_or(false)
}
