//! Registering and releasing this addon's own engine singletons (`Steam`, `SteamServer`): each is
//! registered only where no other addon's singleton of that name is, and only ours is ever
//! unregistered or freed.

use godot::classes::{Engine, Object};
use godot::obj::{GodotClass, Inherits};
use godot::prelude::*;

use crate::steam_settings::{provide_steam_singleton, ProvideSingleton};

/// Registers `make()` as `name`, as the Project Setting `steam/auth/provide_steam_singleton` says:
/// never; always (an error when `other_addon`'s singleton already has the name); or, by default,
/// only where no other singleton has the name (then `user` goes through that one, said once).
pub fn register<T>(name: &str, other_addon: &str, user: &str, make: impl FnOnce() -> Gd<T>)
where
    T: GodotClass + Inherits<Object>,
{
    let mut engine = Engine::singleton();
    let taken = engine.has_singleton(name);
    match provide_steam_singleton() {
        ProvideSingleton::Never => {}
        ProvideSingleton::Auto if taken => {
            godot_print!("steam-auth: another {name} singleton is registered ({other_addon}?); {user} uses that one");
        }
        ProvideSingleton::Always if taken => {
            godot_error!("steam-auth: steam/auth/provide_steam_singleton is \"always\", but another {name} singleton is already registered ({other_addon}?); set it to \"auto\" to use that one");
        }
        _ => engine.register_singleton(name, &make().upcast::<Object>()),
    }
}

/// Our instance registered as `name`, if the registered one is ours (not GodotSteam's).
pub fn ours<T>(name: &str) -> Option<Gd<T>>
where
    T: GodotClass + Inherits<Object>,
{
    let engine = Engine::singleton();
    if !engine.has_singleton(name) {
        return None;
    }
    engine
        .get_singleton(name)
        .and_then(|s| s.try_cast::<T>().ok())
}

/// Unregisters and frees our instance (when the extension unloads); leaves another addon's alone.
pub fn unregister<T>(name: &str)
where
    T: GodotClass + Inherits<Object>,
{
    if let Some(ours) = ours::<T>(name) {
        Engine::singleton().unregister_singleton(name);
        ours.upcast::<Object>().free();
    }
}

/// At the end of the SceneTree: `shutdown` on our instance, then every connection to its signals
/// dropped while scripts are still alive.
pub fn release<T>(name: &str, shutdown: impl FnOnce(&mut Gd<T>))
where
    T: GodotClass + Inherits<Object>,
{
    let Some(mut this) = ours::<T>(name) else {
        return;
    };
    shutdown(&mut this);
    disconnect_all_signals(&mut this.upcast::<Object>());
}

/// Drops every connection to `object`'s signals.
fn disconnect_all_signals(object: &mut Gd<Object>) {
    let signals: Vec<StringName> = object
        .get_signal_list()
        .iter_shared()
        // Signal names come as String: a strict StringName conversion would find none.
        .filter_map(|s| s.get("name").map(|n| StringName::from(&n.to_string())))
        .collect();
    for signal in signals {
        for connection in object.get_signal_connection_list(&signal).iter_shared() {
            if let Some(callable) = connection
                .get("callable")
                .and_then(|c| c.try_to::<Callable>().ok())
            {
                object.disconnect(&signal, &callable);
            }
        }
    }
}
