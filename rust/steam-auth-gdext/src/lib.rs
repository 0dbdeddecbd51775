//! steam-auth's Godot classes. A thin layer: Steam logic lives in `steam-auth-core` and
//! `steam-ticket`; this crate converts arguments, emits signals and registers Project Settings.

use godot::init::{gdextension, ExtensionLibrary, InitStage};

mod args;
mod http_runtime;
mod login;
mod session;
mod settings;
mod shutdown;
mod steam;
mod ticket_info;

struct SteamAuthExtension;

#[gdextension]
unsafe impl ExtensionLibrary for SteamAuthExtension {
    fn on_stage_init(stage: InitStage) {
        if stage == InitStage::Scene {
            settings::register();
            shutdown::schedule();
        }
    }
}
