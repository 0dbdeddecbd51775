//! Results back to GDScript: every frame, each finished exchange goes to its call's `Course`, which
//! says whether the call goes on; finished calls are turned into `SteamLoginResult`s and emitted (the
//! owner's `login_succeeded` / `login_failed`, then the call's own `completed` once something awaits
//! it). Calls whose Web API ticket never came fail.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use godot::classes::{Engine, SceneTree};
use godot::prelude::*;

use super::call::{CallError, CallResult, Step};
use super::calls::{self, CallId, Held};
use super::{clients, flow, SteamLogin};
use crate::http_runtime::{self, Answer, Completion};
use crate::session::SteamLoginResult;
use crate::steam_by_name::SteamByName;

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

/// One frame's work: expired waits fail, finished calls take their next step or are emitted.
fn deliver() {
    let now = Instant::now();
    for id in calls::with(|r| r.take_expired_waits(now)) {
        flow::fail_steam(id, "Steam did not deliver the ticket in time");
    }
    for (id, error) in calls::with(|r| std::mem::take(&mut r.failed)) {
        finish(id, Err(error), now, now);
    }
    let mut done = COMPLETIONS.with_borrow_mut(std::mem::take);
    http_runtime::drain(&mut done);
    for completion in done.drain(..) {
        let result = completion.result.map_err(CallError::from);
        finish(completion.call_id, result, completion.finished_at, now);
    }
    emit_awaited(now);
    COMPLETIONS.with_borrow_mut(|buffer| {
        if buffer.capacity() < done.capacity() {
            *buffer = done;
        }
    });
}

/// Call `id`'s result: its next step, or its signals.
fn finish(id: CallId, result: CallResult, finished_at: Instant, now: Instant) {
    // Only a failure can lead to another step; Steam is asked (a Godot call) outside the borrow.
    let steam_ready = result.is_err()
        && SteamByName::registered().is_some_and(|mut steam| steam.is_initialized());
    let Some(step) = calls::with(|r| Some(r.get_mut(id)?.course.next(&result, steam_ready))) else {
        return; // cancelled by shutdown, or completed twice
    };
    let resumed = match step {
        Step::LoginWithSteam { identity } => return flow::login_with_steam(id, &identity),
        Step::AskEncryptedTicket { nonce } => return flow::ask_encrypted_ticket(id, &nonce),
        Step::Deliver { resumed } => resumed,
    };
    let Some(call) = calls::with(|r| r.remove(id)) else {
        return;
    };
    let delivery = finished_at.elapsed().as_micros().min(i64::MAX as u128) as i64;
    let (result, session) = match result {
        Ok(Answer::Nonce(_)) => (
            SteamLoginResult::failure(
                "protocol",
                "a nonce where a session was due",
                None,
                delivery,
            ),
            None,
        ),
        Ok(Answer::Session(session)) => {
            let (result, session) = SteamLoginResult::success(*session, delivery, resumed);
            (result, Some(session))
        }
        Err(e) => (
            SteamLoginResult::failure(e.kind(), e.message(), e.login_error(), delivery),
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

/// Drops every pending call and stops the runtime (at the end of the game's SceneTree).
pub fn shutdown() {
    calls::with(calls::Registry::clear);
    PUMP.with_borrow_mut(|p| *p = None);
    flow::stop_watching_steam();
    http_runtime::shutdown();
    clients::clear();
}

fn scene_tree() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()
}
