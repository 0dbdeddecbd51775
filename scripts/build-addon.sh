#!/usr/bin/env bash
# Builds the extension and places it, with Valve's libsteam_api, in addons/steam_auth/bin/.
# Usage: scripts/build-addon.sh [debug|release]   (default: debug)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
case "$profile" in
  debug) cargo_flags=() ;;
  release) cargo_flags=(--profile addon); profile=addon ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac

echo "[build] cargo build -p steam-auth-gdext (${1:-debug})" >&2
cargo build -p steam-auth-gdext "${cargo_flags[@]}"

target_dir="${CARGO_TARGET_DIR:-target}/$profile"
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
