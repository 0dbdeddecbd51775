//! A call's steps: a ticket from Steam (a Web API ticket, else a session ticket; or an encrypted
//! app ticket holding the server's nonce), the HTTP exchange (login, refresh or nonce) on the
//! extension's runtime, and a failure queued for the next frame.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot::prelude::*;
use steam_login_client::{ErrorKind, LoginError};
use tokio::sync::oneshot;

use super::call::{CallError, CallState};
use super::calls::{self, CallId};
use super::clients;
use crate::http_runtime::{self, Answer, Completion};
use crate::steam_by_name::SteamByName;

const WEB_API_TICKET_SIGNAL: &str = "get_ticket_for_web_api";
const ENCRYPTED_TICKET_SIGNAL: &str = "encrypted_app_ticket_response";

thread_local! {
    static TICKET_WATCH: RefCell<Option<Callable>> = const { RefCell::new(None) };
    static ENCRYPTED_WATCH: RefCell<Option<Callable>> = const { RefCell::new(None) };
}

/// How long a call waits for a ticket from Steam.
const STEAM_TICKET_WAIT: Duration = Duration::from_secs(10);

/// What a call sends: a ticket (hex) to log in with, a saved session's token to renew, a request
/// for a nonce, or an encrypted app ticket (hex) to log in with.
pub(super) enum Exchange {
    Login(String),
    Refresh(String),
    Nonce,
    LoginEncrypted(String),
}

/// Completes call `id` with `error` on the next frame (never inside the GDScript call).
pub(super) fn fail(id: CallId, error: impl Into<CallError>) {
    let error = error.into();
    calls::with(|r| r.failed.push((id, error)));
}

/// Completes call `id` as Steam's failure to give a ticket.
pub(super) fn fail_steam(id: CallId, message: &str) {
    fail(id, CallError::Steam(message.into()));
}

/// `login_with_steam`'s first step for call `id`: ask Steam for a Web API ticket (or post a session
/// ticket when Steam has none to give).
pub(super) fn login_with_steam(id: CallId, identity: &str) {
    let Some(mut steam) = SteamByName::registered() else {
        return fail_steam(
            id,
            "no Steam singleton is registered (steam/auth/provide_steam_singleton is \"never\" and GodotSteam is not loaded)",
        );
    };
    if !steam.is_initialized() {
        return fail_steam(id, "Steam is not initialised: call Steam.steamInit() first");
    }
    watch_web_api_tickets(&mut steam);
    match steam.web_api_ticket(&GString::from(identity)) {
        0 => post_session_ticket(id),
        handle => calls::with(|r| {
            r.set_state(
                id,
                CallState::AwaitingWebApiTicket {
                    handle,
                    deadline: Instant::now() + STEAM_TICKET_WAIT,
                },
            )
        }),
    }
}

/// Steam's `get_ticket_for_web_api(handle, result, size, buffer)`: the calls waiting for it post it
/// (or a session ticket, when Steam failed to make one).
fn web_api_ticket_arrived(handle: u32, ok: bool, ticket: &PackedByteArray) {
    for id in calls::with(|r| r.take_waiting_for(handle)) {
        if ok && !ticket.is_empty() {
            exchange(
                id,
                Exchange::Login(steam_ticket::hex::encode(ticket.as_slice())),
            );
        } else {
            post_session_ticket(id);
        }
    }
}

/// The fallback when Steam gives no Web API ticket: a session ticket (servers that accept those
/// still log the player in).
pub(super) fn post_session_ticket(id: CallId) {
    match SteamByName::registered().and_then(|mut steam| steam.session_ticket()) {
        Some(ticket) => exchange(
            id,
            Exchange::Login(steam_ticket::hex::encode(&ticket.bytes)),
        ),
        None => fail_steam(id, "Steam gave neither a Web API nor a session ticket"),
    }
}

/// Starts call `id`'s HTTP exchange on the runtime; its completion comes back to the main thread.
pub(super) fn exchange(id: CallId, exchange: Exchange) {
    let Some(target) = calls::with(|r| r.get_mut(id).map(|c| c.target.clone())) else {
        return;
    };
    let client = match clients::client_for(&target) {
        Ok(client) => client,
        Err(e) => return fail(id, e),
    };
    let (cancel, cancelled) = oneshot::channel::<()>();
    calls::with(|r| r.set_state(id, CallState::Exchanging { cancel }));
    let spawned = http_runtime::spawn(async move {
        let cancelled = async {
            let _ = cancelled.await;
        };
        let result = match &exchange {
            Exchange::Login(hex) => client
                .login_until(hex, cancelled)
                .await
                .map(|s| Answer::Session(Box::new(s))),
            Exchange::Refresh(token) => client
                .refresh_until(token, cancelled)
                .await
                .map(|s| Answer::Session(Box::new(s))),
            Exchange::Nonce => client.nonce_until(cancelled).await.map(Answer::Nonce),
            Exchange::LoginEncrypted(hex) => client
                .login_encrypted_until(hex, cancelled)
                .await
                .map(|s| Answer::Session(Box::new(s))),
        };
        Completion {
            call_id: id,
            result,
            finished_at: Instant::now(),
        }
    });
    if let Err(message) = spawned {
        fail(id, LoginError::new(ErrorKind::Transport, message));
    }
}

/// `login_with_encrypted_ticket`'s second step: ask Steam for an encrypted app ticket holding
/// `nonce`. Steam makes one at a time, and its answer names no request, so a second call fails at
/// once rather than take the first one's ticket.
pub(super) fn ask_encrypted_ticket(id: CallId, nonce: &str) {
    let Some(mut steam) = SteamByName::registered() else {
        return fail_steam(id, "no Steam singleton is registered");
    };
    if !steam.is_initialized() {
        return fail_steam(id, "Steam is not initialised: call Steam.steamInit() first");
    }
    if calls::with(|r| r.awaits_encrypted()) {
        return fail_steam(
            id,
            "another login is waiting for an encrypted app ticket; Steam makes one at a time",
        );
    }
    watch_encrypted_tickets(&mut steam);
    if !steam.request_encrypted_app_ticket(nonce) {
        return fail_steam(id, "this Steam singleton has no requestEncryptedAppTicket");
    }
    calls::with(|r| {
        r.set_state(
            id,
            CallState::AwaitingEncryptedTicket {
                deadline: Instant::now() + STEAM_TICKET_WAIT,
            },
        )
    });
}

/// `encrypted_app_ticket_response(result)`: GodotSteam's words, `"ok"` or why not.
fn on_encrypted_ticket(args: &[&Variant]) {
    let result = args.first().map(|v| v.to_string()).unwrap_or_default();
    let waiting = calls::with(|r| r.take_waiting_for_encrypted());
    if waiting.is_empty() {
        return;
    }
    let ticket = match result.as_str() {
        "ok" => SteamByName::registered()
            .and_then(|mut steam| steam.encrypted_app_ticket())
            .ok_or_else(|| "Steam answered ok but getEncryptedAppTicket gave no ticket".to_owned()),
        "limit exceeded" => Err(
            "Steam makes one encrypted app ticket a minute: try again in a minute (Steam's answer: limit exceeded)"
                .to_owned(),
        ),
        other => Err(format!("Steam made no encrypted app ticket: {other}")),
    };
    for id in waiting {
        match &ticket {
            Ok(bytes) => exchange(
                id,
                Exchange::LoginEncrypted(steam_ticket::hex::encode(bytes)),
            ),
            Err(message) => fail_steam(id, message),
        }
    }
}

fn watch_encrypted_tickets(steam: &mut SteamByName) {
    ENCRYPTED_WATCH.with_borrow_mut(|watch| {
        let callable = watch.get_or_insert_with(|| {
            Callable::from_fn("steam_auth_encrypted_ticket", on_encrypted_ticket)
        });
        steam.watch(ENCRYPTED_TICKET_SIGNAL, callable);
    });
}

/// Listens for the Web API tickets `login_with_steam` calls wait for.
fn watch_web_api_tickets(steam: &mut SteamByName) {
    TICKET_WATCH.with_borrow_mut(|watch| {
        let callable = watch.get_or_insert_with(|| {
            Callable::from_fn("steam_auth_web_api_ticket", on_web_api_ticket)
        });
        steam.watch(WEB_API_TICKET_SIGNAL, callable);
    });
}

/// `get_ticket_for_web_api(auth_ticket, result, ticket_size, ticket_buffer)`, from either `Steam`.
fn on_web_api_ticket(args: &[&Variant]) {
    let int = |at: usize| {
        args.get(at)
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0)
    };
    let Ok(handle) = u32::try_from(int(0)) else {
        return;
    };
    let ticket = args
        .get(3)
        .and_then(|v| v.try_to::<PackedByteArray>().ok())
        .unwrap_or_default();
    const RESULT_OK: i64 = 1;
    web_api_ticket_arrived(handle, int(1) == RESULT_OK, &ticket);
}

/// Disconnects the watcher: it may be connected to another addon's Steam (GodotSteam), which
/// outlives this library.
pub(super) fn stop_watching_steam() {
    for (signal, watch) in [
        (WEB_API_TICKET_SIGNAL, &TICKET_WATCH),
        (ENCRYPTED_TICKET_SIGNAL, &ENCRYPTED_WATCH),
    ] {
        if let Some(watch) = watch.with_borrow_mut(Option::take) {
            if let Some(mut steam) = SteamByName::registered() {
                steam.unwatch(signal, &watch);
            }
        }
    }
}
