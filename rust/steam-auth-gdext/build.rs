//! Lets the extension find `libsteam_api` next to itself in `addons/steam_auth/bin/` (and, exported,
//! beside the game or in `Contents/Frameworks`), and gives the macOS library the install name of the
//! file `scripts/build-addon.sh` installs it as, not the build machine's path.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match target_os.as_str() {
        "linux" => println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN"),
        "macos" => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,@loader_path");
            // Cargo's PROFILE is "debug" for dev-based profiles and "release" for the `addon` one.
            let build = match std::env::var("PROFILE").as_deref() {
                Ok("debug") => "template_debug",
                _ => "template_release",
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
