#!/usr/bin/env bash
# Runs the headless GDScript suite (godot_project/tests) against a freshly built addon, with the
# project's login server (simulation mode) on loopback for the login tests, then the addon beside a
# GodotSteam-like Steam singleton (scripts/test-beside-godotsteam.sh).
# Usage: scripts/test-godot.sh [filter]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-addon.sh debug
cargo build -p steam-login-server --bin steam-login-server
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The project's own login server, simulation mode, embedded SQLite, loopback only.
port=${STEAM_AUTH_TEST_PORT:-18480}
target/debug/steam-login-server --simulation --listen "127.0.0.1:$port" --database "$work/login.db" \
  --rate-limit 0 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "[godot-tests] the login server did not start" >&2; exit 1; }
  sleep 0.1
done
export STEAM_AUTH_LOGIN_ENDPOINT="http://127.0.0.1:$port"

scripts/run-godot-suite.sh "${1:-}"
# Beside GodotSteam: another Steam singleton registered before the addon loads (whole runs only).
[ -n "${1:-}" ] || scripts/test-beside-godotsteam.sh
