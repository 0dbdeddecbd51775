#!/usr/bin/env bash
# Dedicated server and players as separate headless Godot processes on loopback (ENet): a server with
# SteamServer (simulated) and SteamMultiplayerAuth; two players with different SteamIDs who pass
# auth, exchange an RPC, and one of whom leaves (its session must end on the server); players with a
# forged ticket, another game's ticket, no ticket at all (past a 3 s auth timeout) and a second
# connection of a connected SteamID, who must be turned away with the right reason and never reach
# peer_connected. Fails on a wrong outcome or any SCRIPT ERROR, ERROR, leak or crash.
# With SERVER_STEAM_DOUBLE=<dir holding the double as libsteam_api.so> the server runs SteamServer on
# the steam backend (steamworks' game server) over the flat-API double (scripts/test-steam-double.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug >&2
GODOT_BIN=$(scripts/lib/provision-godot.sh)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export STEAM_AUTH_MP_PORT=${STEAM_AUTH_MP_PORT:-18620} STEAM_AUTH_BACKEND=simulated
ALICE=76561198000000042 BOB=76561198000000043 MALLORY=76561198000000044 EVE=76561198000000045
SILENT=76561198000000046

run() { # <name> <steam id> <script> [mode]: one Godot process in the background, its log in $work/<name>.log
  STEAM_AUTH_SIMULATED_STEAM_ID=$2 timeout 60 "$GODOT_BIN" --headless --path godot_project \
    -s "res://tests/multiplayer/$3.gd" -- "${4:-}" >"$work/$1.log" 2>&1 &
  pids+=($!)
}
server_backend=simulated
if [ -n "${SERVER_STEAM_DOUBLE:-}" ]; then
  server_backend=steam
  LD_LIBRARY_PATH=$SERVER_STEAM_DOUBLE STEAM_AUTH_BACKEND=steam run server 0 server
else
  run server 0 server
fi
for _ in $(seq 100); do grep -q '^LISTENING' "$work/server.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^LISTENING' "$work/server.log" || { cat "$work/server.log" >&2; echo "[multiplayer] the server did not start" >&2; exit 1; }
run alice "$ALICE" client good-stay
run bob "$BOB" client good-leave
run mallory "$MALLORY" client forged
run eve "$EVE" client other-app
run silent "$SILENT" client silent
# A second Alice, once the first one is in.
for _ in $(seq 200); do grep -q "^VERIFIED $ALICE" "$work/server.log" && break; sleep 0.1; done
run alice2 "$ALICE" client duplicate

status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
pids=()

problems=()
expect() { # <log> <regex> <what>
  grep -qE "$2" "$work/$1.log" || problems+=("$1: $3")
}
[ "$status" -eq 0 ] || problems+=("a process exited with an error or timed out")
for log in server alice bob mallory eve silent alice2; do
  if grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use|Program crashed' "$work/$log.log"; then
    problems+=("$log: error, leak or crash output")
  fi
done
expect server "^VERIFIED $ALICE owner $ALICE\$" "Alice verified"
expect server "^VERIFIED $BOB owner $BOB\$" "Bob verified"
expect server "^REJECTED $MALLORY invalid ticket" "Mallory's forged ticket rejected as invalid"
expect server "^REJECTED $EVE the ticket is for another game" "Eve's other-game ticket rejected"
expect server "^REJECTED 0 no Steam ticket arrived in time" "the silent player timed out with a reason"
expect server "^REJECTED $ALICE this SteamID is already connected" "a second connection of Alice rejected"
expect server "^LEFT $BOB session ended\$" "Bob's session ended when he left"
expect server "^HELLOS 2\$" "an RPC from each verified player"
expect server "^DONE\$" "the server saw everything"
expect server "^SERVER_INIT 0 game server initialised: $server_backend backend" "the server ran on the $server_backend backend"
connected=$(grep -cE '^CONNECTED ' "$work/server.log" || true)
[ "$connected" -eq 2 ] || problems+=("server: $connected peer_connected, expected 2 (rejected players must never connect)")
grep -qE "^CONNECTED ($MALLORY|$EVE|$SILENT)\$" "$work/server.log" && problems+=("server: a rejected player reached peer_connected")
for player in alice bob; do
  expect "$player" '^AUTHENTICATED_US [0-9]+$' "authenticated"
  expect "$player" '^WELCOMED welcome, 7656' "got the server's RPC answer"
done
expect mallory '^REJECTED_BY_SERVER invalid ticket' "told why (forged)"
expect eve '^REJECTED_BY_SERVER the ticket is for another game' "told why (other game)"
expect silent '^REJECTED_BY_SERVER no Steam ticket arrived in time' "told why (timeout)"
expect alice2 '^REJECTED_BY_SERVER this SteamID is already connected' "told why (duplicate)"

if [ ${#problems[@]} -gt 0 ]; then
  for log in server alice bob mallory eve silent alice2; do echo "--- $log" >&2; grep -vE '^\s*$' "$work/$log.log" | head -40 >&2; done
  printf '[multiplayer] FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
auth_us=$(grep -hoE '^AUTHENTICATED_US [0-9]+' "$work/alice.log" "$work/bob.log" | awk '{print $2}' | sort -n | tr '\n' ' ')
echo "[multiplayer] passed (server on the $server_backend backend): 2 players verified and exchanged RPCs, forged, other-game, missing and duplicate tickets turned away with reasons, a leaver's session ended; connect-to-verified ${auth_us}µs" >&2
