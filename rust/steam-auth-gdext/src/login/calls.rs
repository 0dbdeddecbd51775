//! The registry of `SteamLogin` calls, kept on the main thread from the call until its result is
//! emitted (or dropped unawaited); each call's own state is a `Call`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use godot::prelude::*;
use steam_login_client::LoginError;

use super::call::{Call, CallError, CallState, Course, Plan, Target};
use super::SteamLoginCall;
use crate::session::SteamLoginResult;

pub(super) type CallId = u64;

/// A finished call whose signal nobody awaits yet, held until `until`.
pub(super) struct Held {
    pub call: Gd<SteamLoginCall>,
    pub result: Gd<SteamLoginResult>,
    pub until: Instant,
}

#[derive(Default)]
pub(super) struct Registry {
    calls: HashMap<CallId, Call>,
    last_id: CallId,
    pub held: Vec<Held>,
    /// Calls that failed before any exchange, delivered on the next frame (never inside the
    /// GDScript call).
    pub failed: Vec<(CallId, CallError)>,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

/// The main thread's registry. Keep the borrow short: never call into Godot inside `f`.
pub(super) fn with<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    REGISTRY.with_borrow_mut(f)
}

impl Registry {
    pub fn insert(
        &mut self,
        signal_owner: Gd<SteamLoginCall>,
        owner: InstanceId,
        target: Target,
        plan: Plan,
    ) -> CallId {
        self.last_id += 1;
        self.calls.insert(
            self.last_id,
            Call {
                signal_owner,
                owner,
                target,
                state: CallState::Starting,
                course: Course::new(plan),
            },
        );
        self.last_id
    }

    pub fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        self.calls.get_mut(&id)
    }

    pub fn remove(&mut self, id: CallId) -> Option<Call> {
        self.calls.remove(&id)
    }

    pub fn set_state(&mut self, id: CallId, state: CallState) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.state = state;
        }
    }

    /// The calls waiting for Web API ticket `handle`; they stop waiting.
    pub fn take_waiting_for(&mut self, handle: u32) -> Vec<CallId> {
        self.take_waits(|h, _| h == Some(handle))
    }

    /// The calls waiting for an encrypted app ticket; they stop waiting.
    pub fn take_waiting_for_encrypted(&mut self) -> Vec<CallId> {
        self.take_waits(|h, _| h.is_none())
    }

    /// Whether a call waits for an encrypted app ticket (Steam makes one at a time).
    pub fn awaits_encrypted(&self) -> bool {
        self.calls
            .values()
            .any(|c| matches!(c.state, CallState::AwaitingEncryptedTicket { .. }))
    }

    /// The calls whose ticket from Steam did not come by `now`; they stop waiting.
    pub fn take_expired_waits(&mut self, now: Instant) -> Vec<CallId> {
        self.take_waits(|_, deadline| deadline <= now)
    }

    /// `matches(handle, deadline)`: the Web API ticket's handle, `None` for an encrypted ticket.
    fn take_waits(&mut self, matches: impl Fn(Option<u32>, Instant) -> bool) -> Vec<CallId> {
        let mut ids = Vec::new();
        for (id, call) in &mut self.calls {
            let (handle, deadline) = match call.state {
                CallState::AwaitingWebApiTicket { handle, deadline } => (Some(handle), deadline),
                CallState::AwaitingEncryptedTicket { deadline } => (None, deadline),
                _ => continue,
            };
            if matches(handle, deadline) {
                call.state = CallState::Starting;
                ids.push(*id);
            }
        }
        ids
    }

    /// Cancels every call of `owner`: exchanges are told to stop (they complete as cancelled), and
    /// calls only waiting for Steam complete as cancelled on the next frame.
    pub fn cancel_all_of(&mut self, owner: InstanceId) {
        for (id, call) in self.calls.iter_mut().filter(|(_, c)| c.owner == owner) {
            match std::mem::replace(&mut call.state, CallState::Starting) {
                CallState::Exchanging { cancel } => {
                    let _ = cancel.send(());
                }
                CallState::AwaitingWebApiTicket { .. }
                | CallState::AwaitingEncryptedTicket { .. } => self
                    .failed
                    .push((*id, CallError::Login(LoginError::cancelled()))),
                CallState::Starting => {}
            }
            call.course.cancel();
        }
    }

    pub fn clear(&mut self) {
        self.calls.clear();
        self.held.clear();
        self.failed.clear();
    }
}
