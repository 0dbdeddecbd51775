//! Results back to GDScript: every frame, finished calls are turned into `SteamLoginResult`s and
//! emitted (the owner's `login_succeeded` / `login_failed`, then the call's own `completed` once
//! something awaits it); calls whose Web API ticket never came fail; a refused `resume` falls back to
//! a Steam login within the same call.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot::classes::{Engine, SceneTree};
use godot::prelude::*;
use steam_login_client::{ErrorKind, LoginError};

use super::calls::{self, Held};
use super::{clients, flow, SteamLogin};
use crate::http_runtime::{self, Completion};
use crate::session::SteamLoginResult;

/// How long a result waits for `await` when its call's signal has no listener yet (a game may start
/// two logins and await the second first).
const HOLD_UNAWAITED: Duration = Duration::from_secs(60);

thread_local! {
    static PUMP: RefCell<Option<Callable>> = const { RefCell::new(None) };
    /// Reused between frames so idle frames do not allocate.
    static COMPLETIONS: RefCell<Vec<Completion>> = const { RefCell::new(Vec::new()) };
}

/// Drains completions every frame (installed on the first call).
pub(super) fn install_pump() {
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

/// One frame's work: expired waits fail, finished calls are emitted.
fn deliver() {
    let now = Instant::now();
    for id in calls::with(|r| r.take_expired_waits(now)) {
        flow::fail(
            id,
            ErrorKind::Steam,
            "Steam did not deliver a Web API ticket in time",
        );
    }
    let mut done = COMPLETIONS.with_borrow_mut(std::mem::take);
    http_runtime::drain(&mut done);
    for completion in done.drain(..) {
        finish(completion, now);
    }
    emit_awaited(now);
    COMPLETIONS.with_borrow_mut(|buffer| {
        if buffer.capacity() < done.capacity() {
            *buffer = done;
        }
    });
}

/// A completed exchange: `resume`'s refused refresh becomes a Steam login, and a ticket the server
/// already saw (`ticket_reused`: its answer to an earlier try was lost) is replaced once by a fresh
/// one from Steam; anything else is the call's result.
fn finish(completion: Completion, now: Instant) {
    let id = completion.call_id;
    let reused = matches!(&completion.result, Err(e) if e.code.as_deref() == Some("ticket_reused"));
    if reused {
        if let Some(identity) = take_reused_ticket_retry(id) {
            return flow::login_with_steam(id, &identity);
        }
    }
    let refused = matches!(&completion.result, Err(e) if e.kind == ErrorKind::Rejected);
    let fallback = calls::with(|r| r.get_mut(id).and_then(|c| c.fallback_identity.take()));
    let resumed = match &fallback {
        Some(identity) if refused => return flow::login_with_steam(id, identity),
        Some(_) => completion.result.is_ok(),
        None => false,
    };
    let Some(call) = calls::with(|r| r.remove(id)) else {
        return; // cancelled by shutdown, or completed twice
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
    // The owner's signals first: emitting `completed` resumes the awaiting coroutine at once.
    if let Ok(owner) = Gd::<SteamLogin>::try_from_instance_id(call.owner) {
        match session {
            Some(session) => owner.signals().login_succeeded().emit(&session),
            None => owner.signals().login_failed().emit(&result),
        }
    }
    calls::with(|r| {
        r.held.push(Held {
            call: call.signal_owner,
            result,
            until: now + HOLD_UNAWAITED,
        })
    });
}

/// The identity to ask Steam for a fresh ticket with, once per call, when Steam can give one.
fn take_reused_ticket_retry(id: calls::CallId) -> Option<GString> {
    let steam_ready = crate::steam_by_name::SteamByName::registered()
        .is_some_and(|mut steam| steam.is_initialized());
    if !steam_ready {
        return None;
    }
    calls::with(|r| {
        let call = r.get_mut(id)?;
        if call.retried_reused_ticket {
            return None;
        }
        call.retried_reused_ticket = true;
        Some(call.identity.clone())
    })
}

/// Emits held results whose call is now awaited; drops those nobody awaited in time.
fn emit_awaited(now: Instant) {
    let held = calls::with(|r| std::mem::take(&mut r.held));
    let mut still_held = Vec::new();
    for held in held {
        if !held.call.get_signal_connection_list("completed").is_empty() {
            let Held { call, result, .. } = held;
            call.signals().completed().emit(&result);
        } else if held.until > now {
            still_held.push(held);
        }
    }
    calls::with(|r| r.held.append(&mut still_held));
}

/// Completes `ids` (calls only waiting for Steam) as cancelled.
pub(super) fn cancel_waiting(ids: Vec<calls::CallId>) {
    for id in ids {
        http_runtime::complete_now(Completion {
            call_id: id,
            result: Err(LoginError::cancelled()),
            finished_at: Instant::now(),
        });
    }
}

/// Drops every pending call and stops the runtime (at the end of the game's SceneTree).
pub fn shutdown() {
    calls::with(calls::Registry::clear);
    PUMP.with_borrow_mut(|p| *p = None);
    flow::stop_watching_web_api_tickets();
    http_runtime::shutdown();
    clients::clear();
}

fn scene_tree() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()
}
