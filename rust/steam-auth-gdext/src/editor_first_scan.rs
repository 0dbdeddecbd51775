//! Keeps a headless editor from crashing at exit on the session that discovers this addon.
//!
//! Godot bug (godotengine/godot#111048, open in 4.6): when an editor session loads an extension
//! with classes during its first file-system scan (a fresh checkout: no `.godot/extension_list.cfg`),
//! `EditorNode` regenerates the help. With an editor help cache on disk, Godot reads it on a worker
//! thread that, when done, defers `EditorHelp::_gen_extensions_docs` to the main thread. A headless
//! `--import` or `--editor --quit` often ends before that deferred call runs; it then runs in
//! `Main::cleanup`, after `EditorHelp::cleanup_doc` freed the docs, and dereferences null (SIGSEGV,
//! exit 134). Any extension with one class reproduces it; ours is no exception.
//!
//! Without a cache file Godot takes its other path: it regenerates the docs synchronously and defers
//! nothing that touches them. This extension's Editor-level init runs inside that same scan, before
//! the regeneration starts, so in exactly this situation (editor, headless display server, extension
//! loaded after start-up) it removes the help cache. Godot writes a fresh one in the same session, at
//! the cost of about a second; an editor that loaded the addon at start-up is not touched.

use godot::classes::{DisplayServer, EditorInterface, Engine, Os};
use godot::prelude::*;

/// Called at the Editor init level.
pub fn avoid_deferred_doc_crash() {
    // The Editor init level also runs in games started by an editor binary; only an editor has docs.
    let engine = Engine::singleton();
    let loaded_after_startup = engine.get_main_loop().is_some();
    if !engine.is_editor_hint()
        || !loaded_after_startup
        || DisplayServer::singleton().get_name() != "headless"
    {
        return;
    }
    let Some(paths) = EditorInterface::singleton().get_editor_paths() else {
        return;
    };
    let cache_dir = std::path::PathBuf::from(paths.get_cache_dir().to_string());
    let version = Engine::singleton().get_version_info();
    let number = |key: &str| version.get(key).and_then(|v| v.try_to::<i64>().ok());
    let mut names = vec!["editor_doc_cache.res".to_owned()];
    if let (Some(major), Some(minor)) = (number("major"), number("minor")) {
        names.insert(0, format!("editor_doc_cache-{major}.{minor}.res"));
    }
    for name in names {
        let path = cache_dir.join(&name);
        if path.is_file() && std::fs::remove_file(&path).is_ok() {
            if Os::singleton().is_stdout_verbose() {
                godot_print!(
                    "steam-auth: removed {} so this headless editor session regenerates its help \
                     synchronously (godotengine/godot#111048)",
                    path.display()
                );
            }
            return;
        }
    }
}
