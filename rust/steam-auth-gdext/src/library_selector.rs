//! The addon's entry point. The library the `.gdextension` names links no Steam API, so it always
//! loads; it then chooses, once per run, between the full library beside it (`steam_auth_steam.*`:
//! also the `Steam`, `SteamServer` and `SteamMultiplayerAuth` classes, linked to Valve's Steam API)
//! and itself, login-only (`SteamLogin` through whichever `Steam` singleton is registered).
//!
//! Why: Godot binds every symbol of an extension library when it loads it. When another Steam API
//! library is already in the process (GodotSteam's, loaded first because `addons/godotsteam` sorts
//! before `addons/steam_auth`; on Windows the one the Steam edition of Godot loads from beside its
//! executable), a library linked to Valve's API binds to that one: an older one lacks interfaces it
//! needs, the load fails, and such a project crashed the editor on every open; a newer one loads,
//! and then two extensions register a class named `Steam`. Godot cannot choose between libraries at
//! run time and no crate does this for GDExtension, so this module does, with `libloading` to load:
//!
//! - GodotSteam's library is loaded (a loaded module whose file name contains `godotsteam`):
//!   login-only, said in one line; the full library is not even loaded;
//! - the full library is not installed (the login-only package): login-only, silently;
//! - it does not load: login-only, with a warning that names the Steam API library already loaded
//!   (if one is) and the fix;
//! - otherwise the full library, which then is the extension: its gdext entry point gets Godot's
//!   arguments and its callbacks serve every level.
//!
//! gdext initialises at the Scene level, so the chosen library's entry point runs at the first
//! Scene-level call; only the chosen library's gdext is ever initialised.

use std::ffi::c_void;
#[cfg(unix)]
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::path::{Path, PathBuf};

use godot::sys;
use parking_lot::Mutex;

/// The file-name stems of this library and of the full one beside it (`lib` prefix and platform
/// suffixes as `scripts/build-addon.sh` names them: `libsteam_auth.linux.template_debug.x86_64.so`
/// next to `libsteam_auth_steam.linux.template_debug.x86_64.so`).
const OWN_STEM: &str = "steam_auth.";
const FULL_STEM: &str = "steam_auth_steam.";

/// The full library keeps gdext's default entry point name; this one's gdext entry is renamed in
/// `lib.rs`, so that `gdext_rust_init` here is this module's.
const FULL_ENTRY: &[u8] = b"gdext_rust_init\0";

#[cfg(target_os = "linux")]
const STEAM_API_LIBRARY: &str = "libsteam_api.so";
#[cfg(target_os = "macos")]
const STEAM_API_LIBRARY: &str = "libsteam_api.dylib";
#[cfg(windows)]
const STEAM_API_LIBRARY: &str = "steam_api64.dll";

extern "C" {
    /// This library's own gdext entry point (`#[gdextension(entry_symbol = ...)]` in `lib.rs`).
    fn steam_auth_login_only_init(
        get_proc_address: sys::GDExtensionInterfaceGetProcAddress,
        library: sys::GDExtensionClassLibraryPtr,
        init: *mut sys::GDExtensionInitialization,
    ) -> sys::GDExtensionBool;
}

type EntryPoint = unsafe extern "C" fn(
    sys::GDExtensionInterfaceGetProcAddress,
    sys::GDExtensionClassLibraryPtr,
    *mut sys::GDExtensionInitialization,
) -> sys::GDExtensionBool;

/// What the entry point learnt, kept until the Scene level, then the chosen library's callbacks.
/// Godot calls all of this on its main thread.
struct Selector {
    get_proc_address: sys::GDExtensionInterfaceGetProcAddress,
    library: sys::GDExtensionClassLibraryPtr,
    full: Result<EntryPoint, FullUnavailable>,
    chosen: Option<Chosen>,
}

// SAFETY: the raw pointers are Godot's, used only on Godot's main thread, where it calls us.
unsafe impl Send for Selector {}

#[derive(Clone, Copy)]
struct Chosen {
    /// The chosen library's gdext callbacks.
    init: sys::GDExtensionInitialization,
    login_only: bool,
}

static SELECTOR: Mutex<Option<Selector>> = Mutex::new(None);

/// Why the full library is not used.
enum FullUnavailable {
    /// GodotSteam provides `Steam` in this process (the path of its library).
    GodotSteamLoaded(PathBuf),
    /// Not installed beside this one: the login-only package.
    NotInstalled,
    /// Installed, but it did not load: the loader's words, and the Steam API library already in
    /// the process from another folder, if one is.
    DidNotLoad {
        path: PathBuf,
        error: String,
        steam_api_loaded: Option<PathBuf>,
    },
    /// Its gdext entry point returned failure.
    EntryFailed,
    /// Looking for it panicked (a bug here): the panic's message.
    SearchPanicked(String),
}

/// Godot's entry point for the addon (the `.gdextension`'s `entry_symbol`).
///
/// # Safety
/// Called by Godot once, with valid arguments, as for any GDExtension entry point.
#[no_mangle]
pub unsafe extern "C" fn gdext_rust_init(
    get_proc_address: sys::GDExtensionInterfaceGetProcAddress,
    library: sys::GDExtensionClassLibraryPtr,
    init: *mut sys::GDExtensionInitialization,
) -> sys::GDExtensionBool {
    let full = std::panic::catch_unwind(load_full_library).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(FullUnavailable::SearchPanicked(message))
    });
    *SELECTOR.lock() = Some(Selector {
        get_proc_address,
        library,
        full,
        chosen: None,
    });
    if init.is_null() {
        return 0;
    }
    // SAFETY: Godot passes a valid pointer to fill.
    unsafe {
        *init = sys::GDExtensionInitialization {
            minimum_initialization_level: sys::GDEXTENSION_INITIALIZATION_SCENE,
            userdata: std::ptr::null_mut(),
            initialize: Some(initialize),
            deinitialize: Some(deinitialize),
        };
    }
    1
}

unsafe extern "C" fn initialize(
    _userdata: *mut c_void,
    level: sys::GDExtensionInitializationLevel,
) {
    let chosen = SELECTOR.lock().as_ref().and_then(|s| s.chosen);
    let chosen = match chosen {
        Some(chosen) => chosen,
        // SAFETY: Godot's first initialisation call, on its main thread.
        None => match std::panic::catch_unwind(|| unsafe { choose() }) {
            Ok(Some(chosen)) => chosen,
            _ => return,
        },
    };
    if let Some(initialize) = chosen.init.initialize {
        // SAFETY: the chosen library's own callback with its own userdata, as Godot would call it.
        unsafe { initialize(chosen.init.userdata, level) };
    }
    if chosen.login_only && level == sys::GDEXTENSION_INITIALIZATION_SCENE {
        // This library's gdext is up now, so Godot's print functions can say why.
        std::panic::catch_unwind(report_login_only).ok();
    }
}

unsafe extern "C" fn deinitialize(
    _userdata: *mut c_void,
    level: sys::GDExtensionInitializationLevel,
) {
    let chosen = SELECTOR.lock().as_ref().and_then(|s| s.chosen);
    if let Some(Chosen { init, .. }) = chosen {
        if let Some(deinitialize) = init.deinitialize {
            // SAFETY: the callback pair of the library initialised in `initialize`.
            unsafe { deinitialize(init.userdata, level) };
        }
    }
}

/// Runs the chosen library's gdext entry point (the full one when it loaded, else this one's) and
/// keeps its callbacks.
unsafe fn choose() -> Option<Chosen> {
    let mut guard = SELECTOR.lock();
    let selector = guard.as_mut()?;
    if let Ok(full) = selector.full {
        // SAFETY: Godot's own arguments, handed to a GDExtension entry point as Godot would.
        match unsafe { run_entry(full, selector) } {
            Some(init) => {
                return Some(*selector.chosen.insert(Chosen {
                    init,
                    login_only: false,
                }))
            }
            None => selector.full = Err(FullUnavailable::EntryFailed),
        }
    }
    // SAFETY: as above.
    let init = unsafe { run_entry(steam_auth_login_only_init, selector) }?;
    Some(*selector.chosen.insert(Chosen {
        init,
        login_only: true,
    }))
}

unsafe fn run_entry(
    entry: EntryPoint,
    selector: &Selector,
) -> Option<sys::GDExtensionInitialization> {
    let mut init = MaybeUninit::<sys::GDExtensionInitialization>::zeroed();
    // SAFETY: forwarded to the caller.
    let ok = unsafe {
        entry(
            selector.get_proc_address,
            selector.library,
            init.as_mut_ptr(),
        )
    };
    // SAFETY: a successful entry point filled the struct.
    (ok != 0).then(|| unsafe { init.assume_init() })
}

/// One line when this run is login-only: why, and what to do if that is not what the game wants.
fn report_login_only() {
    let guard = SELECTOR.lock();
    let Some(Err(why)) = guard.as_ref().map(|s| &s.full) else {
        return;
    };
    match why {
        FullUnavailable::GodotSteamLoaded(godotsteam) => godot::global::godot_print!(
            "steam_auth: login-only beside GodotSteam ({}): SteamLogin uses its Steam singleton",
            file_name(godotsteam)
        ),
        FullUnavailable::NotInstalled => {}
        FullUnavailable::DidNotLoad {
            path,
            error,
            steam_api_loaded,
        } => {
            let fix = match steam_api_loaded {
                Some(other) => format!(
                    "another Steam API library was loaded first, {}, older than the one this addon \
                     needs. Use one Steam API in the project: remove or update the other Steam \
                     integration; with the Steam edition of Godot on Windows, replace the \
                     steam_api64.dll beside Godot's executable with the addon's",
                    other.display()
                ),
                None => format!(
                    "keep {} and {} from the release in {}",
                    file_name(path),
                    STEAM_API_LIBRARY,
                    path.parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            };
            godot::global::godot_warn!(
                "steam_auth: the Steam singleton is unavailable, login-only: {} did not load ({}); {}",
                file_name(path),
                error,
                fix
            );
        }
        FullUnavailable::EntryFailed => godot::global::godot_warn!(
            "steam_auth: the Steam singleton is unavailable, login-only: the Steam library's entry \
             point failed"
        ),
        FullUnavailable::SearchPanicked(message) => godot::global::godot_error!(
            "steam_auth: the Steam singleton is unavailable, login-only: looking for the Steam \
             library panicked ({message}); please report this as a bug"
        ),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name_is(path: &Path, matches: impl Fn(&str) -> bool) -> bool {
    matches(&file_name(path).to_ascii_lowercase())
}

/// Loads the full library beside this one and finds its gdext entry point, unless GodotSteam is
/// loaded. The library stays loaded for the process's life (the extension is not reloadable).
fn load_full_library() -> Result<EntryPoint, FullUnavailable> {
    let modules = loaded_modules();
    if let Some(godotsteam) = modules
        .iter()
        .find(|p| file_name_is(p, |n| n.contains("godotsteam")))
    {
        return Err(FullUnavailable::GodotSteamLoaded(godotsteam.clone()));
    }
    let Some(path) = own_path().and_then(|own| full_library_path(&own)) else {
        return Err(FullUnavailable::NotInstalled);
    };
    if !path.is_file() {
        return Err(FullUnavailable::NotInstalled);
    }
    let did_not_load = |error: &dyn std::error::Error| FullUnavailable::DidNotLoad {
        path: path.clone(),
        error: with_sources(error),
        steam_api_loaded: modules
            .iter()
            .find(|p| {
                file_name_is(p, |n| n == STEAM_API_LIBRARY.to_ascii_lowercase())
                    && p.parent() != path.parent()
            })
            .cloned(),
    };
    // SAFETY: loading our own full library runs no initialiser that needs Godot.
    let library = unsafe { open_full_library(&path) }.map_err(|e| did_not_load(&e))?;
    // SAFETY: gdext exports its entry point with this signature.
    let entry = unsafe { library.get::<EntryPoint>(FULL_ENTRY) }
        .map(|symbol| *symbol)
        .map_err(|e| did_not_load(&e))?;
    std::mem::forget(library);
    Ok(entry)
}

/// An error and its sources in one line (libloading keeps the loader's words in the source).
fn with_sources(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// `…steam_auth.<platform>…` beside it becomes `…steam_auth_steam.<platform>…`.
fn full_library_path(own: &Path) -> Option<PathBuf> {
    let name = own.file_name()?.to_str()?;
    let at = name.find(OWN_STEM)?;
    let full = format!(
        "{}{}{}",
        &name[..at],
        FULL_STEM,
        &name[at + OWN_STEM.len()..]
    );
    Some(own.with_file_name(full))
}

#[cfg(unix)]
unsafe fn open_full_library(path: &Path) -> Result<libloading::Library, libloading::Error> {
    use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
    // SAFETY: forwarded to the caller.
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }.map(Into::into)
}

#[cfg(windows)]
unsafe fn open_full_library(path: &Path) -> Result<libloading::Library, libloading::Error> {
    use libloading::os::windows::{Library, LOAD_WITH_ALTERED_SEARCH_PATH};
    // The full library's own folder is searched first for steam_api64.dll.
    // SAFETY: forwarded to the caller.
    unsafe { Library::load_with_flags(path, LOAD_WITH_ALTERED_SEARCH_PATH) }.map(Into::into)
}

/// The path of this library, from the address of its entry point.
#[cfg(unix)]
fn own_path() -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let mut info = MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: dladdr fills `info` for an address inside a loaded object.
    let found = unsafe { libc::dladdr(gdext_rust_init as *const c_void, info.as_mut_ptr()) };
    // SAFETY: zeroed, and filled when dladdr returns non-zero.
    let info = unsafe { info.assume_init() };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dladdr's file name is a C string owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
}

#[cfg(windows)]
fn own_path() -> Option<PathBuf> {
    use windows_sys::Win32::System::LibraryLoader::{
        GetModuleHandleExW, GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
        GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
    };
    let mut module = std::ptr::null_mut();
    let flags =
        GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
    // SAFETY: with FROM_ADDRESS the name argument is an address inside the module.
    let found = unsafe { GetModuleHandleExW(flags, gdext_rust_init as *const u16, &mut module) };
    if found == 0 {
        return None;
    }
    module_path(module)
}

#[cfg(windows)]
fn module_path(module: windows_sys::Win32::Foundation::HMODULE) -> Option<PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use windows_sys::Win32::System::LibraryLoader::GetModuleFileNameW;
    let mut buffer = vec![0u16; 32_768];
    // SAFETY: the buffer's length is passed with it.
    let len =
        unsafe { GetModuleFileNameW(module, buffer.as_mut_ptr(), buffer.len() as u32) } as usize;
    (len > 0 && len < buffer.len())
        .then(|| PathBuf::from(std::ffi::OsString::from_wide(&buffer[..len])))
}

/// The files of the modules (executable and shared libraries) loaded in this process.
#[cfg(target_os = "linux")]
fn loaded_modules() -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    unsafe extern "C" fn collect(
        info: *mut libc::dl_phdr_info,
        _size: usize,
        data: *mut c_void,
    ) -> i32 {
        // SAFETY: dl_iterate_phdr passes a valid info and our `data`.
        unsafe {
            let modules = &mut *data.cast::<Vec<PathBuf>>();
            let name = (*info).dlpi_name;
            if !name.is_null() && *name != 0 {
                modules.push(PathBuf::from(std::ffi::OsStr::from_bytes(
                    CStr::from_ptr(name).to_bytes(),
                )));
            }
        }
        0
    }
    let mut modules: Vec<PathBuf> = Vec::new();
    // SAFETY: the callback only reads what the loader hands it.
    unsafe { libc::dl_iterate_phdr(Some(collect), (&raw mut modules).cast()) };
    modules
}

#[cfg(target_os = "macos")]
// libc marks dyld's image list deprecated in favour of the mach2 crate, a dependency for two calls.
#[allow(deprecated)]
fn loaded_modules() -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: dyld's image names are C strings it owns for the image's life.
    unsafe {
        (0..libc::_dyld_image_count())
            .map(|i| libc::_dyld_get_image_name(i))
            .filter(|name| !name.is_null())
            .map(|name| PathBuf::from(std::ffi::OsStr::from_bytes(CStr::from_ptr(name).to_bytes())))
            .collect()
    }
}

#[cfg(windows)]
fn loaded_modules() -> Vec<PathBuf> {
    use windows_sys::Win32::System::ProcessStatus::K32EnumProcessModules;
    use windows_sys::Win32::System::Threading::GetCurrentProcess;
    let mut modules = vec![std::ptr::null_mut(); 1024];
    let mut needed = 0u32;
    let size = std::mem::size_of_val(modules.as_slice()) as u32;
    // SAFETY: the buffer's size in bytes is passed with it.
    let ok = unsafe {
        K32EnumProcessModules(GetCurrentProcess(), modules.as_mut_ptr(), size, &mut needed)
    };
    if ok == 0 {
        return Vec::new();
    }
    modules.truncate((needed as usize / std::mem::size_of::<usize>()).min(modules.len()));
    modules.into_iter().filter_map(module_path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_library_is_named_after_this_one() {
        let cases = [
            (
                "bin/libsteam_auth.linux.template_debug.x86_64.so",
                "bin/libsteam_auth_steam.linux.template_debug.x86_64.so",
            ),
            (
                "bin/steam_auth.windows.template_release.x86_64.dll",
                "bin/steam_auth_steam.windows.template_release.x86_64.dll",
            ),
            (
                "bin/libsteam_auth.macos.template_release.universal.dylib",
                "bin/libsteam_auth_steam.macos.template_release.universal.dylib",
            ),
        ];
        for (own, full) in cases {
            assert_eq!(full_library_path(Path::new(own)), Some(PathBuf::from(full)));
        }
        assert_eq!(full_library_path(Path::new("bin/libother.so")), None);
    }

    #[test]
    fn this_process_lists_its_modules() {
        let modules = loaded_modules();
        assert!(!modules.is_empty());
        assert!(!modules
            .iter()
            .any(|p| file_name_is(p, |n| n.contains("godotsteam"))));
    }
}
