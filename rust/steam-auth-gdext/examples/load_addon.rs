//! Loads the addon's entry library as Godot does and runs its entry point, without Godot: until
//! the Scene level the entry point only decides which library to use, and calls nothing of Godot's.
//! Then says whether it loaded the full library beside it. With other libraries named after `--`,
//! those are loaded first (GodotSteam's library, an older Steam API), as Godot would have.
//!
//! `scripts/test-windows.sh` runs it under Wine on the Windows DLLs, so Windows's loader rules
//! (module lookup by name, the DLL's own folder) decide, and `scripts/test-beside-godotsteam.sh`
//! checks the same choices in Godot on Linux.
//!
//! Usage: load_addon <entry library> [-- <library to load first>...]
//! Prints `full library: loaded` or `full library: not loaded`; exits 1 if the entry library does
//! not load or its entry point fails.

use std::ffi::c_void;
use std::path::{Path, PathBuf};

/// `GDExtensionInitialization`: a level, a pointer and two function pointers.
type Initialization = [usize; 4];
type EntryPoint = unsafe extern "C" fn(*const c_void, *mut c_void, *mut Initialization) -> u8;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(entry_library) = args.first().map(PathBuf::from) else {
        eprintln!("usage: load_addon <entry library> [-- <library to load first>...]");
        std::process::exit(2);
    };
    for first in args.iter().skip(2) {
        // SAFETY: test libraries whose initialisers need nothing.
        let library = unsafe { libloading::Library::new(first) }
            .unwrap_or_else(|e| panic!("{first} did not load: {e}"));
        std::mem::forget(library);
        println!("loaded first: {first}");
    }
    // SAFETY: the addon's entry library; its initialisers need nothing.
    let library = match unsafe { libloading::Library::new(&entry_library) } {
        Ok(library) => library,
        Err(e) => {
            println!("entry library: did not load: {e}");
            std::process::exit(1);
        }
    };
    // SAFETY: the entry point's signature as Godot calls it.
    let entry =
        unsafe { library.get::<EntryPoint>(b"gdext_rust_init\0") }.expect("gdext_rust_init");
    let mut init: Initialization = [0; 4];
    // SAFETY: Godot's arguments; the entry point keeps them for the Scene level and calls none.
    let ok = unsafe { entry(std::ptr::null(), std::ptr::null_mut(), &mut init) };
    println!("entry point: {}", if ok == 1 { "ok" } else { "failed" });
    let full = full_library(&entry_library);
    println!(
        "full library: {} ({})",
        if is_loaded(&full) {
            "loaded"
        } else {
            "not loaded"
        },
        full.display()
    );
    std::process::exit(if ok == 1 { 0 } else { 1 });
}

fn full_library(entry: &Path) -> PathBuf {
    let name = entry.file_name().unwrap().to_string_lossy();
    entry.with_file_name(name.replacen("steam_auth.", "steam_auth_steam.", 1))
}

#[cfg(unix)]
fn is_loaded(path: &Path) -> bool {
    use libloading::os::unix::{Library, RTLD_LAZY};
    // SAFETY: RTLD_NOLOAD only looks the library up.
    unsafe { Library::open(Some(path), RTLD_LAZY | libc::RTLD_NOLOAD) }.is_ok()
}

#[cfg(windows)]
fn is_loaded(path: &Path) -> bool {
    // SAFETY: only looks the module up by name.
    unsafe { libloading::os::windows::Library::open_already_loaded(path.file_name().unwrap()) }
        .is_ok()
}
