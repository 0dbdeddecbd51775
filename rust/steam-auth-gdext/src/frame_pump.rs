//! Calls an object's `run_callbacks` every frame from `SceneTree.process_frame` (gdext's own
//! per-frame hook needs the 4.5 API; this addon targets 4.4). `Steam` and `SteamServer` use it.

use godot::classes::{Engine, Object, SceneTree};
use godot::prelude::*;

/// Connects `object.run_callbacks` to the SceneTree's `process_frame`; false without a SceneTree.
pub fn start(object: &Gd<impl Inherits<Object>>) -> bool {
    let Some(mut tree) = scene_tree() else {
        return false;
    };
    let callable = Callable::from_object_method(object, "run_callbacks");
    if !tree.is_connected("process_frame", &callable) {
        tree.connect("process_frame", &callable);
    }
    true
}

/// Undoes [`start`]; harmless when it was not started.
pub fn stop(object: &Gd<impl Inherits<Object>>) {
    let callable = Callable::from_object_method(object, "run_callbacks");
    if let Some(mut tree) = scene_tree() {
        if tree.is_connected("process_frame", &callable) {
            tree.disconnect("process_frame", &callable);
        }
    }
}

pub fn scene_tree() -> Option<Gd<SceneTree>> {
    Engine::singleton()
        .get_main_loop()?
        .try_cast::<SceneTree>()
        .ok()
}
