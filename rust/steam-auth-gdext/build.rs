//! Lets the extension find `libsteam_api` next to itself in `addons/steam_auth/bin/` (and, exported,
//! beside the game or in `Contents/Frameworks`), and gives the macOS library the install name of the
//! file `scripts/build-addon.sh` installs it as, not the build machine's path.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match target_os.as_str() {
        "linux" => println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN"),
        "macos" => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,@loader_path");
            // The debug builds (`dev` and the shipped `addon-debug`) have debug assertions on; the
            // release one (`addon`) does not. Cargo's PROFILE says "release" for both optimised ones.
            let build = match std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS") {
                Some(_) => "template_debug",
                None => "template_release",
            };
            let name = match std::env::var_os("CARGO_FEATURE_STEAM_SINGLETON") {
                Some(_) => "steam_auth_steam",
                None => "steam_auth",
            };
            println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/lib{name}.macos.{build}.universal.dylib");
        }
        _ => {}
    }
}
