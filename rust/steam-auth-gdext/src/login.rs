//! `SteamLogin`: posts a ticket to the login server off the main thread; `await`-able per call.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use godot::classes::{Engine, Object, SceneTree};
use godot::prelude::*;
use steam_login_client::{ClientOptions, ErrorKind, LoginClient, LoginError};
use tokio::sync::oneshot;

use crate::http_runtime::{self, Completion};
use crate::session::SteamLoginResult;
use crate::steam_singleton;
use crate::{args, settings};

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
    fn login_succeeded(session: Gd<crate::session::SteamSession>);

    /// A login of this object failed.
    #[signal]
    fn login_failed(result: Gd<SteamLoginResult>);

    /// Posts [param ticket] (a hex String, a PackedByteArray, or the Dictionary from
    /// [method Steam.getAuthSessionTicket]) to the login endpoint. Returns a signal of this call only,
    /// which emits one [SteamLoginResult]: [code]var result = await login.login(ticket)[/code].
    #[func]
    fn login(&mut self, ticket: Variant) -> Signal {
        let (call, id) = self.new_call();
        match args::ticket_bytes(&ticket) {
            Ok(bytes) if !bytes.is_empty() => start_post(id, steam_ticket::hex::encode(&bytes)),
            Ok(_) => fail_later(id, ErrorKind::InvalidTicket, "the ticket is empty".into()),
            Err(message) => fail_later(id, ErrorKind::InvalidTicket, message),
        }
        Signal::from_object_signal(&call, "completed")
    }

    /// The whole client flow: asks Steam for a Web API ticket for [param identity], waits for
    /// [signal Steam.get_ticket_for_web_api], and posts it. If Steam gives no Web API ticket, a session
    /// ticket is posted instead (servers that accept those still log the player in). Works through
    /// whichever [code]Steam[/code] singleton is registered: this addon's or GodotSteam's. Returns the
    /// call's signal, like [method login].
    #[func]
    fn login_with_steam(&mut self, #[opt(default = "")] identity: GString) -> Signal {
        let (call, id) = self.new_call();
        start_steam_login(id, &identity);
        Signal::from_object_signal(&call, "completed")
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
        let (call, id) = self.new_call();
        let token = saved
            .get("token")
            .and_then(|v| v.try_to::<GString>().ok())
            .map(|t| t.to_string())
            .filter(|t| !t.is_empty());
        match token {
            Some(token) => {
                CALLS.with_borrow_mut(|calls| {
                    if let Some(c) = calls.get_mut(&id) {
                        c.resuming = Some(identity);
                    }
                });
                start_refresh(id, token);
            }
            None => start_steam_login(id, &identity),
        }
        Signal::from_object_signal(&call, "completed")
    }

    /// Cancels this object's logins in flight; each completes with [code]"cancelled"[/code].
    #[func]
    fn cancel(&mut self) {
        let owner = self.base().instance_id();
        CALLS.with_borrow_mut(|calls| {
            for call in calls.values_mut().filter(|c| c.owner == owner) {
                if let Some(cancel) = call.cancel.take() {
                    let _ = cancel.send(());
                }
                if call.waiting_for_ticket.take().is_some() {
                    http_runtime::complete_now(Completion {
                        call_id: call.id,
                        result: Err(LoginError::cancelled()),
                        finished_at: Instant::now(),
                    });
                }
            }
        });
    }
}

impl SteamLogin {
    fn new_call(&mut self) -> (Gd<SteamLoginCall>, u64) {
        install_pump();
        let call = SteamLoginCall::new_gd();
        let id = NEXT_CALL.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let owner = self.base().instance_id();
        CALLS.with_borrow_mut(|calls| {
            calls.insert(
                id,
                PendingCall {
                    id,
                    call: call.clone(),
                    owner,
                    cancel: None,
                    waiting_for_ticket: None,
                    client: self.client_options(),
                    resuming: None,
                },
            )
        });
        (call, id)
    }

    fn client_options(&self) -> (String, ClientOptions) {
        let timeout = Duration::from_secs_f64(self.timeout_sec.clamp(0.1, 3600.0));
        let options = ClientOptions {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            ..ClientOptions::default()
        };
        (self.endpoint.to_string(), options)
    }
}

/// How long `login_with_steam` waits for Steam's Web API ticket.
const WEB_API_TICKET_WAIT: Duration = Duration::from_secs(10);

/// Emits one call's result. Internal: returned by [method SteamLogin.login] as a signal.
#[derive(GodotClass)]
#[class(init, base = RefCounted)]
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

/// A finished call not yet emitted, with the time after which it is dropped.
type Held = (Gd<SteamLoginCall>, Gd<SteamLoginResult>, Instant);

struct PendingCall {
    id: u64,
    /// Kept alive until the result is emitted: awaiting code holds only its signal.
    call: Gd<SteamLoginCall>,
    owner: InstanceId,
    cancel: Option<oneshot::Sender<()>>,
    /// `login_with_steam`: the Web API ticket handle awaited, and until when.
    waiting_for_ticket: Option<(u32, Instant)>,
    client: (String, ClientOptions),
    /// `resume`: a refresh is in flight; if the server refuses it, log in with Steam for this
    /// identity.
    resuming: Option<GString>,
}

thread_local! {
    static CALLS: RefCell<HashMap<u64, PendingCall>> = RefCell::new(HashMap::new());
    static NEXT_CALL: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
    static PUMP: RefCell<Option<Callable>> = const { RefCell::new(None) };
    static TICKET_WATCH: RefCell<Option<Callable>> = const { RefCell::new(None) };
    static COMPLETIONS: RefCell<Vec<Completion>> = const { RefCell::new(Vec::new()) };
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
}

fn fail_later(id: u64, kind: ErrorKind, message: String) {
    http_runtime::complete_now(Completion {
        call_id: id,
        result: Err(LoginError::new(kind, message)),
        finished_at: Instant::now(),
    });
}

/// `login_with_steam`'s flow for call `id`: a Web API ticket from Steam (or a session ticket), then
/// the login.
fn start_steam_login(id: u64, identity: &GString) {
    let Some(mut steam) = steam_singleton::registered() else {
        fail_later(
            id,
            ErrorKind::InvalidTicket,
            "no Steam singleton is registered (steam/auth/provide_steam_singleton is \"never\" and GodotSteam is not loaded)".into(),
        );
        return;
    };
    if !steam_is_initialized(&mut steam) {
        fail_later(
            id,
            ErrorKind::InvalidTicket,
            "Steam is not initialised: call Steam.steamInit() first".into(),
        );
        return;
    }
    watch_web_api_tickets(&mut steam);
    let handle = web_api_ticket(&mut steam, identity);
    if handle == 0 {
        post_session_ticket(id);
    } else {
        CALLS.with_borrow_mut(|calls| {
            if let Some(c) = calls.get_mut(&id) {
                c.waiting_for_ticket = Some((handle, Instant::now() + WEB_API_TICKET_WAIT));
            }
        });
    }
}

/// The client for call `id`, with its cancel signal installed; `None` (and the call failed) when
/// its endpoint is unusable.
fn client_for(id: u64) -> Option<(LoginClient, oneshot::Receiver<()>)> {
    let (endpoint, options) =
        CALLS.with_borrow(|calls| calls.get(&id).map(|c| c.client.clone()))?;
    let client = match LoginClient::new(&endpoint, options) {
        Ok(c) => c,
        Err(e) => {
            http_runtime::complete_now(Completion {
                call_id: id,
                result: Err(e),
                finished_at: Instant::now(),
            });
            return None;
        }
    };
    let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
    CALLS.with_borrow_mut(|calls| {
        if let Some(c) = calls.get_mut(&id) {
            c.cancel = Some(cancel_tx);
        }
    });
    Some((client, cancel_rx))
}

/// What call `id` sends: a ticket to log in with, or a saved session's token to renew.
enum Exchange {
    Login(String),
    Refresh(String),
}

fn start_refresh(id: u64, token: String) {
    start_exchange(id, Exchange::Refresh(token));
}

fn start_post(id: u64, hex: String) {
    start_exchange(id, Exchange::Login(hex));
}

fn start_exchange(id: u64, exchange: Exchange) {
    let Some((client, cancel_rx)) = client_for(id) else {
        return;
    };
    let spawned = http_runtime::spawn(async move {
        let cancelled = async {
            let _ = cancel_rx.await;
        };
        let result = match &exchange {
            Exchange::Login(hex) => client.login_until(hex, cancelled).await,
            Exchange::Refresh(token) => client.refresh_until(token, cancelled).await,
        };
        Completion {
            call_id: id,
            result,
            finished_at: Instant::now(),
        }
    });
    if let Err(message) = spawned {
        fail_later(id, ErrorKind::Transport, message);
    }
}

fn post_session_ticket(id: u64) {
    let bytes = steam_singleton::registered()
        .filter(|steam| steam.has_method("getAuthSessionTicket"))
        .and_then(|mut steam| {
            let ticket = steam.call("getAuthSessionTicket", &[]);
            args::ticket_bytes(&ticket).ok().filter(|b| !b.is_empty())
        });
    match bytes {
        Some(bytes) => start_post(id, steam_ticket::hex::encode(&bytes)),
        None => fail_later(
            id,
            ErrorKind::InvalidTicket,
            "Steam gave neither a Web API nor a session ticket".into(),
        ),
    }
}

/// Ours answers `isSteamInitialized`; GodotSteam has no such call, so its singleton is taken as
/// initialised (its ticket calls then fail softly with handle 0 / an empty ticket).
fn steam_is_initialized(steam: &mut Gd<Object>) -> bool {
    if !steam.has_method("isSteamInitialized") {
        return true;
    }
    steam
        .call("isSteamInitialized", &[])
        .try_to::<bool>()
        .unwrap_or(false)
}

/// `getAuthTicketForWebApi(identity)` on whichever `Steam` is registered; 0 when none is had.
fn web_api_ticket(steam: &mut Gd<Object>, identity: &GString) -> u32 {
    if identity.to_string().contains('\0') || !steam.has_method("getAuthTicketForWebApi") {
        return 0;
    }
    let handle = steam.call("getAuthTicketForWebApi", &[identity.to_variant()]);
    handle
        .try_to::<i64>()
        .ok()
        .and_then(|h| u32::try_from(h).ok())
        .unwrap_or(0)
}

/// Drains completions every frame (installed on the first login).
fn install_pump() {
    let Some(mut tree) = scene_tree() else {
        return;
    };
    PUMP.with_borrow_mut(|pump| {
        let callable =
            pump.get_or_insert_with(|| Callable::from_fn("steam_auth_login_pump", |_| deliver()));
        if !tree.is_connected("process_frame", &*callable) {
            tree.connect("process_frame", &*callable);
        }
    });
}

/// Listens for Web API tickets that `login_with_steam` calls wait for.
fn watch_web_api_tickets(steam: &mut Gd<Object>) {
    TICKET_WATCH.with_borrow_mut(|watch| {
        let callable = watch.get_or_insert_with(|| {
            Callable::from_fn("steam_auth_web_api_ticket", on_web_api_ticket)
        });
        if !steam.is_connected("get_ticket_for_web_api", &*callable) {
            steam.connect("get_ticket_for_web_api", &*callable);
        }
    });
}

fn on_web_api_ticket(args: &[&Variant]) {
    let handle = args
        .first()
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(0);
    let result = args
        .get(1)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(0);
    let buffer = args
        .get(3)
        .and_then(|v| v.try_to::<PackedByteArray>().ok())
        .unwrap_or_default();
    let waiting: Vec<u64> = CALLS.with_borrow_mut(|calls| {
        calls
            .values_mut()
            .filter(|c| {
                c.waiting_for_ticket
                    .is_some_and(|(h, _)| i64::from(h) == handle)
            })
            .map(|c| {
                c.waiting_for_ticket = None;
                c.id
            })
            .collect()
    });
    for id in waiting {
        if result == 1 && !buffer.is_empty() {
            start_post(id, steam_ticket::hex::encode(buffer.as_slice()));
        } else {
            post_session_ticket(id);
        }
    }
}

/// Emits every finished call's result; fails `login_with_steam` calls whose ticket never came.
fn deliver() {
    let now = Instant::now();
    let expired: Vec<u64> = CALLS.with_borrow_mut(|calls| {
        calls
            .values_mut()
            .filter(|c| {
                c.waiting_for_ticket
                    .is_some_and(|(_, deadline)| deadline <= now)
            })
            .map(|c| {
                c.waiting_for_ticket = None;
                c.id
            })
            .collect()
    });
    for id in expired {
        fail_later(
            id,
            ErrorKind::Timeout,
            "Steam did not deliver a Web API ticket in time".into(),
        );
    }
    let mut done = COMPLETIONS.with_borrow_mut(std::mem::take);
    http_runtime::drain(&mut done);
    for completion in done.drain(..) {
        // A refused refresh of `resume`: log in with Steam instead, in the same call.
        let refused = matches!(&completion.result, Err(e) if e.kind == ErrorKind::Rejected);
        let refresh_of = CALLS.with_borrow_mut(|calls| {
            let pending = calls.get_mut(&completion.call_id)?;
            let identity = pending.resuming.take()?;
            pending.cancel = None;
            Some(identity)
        });
        let resumed = match refresh_of {
            Some(identity) if refused => {
                start_steam_login(completion.call_id, &identity);
                continue;
            }
            Some(_) => completion.result.is_ok(),
            None => false,
        };
        let Some(pending) = CALLS.with_borrow_mut(|calls| calls.remove(&completion.call_id)) else {
            continue;
        };
        let delivery = completion
            .finished_at
            .elapsed()
            .as_micros()
            .min(i64::MAX as u128) as i64;
        let (result, session) = match &completion.result {
            Ok(session) => {
                let (result, session) = SteamLoginResult::success(session, delivery, resumed);
                (result, Some(session))
            }
            Err(e) => (
                SteamLoginResult::failure(e.kind.as_str(), e, delivery),
                None,
            ),
        };
        // Object-level signals first: emitting `completed` resumes the awaiting coroutine at once.
        if let Ok(mut owner) = Gd::<SteamLogin>::try_from_instance_id(pending.owner) {
            match session {
                Some(session) => owner.emit_signal("login_succeeded", &[session.to_variant()]),
                None => owner.emit_signal("login_failed", &[result.to_variant()]),
            };
        }
        HELD.with_borrow_mut(|held| held.push((pending.call, result, now + HOLD_UNAWAITED)));
    }
    emit_awaited(now);
    COMPLETIONS.with_borrow_mut(|buffer| {
        if buffer.capacity() < done.capacity() {
            *buffer = done;
        }
    });
}

/// How long a result waits for `await` when its call's signal has no listener yet (a game may start
/// two logins and await the second first).
const HOLD_UNAWAITED: Duration = Duration::from_secs(60);

/// Emits held results whose call is now awaited; drops those nobody awaited in time.
fn emit_awaited(now: Instant) {
    let ready: Vec<(Gd<SteamLoginCall>, Gd<SteamLoginResult>)> = HELD.with_borrow_mut(|held| {
        let mut ready = Vec::new();
        held.retain(|(call, result, deadline)| {
            let awaited = !call.get_signal_connection_list("completed").is_empty();
            if awaited {
                ready.push((call.clone(), result.clone()));
            }
            !awaited && *deadline > now
        });
        ready
    });
    for (mut call, result) in ready {
        call.emit_signal("completed", &[result.to_variant()]);
    }
}

/// Drops every pending call and stops the runtime (at the end of the game's SceneTree).
pub fn shutdown() {
    CALLS.with_borrow_mut(HashMap::clear);
    HELD.with_borrow_mut(Vec::clear);
    PUMP.with_borrow_mut(|p| *p = None);
    // The watcher may be connected to another addon's Steam (GodotSteam), which outlives this library.
    if let Some(watch) = TICKET_WATCH.with_borrow_mut(Option::take) {
        if let Some(mut steam) = steam_singleton::registered() {
            if steam.is_connected("get_ticket_for_web_api", &watch) {
                steam.disconnect("get_ticket_for_web_api", &watch);
            }
        }
    }
    http_runtime::shutdown();
}

fn scene_tree() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()
}
