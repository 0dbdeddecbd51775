#!/usr/bin/env bash
# The addon beside GodotSteam, in fresh projects:
# 1. a `Steam` singleton (a GDScript stand-in with GodotSteam's names) registered before the addon
#    loads: the addon must not register its own, and SteamLogin.login_with_steam must log in through
#    the stand-in; with provide_steam_singleton = never and nothing else registered, it must say why;
# 2. a native GodotSteam (rust/godotsteam-stand-in: a class and singleton named Steam) beside the
#    login-only build: first open (--import) and the game run without errors, and the login goes
#    through GodotSteam's Steam.
# Needs STEAM_AUTH_LOGIN_ENDPOINT (a login server in simulation mode); scripts/test-godot.sh runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STEAM_AUTH_LOGIN_ENDPOINT:?set it to a login server in simulation mode}"
GODOT_BIN=$(scripts/provision-godot.sh)
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
mkdir -p "$project/addons" "$project/.godot"
cp -rL addons/steam_auth "$project/addons/steam_auth"
cp -r godot_project/tests/beside_godotsteam "$project/beside_godotsteam"
printf 'config_version=5\n\n[application]\n\nconfig/name="beside-godotsteam"\n' >"$project/project.godot"

run() { # <what> <godot args...>: fails on a non-zero exit or any error, leak or crash line
  local what=$1 out status=0
  shift
  out=$(timeout 60 "$GODOT_BIN" --headless --path "$project" "$@" 2>&1) || status=$?
  echo "$out" | grep -E '^(ok|FAIL) ' >&2 || true
  if [ "$status" -ne 0 ] || echo "$out" | grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use|Program crashed'; then
    echo "$out" >&2
    echo "[beside-godotsteam] FAILED: $what (status $status)" >&2
    exit 1
  fi
  printf '%s\n' "$out"
}

# A ticket for another user, minted with the addon loaded normally; the stand-in hands it out.
echo "res://addons/steam_auth/steam_auth.gdextension" >"$project/.godot/extension_list.cfg"
ticket=$(run "minting the stand-in's ticket" -s res://beside_godotsteam/mint_peer_ticket.gd | sed -n 's/^TICKET //p')
[ -n "$ticket" ] || { echo "[beside-godotsteam] FAILED: no ticket minted" >&2; exit 1; }

# From here on the addon is not loaded at start: the script registers the stand-in, then loads it.
rm "$project/.godot/extension_list.cfg"
STAND_IN_TICKET=$ticket run "login through the other Steam" -s res://beside_godotsteam/beside.gd >/dev/null
run "provide_steam_singleton = never" -s res://beside_godotsteam/beside.gd -- never >/dev/null

# 2. A native GodotSteam and the login-only addon, opened as a fresh checkout.
scripts/build-addon.sh debug login-only >&2
cargo build -p godotsteam-stand-in >&2
rm -rf "$project/addons/steam_auth" "$project/.godot"
cp -r target/addon-login-only/debug/steam_auth "$project/addons/steam_auth"
mkdir -p "$project/godotsteam"
cp target/debug/libgodotsteam_stand_in.so "$project/godotsteam/"
cat >"$project/godotsteam/godotsteam.gdextension" <<'EXT'
[configuration]
entry_symbol = "gdext_rust_init"
compatibility_minimum = 4.4

[libraries]
linux.debug.x86_64 = "res://godotsteam/libgodotsteam_stand_in.so"
linux.release.x86_64 = "res://godotsteam/libgodotsteam_stand_in.so"
EXT
run "first open of a project with GodotSteam and the login-only addon" --import >/dev/null
STAND_IN_TICKET=$ticket run "login through a native GodotSteam" -s res://beside_godotsteam/native.gd >/dev/null
echo "[beside-godotsteam] passed: the addon kept the other Steam singleton and logged in through it;" \
  "the login-only build runs beside a native Steam class" >&2
