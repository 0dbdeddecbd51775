#!/usr/bin/env bash
# Host / join demo: the dedicated server demo (res://demo/dedicated_server.tscn, written as GodotSteam
# Server users write theirs; SteamServer simulated) and two players with different SteamIDs
# (res://demo/host_join.gd --client), each a headless Godot process on loopback; prints what each
# says and exits with the server's status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug >&2
GODOT_BIN=$(scripts/lib/provision-godot.sh)
port=${STEAM_AUTH_DEMO_MP_PORT:-18670}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export STEAM_AUTH_BACKEND=simulated
godot() { "$GODOT_BIN" --headless --path godot_project -s res://demo/host_join.gd -- "$@"; }
"$GODOT_BIN" --headless --path godot_project res://demo/dedicated_server.tscn -- --port "$port" --quit-after 2 \
  >"$work/host.log" 2>&1 &
host=$!
for _ in $(seq 100); do grep -q 'listening' "$work/host.log" && break; sleep 0.1; done
STEAM_AUTH_SIMULATED_STEAM_ID=76561198000000042 godot --client "$port" >"$work/p1.log" 2>&1 &
STEAM_AUTH_SIMULATED_STEAM_ID=76561198000000043 godot --client "$port" >"$work/p2.log" 2>&1 &
status=0
wait $host || status=$?
wait || true
grep -hE '^\[' "$work/host.log" "$work/p1.log" "$work/p2.log"
exit $status
