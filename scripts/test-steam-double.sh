#!/usr/bin/env bash
# Runs the real `steam` backend (the steamworks crate over Valve's flat API) end to end in headless
# Godot, with the Steamworks flat-API test double loaded in place of Valve's libsteam_api.so, and
# checks that the double defines every flat-API symbol the extension links; then the multi-process
# server test with the game server on the steam backend.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
cargo build -p steam-api-test-double
GODOT_BIN=$(scripts/lib/provision-godot.sh)

# 1. Coverage: a new steamworks call without a double fails here, not in a player's game.
needed=$(nm -D --undefined-only addons/steam_auth/bin/libsteam_auth_steam.linux.template_debug.x86_64.so | awk '{print $2}' | grep -E '^Steam' | sort -u)
defined=$(nm -D --defined-only target/debug/libsteam_api_double.so | awk '{print $3}' | grep -E '^Steam' | sort -u)
missing=$(comm -23 <(echo "$needed") <(echo "$defined"))
if [ -n "$missing" ]; then
  echo "[steam-double] the extension links flat-API functions the double lacks:" >&2
  echo "$missing" | sed 's/^/  /' >&2
  exit 1
fi
echo "[steam-double] all $(echo "$needed" | wc -l) flat-API symbols the extension links are defined by the double" >&2

# 2. The backend-agnostic suites (auth, app id sources, GodotSteam-style scripts, SteamServer) on the steam backend, the double standing in for libsteam_api.so
#    (a test-only directory: addons/steam_auth/bin keeps Valve's library).
double_dir=$(mktemp -d)
trap 'rm -rf "$double_dir"' EXIT
cp target/debug/libsteam_api_double.so "$double_dir/libsteam_api.so"
# The backends' own test over the double (cargo test would put Valve's library first: run it directly).
exe=$(cargo test -p steam-auth-core --test steamworks_over_double --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*steamworks_over_double[^"]*\)".*/\1/p' | tail -n1)
[ -x "$exe" ] || { echo "[steam-double] the steamworks_over_double test did not build" >&2; exit 1; }
LD_LIBRARY_PATH="$double_dir" "$exe" --ignored
record="$double_dir/steam-game-server-calls.txt"
LD_LIBRARY_PATH="$double_dir" STEAM_AUTH_TEST_BACKEND=steam STEAM_DOUBLE_RECORD="$record" GODOT="$GODOT_BIN" \
  scripts/lib/run-godot-suite.sh test_auth_flow,test_app_id,test_godotsteam_scripts,test_steam_server,test_steam_server_style

# The GodotSteam Server-style script's calls, as they reached Valve's flat API (in order, with their
# arguments; the double records every ISteamGameServer call it receives).
expected='SetModDir("steam_auth_demo")
SetProduct("555440")
SetGameDescription("steam-auth demo")
SetDedicatedServer(true)
SetMaxPlayerCount(8)
SetBotPlayerCount(1)
SetPasswordProtected(false)
SetServerName("Style test server")
SetMapName("arena_01")
SetRegion("255")
SetGameTags("ctf,test")
SetGameData("build=42")
SetKeyValue("stale", "1")
ClearAllKeyValues()
SetKeyValue("mode", "ctf")
SetSpectatorPort(27020)
SetSpectatorServerName("Style test spectators")
SetAdvertiseServerActive(true)
RequestUserGroupStatus(76561198000000042, 103582791429521413)
AssociateWithClan(103582791429521413)
ComputeNewPlayerCompatibility(76561198000000042)
SetAdvertiseServerActive(false)
SteamAPI_ReleaseCurrentThreadMemory()'
# The first run of the style test (the whole-server one); later tests init again and set the same.
got=$(awk '/^SetModDir/{n++} n==1' "$record" | grep -E '^(Set|Clear|RequestUser|AssociateWith|ComputeNew|SteamAPI_Release)')
if [ "$got" != "$expected" ]; then
  echo "[steam-double] the style script's ISteamGameServer calls differ from what it made:" >&2
  diff <(echo "$expected") <(echo "$got") >&2 || true
  exit 1
fi
for call in 'BSecure()' 'GetPublicIP()' 'WasRestartRequested()' 'GetAuthSessionTicket(0)' 'CancelAuthTicket(1)' \
  'GetNextOutgoingPacket()' 'HandleIncomingPacket(5 bytes, 127.0.0.1:27016)'; do
  grep -qxF "$call" "$record" || { echo "[steam-double] $call never reached the flat API" >&2; exit 1; }
done
echo "[steam-double] the GodotSteam Server-style script's $(echo "$expected" | wc -l) setter and query calls reached Valve's flat API in order, with their arguments" >&2

# 3. A dedicated server with SteamServer on the steam backend over the double, players simulated.
SERVER_STEAM_DOUBLE="$double_dir" STEAM_AUTH_MP_PORT=18640 scripts/test-multiplayer.sh
