//! steam-auth's Godot classes. A thin layer: Steam logic lives in `steam-auth-core` and
//! `steam-ticket`; this crate converts arguments, emits signals and registers Project Settings.

use godot::init::{gdextension, ExtensionLibrary, InitStage};

mod args;
#[cfg(feature = "steam-singleton")]
mod backend_slot;
mod editor_first_scan;
#[cfg(feature = "steam-singleton")]
mod enum_constants;
#[cfg(feature = "steam-singleton")]
mod frame_pump;
mod http_runtime;
#[cfg(not(feature = "steam-singleton"))]
mod library_selector;
mod login;
#[cfg(feature = "steam-singleton")]
mod multiplayer_auth;
#[cfg(feature = "steam-singleton")]
mod own_singleton;
mod session;
mod settings;
mod shutdown;
#[cfg(feature = "steam-singleton")]
mod steam;
#[cfg(feature = "steam-singleton")]
mod steam_args;
mod steam_by_name;
#[cfg(feature = "steam-singleton")]
mod steam_server;
#[cfg(feature = "steam-singleton")]
mod steam_settings;
#[cfg(feature = "steam-singleton")]
mod ticket_info;

struct SteamAuthExtension;

// The full library keeps gdext's entry point name; the login-only one is the addon's entry library,
// whose `gdext_rust_init` (library_selector) chooses between the two and calls the chosen one's.
#[cfg_attr(feature = "steam-singleton", gdextension)]
#[cfg_attr(
    not(feature = "steam-singleton"),
    gdextension(entry_symbol = steam_auth_login_only_init)
)]
unsafe impl ExtensionLibrary for SteamAuthExtension {
    fn on_stage_init(stage: InitStage) {
        match stage {
            InitStage::Scene => {
                #[cfg(feature = "steam-singleton")]
                settings::register(steam_settings::STEAM_SETTINGS);
                #[cfg(not(feature = "steam-singleton"))]
                settings::register(&[]);
                #[cfg(feature = "steam-singleton")]
                {
                    enum_constants::register();
                    steam::Steam::register_singleton();
                    steam_server::SteamServer::register_singleton();
                }
                shutdown::schedule();
            }
            InitStage::Editor => {
                #[cfg(feature = "steam-singleton")]
                enum_constants::register_docs();
                editor_first_scan::avoid_deferred_doc_crash();
            }
            _ => {}
        }
    }

    fn on_stage_deinit(_stage: InitStage) {
        #[cfg(feature = "steam-singleton")]
        if _stage == InitStage::Scene {
            steam::Steam::unregister_singleton();
            steam_server::SteamServer::unregister_singleton();
        }
    }
}

#[cfg(test)]
mod docs_dump {
    /// Writes the docs gdext registers for the editor's F1 help (the `///` comments) to
    /// `$STEAM_AUTH_DOCS_OUT`, one XML file per class; scripts/check-docs.sh compares them with the
    /// member list `godot --doctool --gdextension-docs` reports.
    #[test]
    fn dump_registered_docs() {
        let docs: Vec<String> = godot_core::docs::__gather_xml_docs()
            .map(as_the_editor_gets_it)
            .collect();
        assert!(docs.len() >= 5, "the classes' docs are registered");
        let Ok(dir) = std::env::var("STEAM_AUTH_DOCS_OUT") else {
            return;
        };
        std::fs::create_dir_all(&dir).expect("create the docs directory");
        for xml in docs {
            let name = xml
                .split("<class name=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a class name")
                .to_owned();
            std::fs::write(format!("{dir}/{name}.xml"), xml).expect("write docs");
        }
    }

    /// The page as the editor receives it: `Steam`'s and `SteamServer`'s with their enums described.
    fn as_the_editor_gets_it(xml: String) -> String {
        #[cfg(feature = "steam-singleton")]
        if let Some(patched) = crate::enum_constants::with_enum_docs(&xml) {
            return patched;
        }
        xml
    }
}
