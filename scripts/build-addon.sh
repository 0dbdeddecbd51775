#!/usr/bin/env bash
# Builds the addon's libraries for one platform and build type into addons/steam_auth/bin/, under
# the names steam_auth.gdextension gives them (<name>.<platform>.template_<debug|release>.<arch>.<ext>,
# so debug and release builds sit side by side), with Valve's Steam API library beside them:
#   steam_auth.*        the entry library: login-only (SteamLogin, SteamSession), no Steam API linked;
#                       it loads the full library unless GodotSteam is in the project
#                       (rust/steam-auth-gdext/src/library_selector.rs)
#   steam_auth_steam.*  the full library: also Steam, SteamServer, SteamMultiplayerAuth
# Usage: scripts/build-addon.sh [debug|template-debug|release] [linux|linux-arm64|windows|macos]
#        (default: debug linux)
#   debug:          the quick local build (cargo's dev profile, this machine's glibc): what the test
#                   suites and the demo load while the code changes
#   template-debug: the debug libraries as the release zip ships them, like Godot's own template_debug:
#                   optimised, debug assertions and overflow checks on, no DWARF (profile addon-debug)
#   release:        the release libraries (profile addon)
#   Both shipped builds of Linux are linked against glibc 2.17 (cargo-zigbuild's
#   x86_64-unknown-linux-gnu.2.17), so that they load on every Linux a Steam player runs.
#   linux-arm64: aarch64, cross-built the same way (aarch64-unknown-linux-gnu.2.17), into
#            bin/linux-arm64/ with Valve's linuxarm64 libsteam_api.so: the two Linux architectures'
#            Steam API libraries share a name, and each full library finds its own beside it ($ORIGIN).
#   windows: x86_64, cross-built with Debian's mingw-w64 (scripts/lib/provision-cross-tools.sh windows)
#   macos:   universal (x86_64 + arm64), cross-built with cargo-zigbuild (provision-cross-tools.sh macos)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-debug}"
platform="${2:-linux}"
usage() { echo "usage: $0 [debug|template-debug|release] [linux|linux-arm64|windows|macos]" >&2; exit 2; }
case "$build" in
  debug) profile=dev; profile_dir=debug; template=debug ;;
  template-debug) profile=addon-debug; profile_dir=addon-debug; template=debug ;;
  release) profile=addon; profile_dir=addon; template=release ;;
  *) usage ;;
esac
# The glibc the shipped Linux libraries are linked against: Rust's own floor for the target.
glibc_floor=2.17
target_root="${CARGO_TARGET_DIR:-target}"
bin=addons/steam_auth/bin
godot_platform=$platform
case "$platform" in
  linux)
    if [ "$build" = debug ]; then
      cargo=(cargo build); triple=""; out="$target_root/$profile_dir"
    else
      cargo=(cargo zigbuild --target "x86_64-unknown-linux-gnu.$glibc_floor"); triple=x86_64-unknown-linux-gnu
      out="$target_root/$triple/$profile_dir"
    fi
    built=libsteam_auth.so; prefix=lib; arch=x86_64; ext=so; steam_api=libsteam_api.so ;;
  linux-arm64)
    triple=aarch64-unknown-linux-gnu
    cargo=(cargo zigbuild --target "$triple.$glibc_floor"); out="$target_root/$triple/$profile_dir"
    bin=addons/steam_auth/bin/linux-arm64; godot_platform=linux
    built=libsteam_auth.so; prefix=lib; arch=arm64; ext=so; steam_api=libsteam_api.so ;;
  windows)
    cargo=(cargo build --target x86_64-pc-windows-gnu); triple=x86_64-pc-windows-gnu
    out="$target_root/$triple/$profile_dir"
    built=steam_auth.dll; prefix=""; arch=x86_64; ext=dll; steam_api=steam_api64.dll ;;
  macos)
    # No DWARF in the quick debug dylibs: without dsymutil (no Mac here) it only adds 160 MB per library.
    [ "$build" = debug ] && export CARGO_PROFILE_DEV_DEBUG=false
    cargo=(cargo zigbuild --target universal2-apple-darwin); triple=x86_64-apple-darwin
    out="$target_root/universal2-apple-darwin/$profile_dir"
    built=libsteam_auth.dylib; prefix=lib; arch=universal; ext=dylib; steam_api=libsteam_api.dylib ;;
  *) usage ;;
esac
if [ "$platform" = windows ] || [ "$platform" = macos ]; then
  scripts/lib/provision-cross-tools.sh "$platform" >&2
elif [ "$platform" = linux-arm64 ]; then
  scripts/lib/provision-cross-tools.sh linux-arm64 >&2
elif [ "$build" != debug ]; then
  scripts/lib/provision-cross-tools.sh linux-glibc >&2
fi

mkdir -p "$bin"
name() { echo "$bin/${prefix}$1.$godot_platform.template_$template.$arch.$ext"; }

echo "[build] $platform $build: the entry library (login-only)" >&2
"${cargo[@]}" -p steam-auth-gdext --profile "$profile" --no-default-features
install -m 755 "$out/$built" "$(name steam_auth)"
echo "[build] $platform $build: the full library (Steam, SteamServer, SteamMultiplayerAuth)" >&2
"${cargo[@]}" -p steam-auth-gdext --profile "$profile"
install -m 755 "$out/$built" "$(name steam_auth_steam)"

# scripts/package.sh builds debug and release at once: one at a time from here on.
exec 8>"$target_root/.build-addon.lock"
flock 8
# steamworks-sys copies Valve's redistributable into its OUT_DIR; take the newest one.
valve_dir="$target_root/${triple:+$triple/}$profile_dir/build"
valve=$(ls -t "$valve_dir"/steamworks-sys-*/out/"$steam_api" 2>/dev/null | head -n1 || true)
[ -n "$valve" ] || { echo "[build] error: $steam_api not found under $valve_dir/steamworks-sys-*/out" >&2; exit 1; }
install -m 755 "$valve" "$bin/$steam_api"

if [ "$platform" = linux ]; then
  # The demo project loads the addon from ../addons through a symlink (a copy where symlinks are unavailable).
  link=godot_project/addons/steam_auth
  if [ ! -e "$link/steam_auth.gdextension" ]; then
    mkdir -p godot_project/addons
    rm -rf "$link"
    ln -s ../../addons/steam_auth "$link" 2>/dev/null || cp -r addons/steam_auth "$link"
  fi
  # Godot loads extensions listed here; the editor writes it on import, headless runs need it up front.
  mkdir -p godot_project/.godot
  echo "res://addons/steam_auth/steam_auth.gdextension" > godot_project/.godot/extension_list.cfg
fi
echo "[build] addon ready in $bin: $(basename "$(name steam_auth)"), $(basename "$(name steam_auth_steam)"), $steam_api" >&2
