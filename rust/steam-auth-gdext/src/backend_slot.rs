//! The backend a singleton talks to, shared by `Steam` and `SteamServer`: empty before init, every
//! call made before init reported the same way (an error naming the call and what to do), and the
//! auth calls both classes have (`beginAuthSession`, `endAuthSession`, `userHasLicenseForApp`,
//! `loggedOn`, `getSteamID`) written once over core's `AuthValidator`, and the per-frame callback
//! pump both classes run.

use godot::obj::bounds::DeclUser;
use godot::obj::Bounds;
use godot::prelude::*;
use steam_auth_core::{AuthValidator, GameServerBackend, ServerEvent, SteamBackend, SteamEvent};

use crate::steam_args as args;

/// What a singleton's backend trait object offers the slot: the `AuthValidator` it extends, and its
/// callbacks.
pub(crate) trait SingletonBackend {
    /// What its callbacks become (`SteamEvent`, `ServerEvent`).
    type Event;
    fn validator(&self) -> &dyn AuthValidator;
    fn validator_mut(&mut self) -> &mut dyn AuthValidator;
    fn pump(&mut self, out: &mut Vec<Self::Event>);
}

impl SingletonBackend for dyn SteamBackend {
    type Event = SteamEvent;
    fn validator(&self) -> &dyn AuthValidator {
        self
    }
    fn validator_mut(&mut self) -> &mut dyn AuthValidator {
        self
    }
    fn pump(&mut self, out: &mut Vec<SteamEvent>) {
        self.run_callbacks(out);
    }
}

impl SingletonBackend for dyn GameServerBackend {
    type Event = ServerEvent;
    fn validator(&self) -> &dyn AuthValidator {
        self
    }
    fn validator_mut(&mut self) -> &mut dyn AuthValidator {
        self
    }
    fn pump(&mut self, out: &mut Vec<ServerEvent>) {
        self.run_callbacks(out);
    }
}

/// `beginAuthSession`'s answer when the call cannot be made (GodotSteam's invalid-ticket code).
const BEGIN_INVALID: i64 = 1;
/// `userHasLicenseForApp`'s answer when the call cannot be made (no auth session).
const LICENSE_NO_AUTH: i64 = 2;

/// A singleton's backend, `None` until init.
pub(crate) struct BackendSlot<B: ?Sized + SingletonBackend> {
    backend: Option<Box<B>>,
    /// Reused between pumps so idle frames do not allocate.
    events: Vec<B::Event>,
    /// The GDScript class name messages start with (`Steam`, `SteamServer`).
    class: &'static str,
    /// What to do, said when a call comes before init.
    not_initialised: &'static str,
}

impl<B: ?Sized + SingletonBackend> BackendSlot<B> {
    pub const fn empty(class: &'static str, not_initialised: &'static str) -> Self {
        BackendSlot {
            backend: None,
            events: Vec::new(),
            class,
            not_initialised,
        }
    }

    pub fn is_initialised(&self) -> bool {
        self.backend.is_some()
    }

    pub fn set(&mut self, backend: Box<B>) {
        self.backend = Some(backend);
    }

    /// Drops the backend (shutdown) and its undelivered events; true if there was one.
    pub fn clear(&mut self) -> bool {
        self.events.clear();
        self.backend.take().is_some()
    }

    /// The callbacks that arrived since the last pump, to emit as signals outside any borrow of the
    /// class (handlers may call back into it); hand the buffer back with [`Self::return_buffer`].
    pub fn take_events(&mut self) -> Vec<B::Event> {
        let mut events = std::mem::take(&mut self.events);
        if let Some(backend) = self.backend.as_deref_mut() {
            backend.pump(&mut events);
        }
        events
    }

    /// Keeps the (drained) buffer of [`Self::take_events`] for the next pump.
    pub fn return_buffer(&mut self, buffer: Vec<B::Event>) {
        if self.events.capacity() < buffer.capacity() {
            self.events = buffer;
        }
    }

    /// The backend without a message (for pumping callbacks and status queries).
    pub fn get(&self) -> Option<&B> {
        self.backend.as_deref()
    }

    /// The backend, or an error naming `method` and saying to call init first.
    pub fn or_error(&self, method: &str) -> Option<&B> {
        if self.backend.is_none() {
            self.report_not_initialised(method);
        }
        self.backend.as_deref()
    }

    pub fn or_error_mut(&mut self, method: &str) -> Option<&mut B> {
        if self.backend.is_none() {
            self.report_not_initialised(method);
        }
        self.backend.as_deref_mut()
    }

    /// `f` on the backend, or `default` with the not-initialised error.
    pub fn with<R>(&self, method: &str, default: R, f: impl FnOnce(&B) -> R) -> R {
        self.or_error(method).map(f).unwrap_or(default)
    }

    fn report_not_initialised(&self, method: &str) {
        godot_error!("{}.{method}: {}", self.class, self.not_initialised);
    }
}

impl<B: ?Sized + SingletonBackend> BackendSlot<B> {
    /// `loggedOn`: false (with an error) before init.
    pub fn logged_on(&self) -> bool {
        self.with("loggedOn", false, |b| b.validator().logged_on())
    }

    /// `getSteamID`: 0 (with an error) before init.
    pub fn steam_id(&self) -> i64 {
        self.with("getSteamID", 0, |b| b.validator().steam_id() as i64)
    }

    /// `beginAuthSession`: the arguments are checked first, so a bad call says what is wrong with it.
    pub fn begin_auth_session(
        &mut self,
        ticket: &PackedByteArray,
        ticket_size: i64,
        steam_id: i64,
    ) -> i64 {
        let (ticket, steam_id) = match args::begin_auth_args(ticket, ticket_size, steam_id) {
            Ok(parsed) => parsed,
            Err(message) => {
                godot_error!("{}.beginAuthSession: {message}", self.class);
                return BEGIN_INVALID;
            }
        };
        self.or_error_mut("beginAuthSession")
            .map(|b| {
                let result = b.validator_mut().begin_auth_session(ticket, steam_id);
                i64::from(result.code())
            })
            .unwrap_or(BEGIN_INVALID)
    }

    /// `endAuthSession`: warns when no session was begun for that SteamID.
    pub fn end_auth_session(&mut self, steam_id: i64) {
        let class = self.class;
        let Some(backend) = self.or_error_mut("endAuthSession") else {
            return;
        };
        let known = args::steam_id(steam_id)
            .map(|id| backend.validator_mut().end_auth_session(id))
            .unwrap_or(false);
        if !known {
            godot_warn!("{class}.endAuthSession: no auth session is active for SteamID {steam_id}");
        }
    }

    /// `userHasLicenseForApp` (and GodotSteam Server's `userHasLicenceForApp`, named by `method`).
    pub fn user_has_license_for_app(&mut self, method: &str, steam_id: i64, app_id: i64) -> i64 {
        let (Some(id), Ok(app)) = (args::steam_id(steam_id), u32::try_from(app_id)) else {
            godot_error!(
                "{}.{method}: {steam_id} / {app_id} is not a SteamID64 / app id",
                self.class
            );
            return LICENSE_NO_AUTH;
        };
        self.or_error_mut(method)
            .map(|b| i64::from(b.validator_mut().user_has_license_for_app(id, app).code()))
            .unwrap_or(LICENSE_NO_AUTH)
    }
}

/// One frame's callbacks of `this`'s backend, each emitted by `emit` while no borrow of the class is
/// held (signal handlers may call back into it). The slot is reached through `slot`.
pub(crate) fn dispatch<C, B>(
    this: &mut Gd<C>,
    slot: fn(&mut C) -> &mut BackendSlot<B>,
    emit: fn(&mut Gd<C>, B::Event),
) where
    C: GodotClass + Bounds<Declarer = DeclUser>,
    B: ?Sized + SingletonBackend,
{
    let mut events = slot(&mut this.bind_mut()).take_events();
    for event in events.drain(..) {
        emit(this, event);
    }
    slot(&mut this.bind_mut()).return_buffer(events);
}
