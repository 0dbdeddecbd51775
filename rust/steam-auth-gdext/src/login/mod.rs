//! `SteamLogin`: posts a ticket to the login server off the main thread; `await`-able per call.
//!
//! One job per file: this file is the GDScript API (`SteamLogin` and the per-call `SteamLoginCall`);
//! `call` is one call's state and decides its next step, `calls` keeps the calls in flight, `flow`
//! runs a step (Steam's ticket, the HTTP exchange), `delivery` hands results to GDScript every frame,
//! and `clients` keeps one HTTP client per endpoint.

mod call;
mod calls;
mod clients;
mod delivery;
mod flow;

pub use delivery::shutdown;

use std::time::Duration;

use godot::classes::Os;
use godot::prelude::*;
use steam_login_client::{ErrorKind, LoginError};

use crate::session::{SteamLoginResult, SteamSession};
use crate::{args, settings};
use call::{Plan, Target};
use calls::CallId;
use flow::Exchange;

/// Logs a player in to the game's backend with a Steam ticket.
///
/// [codeblock]
/// var login := SteamLogin.new()
/// var result: SteamLoginResult = await login.login(Steam.getAuthSessionTicket())
/// if result.ok:
///     print("user ", result.session.user_id, ", ", result.session.seconds_left(), " s left")
/// else:
///     print(result.error_kind, ": ", result.error_message)
/// [/codeblock]
/// The HTTP exchange runs on the extension's own threads; results arrive on the main thread, never
/// inside the call. Concurrent logins are independent.
#[derive(GodotClass)]
#[class(base = RefCounted)]
pub struct SteamLogin {
    /// The server's base URL, or the full login endpoint URL. Default: the Project Setting
    /// [code]steam/auth/login_endpoint[/code].
    #[var]
    endpoint: GString,
    /// Seconds a login may take before it fails with [code]"timeout"[/code]. Default: the Project
    /// Setting [code]steam/auth/login_timeout_sec[/code].
    #[var]
    timeout_sec: f64,
    base: Base<RefCounted>,
}

#[godot_api]
impl IRefCounted for SteamLogin {
    fn init(base: Base<RefCounted>) -> Self {
        SteamLogin {
            endpoint: GString::from(settings::login_endpoint().as_str()),
            timeout_sec: settings::login_timeout_sec(),
            base,
        }
    }
}

#[godot_api]
impl SteamLogin {
    /// A login of this object succeeded.
    #[signal]
    fn login_succeeded(session: Gd<SteamSession>);

    /// A login of this object failed.
    #[signal]
    fn login_failed(result: Gd<SteamLoginResult>);

    /// Posts [param ticket] (a hex String, a PackedByteArray, or the Dictionary from
    /// [method Steam.getAuthSessionTicket]) to the login endpoint. Returns a signal of this call only,
    /// which emits one [SteamLoginResult]: [code]var result = await login.login(ticket)[/code].
    /// A bad ticket (odd-length or non-hex String, empty) fails with [code]"invalid_ticket"[/code].
    /// If the server answers that the ticket already logged in ([code]"ticket_reused"[/code]: the
    /// answer to an earlier try was lost, or the same ticket was sent twice), a fresh Web API ticket
    /// is asked of Steam once and posted instead, when Steam is initialised.
    #[func]
    fn login(&mut self, ticket: Variant) -> Signal {
        let (call, id) = self.new_call(Plan::Login);
        match args::ticket_hex(&ticket) {
            Ok(hex) if !hex.is_empty() => flow::exchange(id, Exchange::Login(hex)),
            Ok(_) => flow::fail(id, invalid_ticket("the ticket is empty")),
            Err(message) => flow::fail(id, invalid_ticket(message)),
        }
        completed_signal(&call)
    }

    /// The whole client flow: asks Steam for a Web API ticket for [param identity], waits for
    /// [signal Steam.get_ticket_for_web_api], and posts it. If Steam gives no Web API ticket, a session
    /// ticket is posted instead (servers that accept those still log the player in). Works through
    /// whichever [code]Steam[/code] singleton is registered: this addon's or GodotSteam's. Returns the
    /// call's signal, like [method login]; without a ticket from Steam (no [code]Steam[/code]
    /// singleton, Steam not initialised, no ticket in time) the result's kind is
    /// [code]"steam"[/code]. A [code]"ticket_reused"[/code] answer is retried once with a fresh
    /// ticket, as for [method login].
    #[func]
    fn login_with_steam(&mut self, #[opt(default = "")] identity: GString) -> Signal {
        let identity = identity.to_string();
        let (call, id) = self.new_call(Plan::WithSteam {
            identity: identity.clone(),
        });
        flow::login_with_steam(id, &identity);
        completed_signal(&call)
    }

    /// Logs in with an encrypted app ticket, which the server reads offline with the app's key: no
    /// Steam Web API call. Asks the server for a nonce, asks Steam for an encrypted app ticket
    /// holding it ([method Steam.requestEncryptedAppTicket], through this addon's [code]Steam[/code]
    /// or GodotSteam's), waits for [signal Steam.encrypted_app_ticket_response], and posts the
    /// ticket. Returns the call's signal, like [method login]. Steam makes one encrypted app
    /// ticket a minute and one at a time: a second call within the minute fails with kind
    /// [code]"steam"[/code] and says so. The server must have the app's key
    /// ([code]--encrypted-ticket-key[/code]); without it the result's code is
    /// [code]"encrypted_tickets_off"[/code].
    #[func]
    fn login_with_encrypted_ticket(&mut self) -> Signal {
        let (call, id) = self.new_call(Plan::Encrypted);
        flow::exchange(id, Exchange::Nonce);
        completed_signal(&call)
    }

    /// Starts again from a session the game saved ([method SteamSession.to_dictionary], or
    /// [method SteamSession.load_from_file]): the server trades it for a fresh session without asking
    /// Steam (no ticket, no Web API call). Only when the server refuses it (expired, revoked,
    /// unknown) does this log in with Steam as [method login_with_steam] does. The result's
    /// [member SteamLoginResult.resumed] says which happened. Returns the call's signal.
    /// [codeblock]
    /// var saved := SteamSession.load_from_file("user://session.dat", key)
    /// var result: SteamLoginResult = await login.resume(saved)
    /// if result.ok:
    ///     result.session.save_to_file("user://session.dat", key)
    /// [/codeblock]
    #[func]
    fn resume(&mut self, saved: VarDictionary, #[opt(default = "")] identity: GString) -> Signal {
        let identity = identity.to_string();
        let (call, id) = self.new_call(Plan::Resume {
            identity: identity.clone(),
        });
        let token = saved
            .get("token")
            .and_then(|v| v.try_to::<GString>().ok())
            .map(|t| t.to_string())
            .filter(|t| !t.is_empty());
        match token {
            Some(token) => flow::exchange(id, Exchange::Refresh(token)),
            None => {
                calls::with(|r| r.get_mut(id).map(|c| c.course.skip_refresh()));
                flow::login_with_steam(id, &identity);
            }
        }
        completed_signal(&call)
    }

    /// Cancels this object's logins in flight; each completes with [code]"cancelled"[/code].
    #[func]
    fn cancel(&mut self) {
        let owner = self.base().instance_id();
        calls::with(|r| r.cancel_all_of(owner));
    }
}

impl SteamLogin {
    /// Registers a call of this object, with its endpoint and timeout as they are now.
    fn new_call(&mut self, plan: Plan) -> (Gd<SteamLoginCall>, CallId) {
        delivery::install_pump();
        let call = SteamLoginCall::new_gd();
        let target = Target {
            endpoint: self.endpoint.to_string(),
            timeout: Duration::from_secs_f64(self.timeout_sec.clamp(0.1, 3600.0)),
            ca_file: settings::login_ca_file(),
            allow_insecure_http: settings::allow_insecure_http()
                || Os::singleton().is_debug_build(),
        };
        let owner = self.base().instance_id();
        let id = calls::with(|r| r.insert(call.clone(), owner, target, plan));
        (call, id)
    }
}

fn invalid_ticket(message: impl Into<String>) -> LoginError {
    LoginError::new(ErrorKind::InvalidTicket, message)
}

fn completed_signal(call: &Gd<SteamLoginCall>) -> Signal {
    Signal::from_object_signal(call, "completed")
}

/// Emits one call's result; [method SteamLogin.login] returns its signal. Internal: hidden from the
/// editor and the class list.
#[derive(GodotClass)]
#[class(init, internal, base = RefCounted)]
pub struct SteamLoginCall {
    base: Base<RefCounted>,
}

#[godot_api]
impl SteamLoginCall {
    /// The call finished, successfully or not.
    #[signal]
    fn completed(result: Gd<SteamLoginResult>);
}

impl SteamLoginCall {
    fn new_gd() -> Gd<Self> {
        Gd::from_init_fn(|base| SteamLoginCall { base })
    }
}
