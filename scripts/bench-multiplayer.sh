#!/usr/bin/env bash
# Benchmark (not a test): a dedicated server with SteamServer + SteamMultiplayerAuth and N players
# (one swarm process of N ENet clients) on loopback; reports how long N players take to be verified
# and, with N verified players connected, the addon's work per server frame and the frame time.
# Usage: scripts/bench-multiplayer.sh [peers=64] [frames=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh "${BENCH_PROFILE:-release}" >&2
GODOT_BIN=$(scripts/lib/provision-godot.sh)
export BENCH_PEERS=${1:-64} BENCH_FRAMES=${2:-2000} STEAM_AUTH_BACKEND=simulated
export STEAM_AUTH_MP_PORT=${STEAM_AUTH_MP_PORT:-18660}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r bench/multiplayer godot_project/.bench-multiplayer
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work" godot_project/.bench-multiplayer' EXIT
"$GODOT_BIN" --headless --path godot_project -s res://.bench-multiplayer/server.gd >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q LISTENING "$work/server.log" && break; sleep 0.1; done
[ "$BENCH_PEERS" -eq 0 ] || "$GODOT_BIN" --headless --path godot_project -s res://.bench-multiplayer/swarm.gd >"$work/swarm.log" 2>&1 &
wait $server || { cat "$work/server.log" "$work/swarm.log" 2>/dev/null >&2; exit 1; }
grep -E '^(VERIFIED|PEERS|ADDON_PER_FRAME_US|FRAME_US)' "$work/server.log"
