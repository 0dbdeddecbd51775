#!/usr/bin/env bash
# The addon beside GodotSteam, in fresh projects:
# 1. a `Steam` singleton (a GDScript stand-in with GodotSteam's names) registered before the addon
#    loads: the addon must not register its own, and SteamLogin.login_with_steam must log in through
#    the stand-in; with provide_steam_singleton = never and nothing else registered, it must say why;
# 2. a native GodotSteam (rust/testing/godotsteam-stand-in: a class and singleton named Steam, shipping its
#    own libsteam_api, older than the addon's or as new) beside the addon: it runs login-only by
#    itself; first and later opens (--import) and the game run without errors, and the login goes
#    through GodotSteam's Steam;
# 3. an older Steam API loaded before the addon, no GodotSteam: login-only, with a warning that
#    names the library and the fix, and every open exits 0.
# Needs STEAM_AUTH_LOGIN_ENDPOINT (a login server in simulation mode); scripts/test-godot.sh runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STEAM_AUTH_LOGIN_ENDPOINT:?set it to a login server in simulation mode}"
GODOT_BIN=$(scripts/lib/provision-godot.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project="$work/project"
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
# A ticket logs in once: each login below gets one of its own, minted now (once GodotSteam is
# installed the addon runs login-only and has no simulation to mint with).
tickets=()
for _ in 1 2 3; do
  minted=$(run "minting the stand-in's ticket" -s res://beside_godotsteam/mint_peer_ticket.gd | sed -n 's/^TICKET //p')
  [ -n "$minted" ] || { echo "[beside-godotsteam] FAILED: no ticket minted" >&2; exit 1; }
  tickets+=("$minted")
done
used_tickets=0
next_ticket() { ticket=${tickets[$used_tickets]}; used_tickets=$((used_tickets + 1)); }
next_ticket

# From here on the addon is not loaded at start: the script registers the stand-in, then loads it.
rm "$project/.godot/extension_list.cfg"
STAND_IN_TICKET=$ticket run "login through the other Steam" -s res://beside_godotsteam/beside.gd >/dev/null
run "provide_steam_singleton = never" -s res://beside_godotsteam/beside.gd -- never >/dev/null

# 2. A native GodotSteam (the stand-in, in addons/godotsteam as GodotSteam installs, linked to its own
#    libsteam_api.so as GodotSteam's library is) beside the addon as released, opened as a fresh
#    checkout. Twice: with a Steam API older than the addon's (the full library cannot bind to it:
#    GodotSteam 4.11's case) and with one as new (two `Steam` classes would clash). The addon must
#    run login-only, say so, and every open must exit 0; the login goes through GodotSteam's Steam.
cargo build -p godotsteam-stand-in >&2
cargo build -p steam-api-test-double >&2
cargo build -p steam-api-test-double --features older-sdk --target-dir target/older-sdk >&2
command -v patchelf >/dev/null || { echo "[beside-godotsteam] patchelf is missing (scripts/lib/provision-test-tools.sh)" >&2; exit 1; }
for api in older same; do
  case $api in
    older) double=target/older-sdk/debug/libsteam_api_double.so; api="older than the addon's" ;;
    same) double=target/debug/libsteam_api_double.so; api="as new as the addon's" ;;
  esac
  rm -rf "$project/addons" "$project/.godot"
  mkdir -p "$project/addons/godotsteam"
  cp -rL addons/steam_auth "$project/addons/steam_auth"
  gs="$project/addons/godotsteam"
  cp target/debug/libgodotsteam_stand_in.so "$gs/"
  cp "$double" "$gs/libsteam_api.so"
  patchelf --add-needed libsteam_api.so "$gs/libgodotsteam_stand_in.so"
  patchelf --set-rpath '$ORIGIN' "$gs/libgodotsteam_stand_in.so"
  cat >"$gs/godotsteam.gdextension" <<'EXT'
[configuration]
entry_symbol = "gdext_rust_init"
compatibility_minimum = 4.4

[libraries]
linux.debug.x86_64 = "res://addons/godotsteam/libgodotsteam_stand_in.so"
linux.release.x86_64 = "res://addons/godotsteam/libgodotsteam_stand_in.so"
EXT
  for open in first later; do
    out=$(run "$open open (--import) beside GodotSteam with a Steam API $api" --import)
    echo "$out" | grep -q '^steam_auth: login-only beside GodotSteam (libgodotsteam_stand_in.so)' \
      || { echo "$out" >&2; echo "[beside-godotsteam] FAILED: no login-only line on the $open open ($api API)" >&2; exit 1; }
  done
  echo "[beside-godotsteam] GodotSteam with a Steam API $api: first and later opens exit 0;" \
    "the editor says: $(echo "$out" | grep -m1 '^steam_auth: login-only')" >&2
  next_ticket
  STAND_IN_TICKET=$ticket run "login through a native GodotSteam ($api API)" -s res://beside_godotsteam/native.gd >/dev/null
done

# 3. No GodotSteam, but an older Steam API loaded before the addon (the Steam edition of Godot on
#    Windows loads one from beside its executable): login-only, with a warning naming it and the fix.
rm -rf "$project/addons" "$project/.godot"
mkdir -p "$project/addons" "$work/older-api"
cp -rL addons/steam_auth "$project/addons/steam_auth"
cp target/older-sdk/debug/libsteam_api_double.so "$work/older-api/libsteam_api.so"
patchelf --set-soname libsteam_api.so "$work/older-api/libsteam_api.so" # as Valve's has
for open in first later; do
  out=$(LD_PRELOAD="$work/older-api/libsteam_api.so" run "$open open with an older Steam API loaded first" --import)
  echo "$out" | grep -q "^WARNING: steam_auth: the Steam singleton is unavailable, login-only: .*undefined symbol: SteamAPI_SteamApps_v009.*another Steam API library was loaded first, $work/older-api/libsteam_api.so" \
    || { echo "$out" >&2; echo "[beside-godotsteam] FAILED: the $open open did not name the older Steam API" >&2; exit 1; }
done
echo "[beside-godotsteam] an older Steam API loaded first: first and later opens exit 0; the editor says: $(echo "$out" | grep -m1 'WARNING: steam_auth')" >&2
echo "[beside-godotsteam] passed: the addon kept the other Steam singleton and logged in through it;" \
  "beside a native GodotSteam it runs login-only by itself, whatever Steam API GodotSteam ships" >&2
