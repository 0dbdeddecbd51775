//! A call's steps: a ticket from Steam (a Web API ticket, else a session ticket), the HTTP exchange
//! (login or refresh) on the extension's runtime, and a failure queued for the next frame.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot::prelude::*;
use steam_login_client::{ErrorKind, LoginError};
use tokio::sync::oneshot;

use super::call::{CallError, CallState};
use super::calls::{self, CallId};
use super::clients;
use crate::http_runtime::{self, Completion};
use crate::steam_by_name::SteamByName;

const WEB_API_TICKET_SIGNAL: &str = "get_ticket_for_web_api";

thread_local! {
    static TICKET_WATCH: RefCell<Option<Callable>> = const { RefCell::new(None) };
}

/// How long `login_with_steam` waits for Steam's Web API ticket.
const WEB_API_TICKET_WAIT: Duration = Duration::from_secs(10);

/// What a call sends: a ticket (hex) to log in with, or a saved session's token to renew.
pub(super) enum Exchange {
    Login(String),
    Refresh(String),
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
                    deadline: Instant::now() + WEB_API_TICKET_WAIT,
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
        fail(id, LoginError::new(ErrorKind::Transport, message));
    }
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
pub(super) fn stop_watching_web_api_tickets() {
    if let Some(watch) = TICKET_WATCH.with_borrow_mut(Option::take) {
        if let Some(mut steam) = SteamByName::registered() {
            steam.unwatch(WEB_API_TICKET_SIGNAL, &watch);
        }
    }
}
