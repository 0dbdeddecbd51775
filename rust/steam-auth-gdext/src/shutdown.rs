//! Tears the `Steam` singleton down when the game's SceneTree ends, before GDScript shuts down.
//!
//! Engine singletons of an extension are freed after the script languages finish. A GDScript lambda
//! still connected to one of our signals at that point is destroyed after its script is gone, which
//! corrupts the heap. So when the root window leaves the tree, Steam is shut down, every connection
//! to its signals is dropped while scripts are still alive, pending logins are dropped and the HTTP
//! runtime is stopped without waiting.

use godot::classes::{Engine, SceneTree};
use godot::prelude::*;

/// Schedules [`install`] for the first frame (the SceneTree does not exist yet at extension init).
pub fn schedule() {
    Callable::from_fn("steam_auth_install_shutdown_hook", |_| install()).call_deferred(&[]);
}

fn install() {
    let Some(tree) = Engine::singleton()
        .get_main_loop()
        .and_then(|ml| ml.try_cast::<SceneTree>().ok())
    else {
        return; // A custom MainLoop: nothing to hook; the game shuts Steam down itself.
    };
    let Some(mut root) = tree.get_root() else {
        return;
    };
    root.connect(
        "tree_exiting",
        &Callable::from_fn("steam_auth_shutdown", |_| {
            crate::login::shutdown();
            #[cfg(feature = "steam-singleton")]
            {
                crate::steam::Steam::release_all();
                crate::steam_server::SteamServer::release_all();
            }
        }),
    );
}
