//! Each `SteamLogin` call's state, kept on the main thread from the call until its result is emitted
//! (or dropped unawaited): one registry with an explicit state per call.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use godot::prelude::*;
use tokio::sync::oneshot;

use super::SteamLoginCall;
use crate::session::SteamLoginResult;

pub(super) type CallId = u64;

/// What a call is doing now.
pub(super) enum CallState {
    /// Its first step is being started.
    Starting,
    /// `login_with_steam`: waiting for Steam's Web API ticket with this handle until `deadline`.
    AwaitingWebApiTicket { handle: u32, deadline: Instant },
    /// An HTTP exchange is in flight; sending on `cancel` stops it.
    Exchanging { cancel: oneshot::Sender<()> },
}

/// Where a call posts: the endpoint and its timeout (from the `SteamLogin` at call time), and the
/// transport settings in force then.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Target {
    pub endpoint: String,
    pub timeout: Duration,
    /// `steam/auth/login_ca_file`, if set.
    pub ca_file: Option<String>,
    /// Plain `http://` beyond loopback may be used (`steam/auth/allow_insecure_http`, or a debug
    /// build).
    pub allow_insecure_http: bool,
}

pub(super) struct Call {
    /// Emits the result; kept alive until then (awaiting code holds only its signal).
    pub signal_owner: Gd<SteamLoginCall>,
    /// The `SteamLogin` whose `login_succeeded` / `login_failed` also fire.
    pub owner: InstanceId,
    pub target: Target,
    pub state: CallState,
    /// `resume`: if the server refuses the saved session, log in with Steam for this identity.
    pub fallback_identity: Option<GString>,
    /// The Web API identity a fresh ticket is asked for (`login_with_steam`, `resume`; empty for
    /// `login`).
    pub identity: GString,
    /// Whether the call already got a fresh ticket after the server said `ticket_reused`.
    pub retried_reused_ticket: bool,
}

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
    ) -> CallId {
        self.last_id += 1;
        self.calls.insert(
            self.last_id,
            Call {
                signal_owner,
                owner,
                target,
                state: CallState::Starting,
                fallback_identity: None,
                identity: GString::new(),
                retried_reused_ticket: false,
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
        self.take_waits(|h, _| h == handle)
    }

    /// The calls whose Web API ticket did not come by `now`; they stop waiting.
    pub fn take_expired_waits(&mut self, now: Instant) -> Vec<CallId> {
        self.take_waits(|_, deadline| deadline <= now)
    }

    fn take_waits(&mut self, matches: impl Fn(u32, Instant) -> bool) -> Vec<CallId> {
        let mut ids = Vec::new();
        for (id, call) in &mut self.calls {
            if let CallState::AwaitingWebApiTicket { handle, deadline } = call.state {
                if matches(handle, deadline) {
                    call.state = CallState::Starting;
                    ids.push(*id);
                }
            }
        }
        ids
    }

    /// Cancels every call of `owner`: exchanges are told to stop (they complete as cancelled);
    /// returns the calls that were only waiting for Steam, which the caller completes.
    pub fn cancel_all_of(&mut self, owner: InstanceId) -> Vec<CallId> {
        let mut waiting = Vec::new();
        for (id, call) in self.calls.iter_mut().filter(|(_, c)| c.owner == owner) {
            match std::mem::replace(&mut call.state, CallState::Starting) {
                CallState::Exchanging { cancel } => {
                    let _ = cancel.send(());
                }
                CallState::AwaitingWebApiTicket { .. } => waiting.push(*id),
                CallState::Starting => {}
            }
            call.fallback_identity = None;
        }
        waiting
    }

    pub fn clear(&mut self) {
        self.calls.clear();
        self.held.clear();
    }
}
