//! The `Steam` engine singleton, whoever registered it: this addon (default build) or GodotSteam.
//! SteamLogin talks to it by name, through `Object.call` and its signals, so it works with either.

use godot::classes::{Engine, Object};
use godot::prelude::*;

/// The name GodotSteam gives its singleton; scripts reach either one as `Steam`.
pub const NAME: &str = "Steam";

/// The registered `Steam` singleton, if any.
pub fn registered() -> Option<Gd<Object>> {
    // get_singleton prints an error for a missing name; asking first keeps "none" quiet.
    let engine = Engine::singleton();
    if engine.has_singleton(NAME) {
        engine.get_singleton(NAME)
    } else {
        None
    }
}
