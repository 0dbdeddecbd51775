#!/usr/bin/env bash
# Builds the extension and places it, with Valve's libsteam_api, in addons/steam_auth/bin/.
# Usage: scripts/build-addon.sh [debug|release|windows] [login-only]   (default: debug)
#   login-only: for games that already use GodotSteam. Builds without the `Steam` class and singleton
#            (two native classes named Steam cannot coexist) and assembles the addon, without Valve's
#            library, in target/addon-login-only/<profile>/steam_auth; SteamLogin uses GodotSteam's Steam.
#   windows: cross-builds steam_auth.dll for x86_64 with Debian's mingw-w64
#            (apt-get install gcc-mingw-w64-x86-64; rustup target add x86_64-pc-windows-gnu)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
if [ "$profile" = windows ]; then
  cargo build -p steam-auth-gdext --target x86_64-pc-windows-gnu --profile addon
  out="${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/addon"
  mkdir -p addons/steam_auth/bin
  install -m 755 "$out/steam_auth.dll" addons/steam_auth/bin/steam_auth.dll
  install -m 755 "$(ls -t "$out"/build/steamworks-sys-*/out/steam_api64.dll | head -n1)" addons/steam_auth/bin/steam_api64.dll
  echo "[build] addons/steam_auth/bin/steam_auth.dll (untested here: no Windows machine)" >&2
  exit 0
fi
case "$profile" in
  debug) cargo_flags=() ;;
  release) cargo_flags=(--profile addon); profile=addon ;;
  *) echo "usage: $0 [debug|release|windows] [login-only]" >&2; exit 2 ;;
esac
target_dir="${CARGO_TARGET_DIR:-target}/$profile"

if [ "${2:-}" = login-only ]; then
  echo "[build] cargo build -p steam-auth-gdext --no-default-features (${1:-debug}, login-only)" >&2
  cargo build -p steam-auth-gdext "${cargo_flags[@]}" --no-default-features
  out="${CARGO_TARGET_DIR:-target}/addon-login-only/${1:-debug}/steam_auth"
  rm -rf "$out"
  mkdir -p "$out/bin"
  install -m 755 "$target_dir/libsteam_auth.so" "$out/bin/libsteam_auth.so"
  # The same extension file without Valve's library as a dependency (GodotSteam ships its own).
  sed '/^\[dependencies\]/,$d' addons/steam_auth/steam_auth.gdextension >"$out/steam_auth.gdextension"
  echo "[build] login-only addon ready in $out" >&2
  exit 0
fi

echo "[build] cargo build -p steam-auth-gdext (${1:-debug})" >&2
cargo build -p steam-auth-gdext "${cargo_flags[@]}"

bin=addons/steam_auth/bin
mkdir -p "$bin"
install -m 755 "$target_dir/libsteam_auth.so" "$bin/libsteam_auth.so"

# steamworks-sys copies Valve's redistributable into its OUT_DIR; take the newest one.
steam_api=$(ls -t "$target_dir"/build/steamworks-sys-*/out/libsteam_api.so 2>/dev/null | head -n1 || true)
[ -n "$steam_api" ] || { echo "[build] error: libsteam_api.so not found under $target_dir/build/steamworks-sys-*/out" >&2; exit 1; }
install -m 755 "$steam_api" "$bin/libsteam_api.so"

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
echo "[build] addon ready in $bin" >&2
