#!/usr/bin/env bash
# The main job: builds the addon and the login server, provisions Godot if needed, starts the login
# server in simulation mode on loopback with its embedded SQLite database, runs the demo's whole auth
# flow headless against it, prints the session, stops the server, and exits with the demo's status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
echo "[demo] building the login server" >&2
cargo build -p steam-login-server --bin steam-login-server
GODOT_BIN=$(scripts/provision-godot.sh)

work=$(mktemp -d)
port=${STEAM_AUTH_DEMO_PORT:-18580}
target/debug/steam-login-server --simulation --listen "127.0.0.1:$port" --database "$work/demo.db" \
  >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "[demo] the login server did not start" >&2; exit 1; }
  sleep 0.1
done
echo "[demo] login server (simulation mode) on 127.0.0.1:$port" >&2

echo "[demo] running the auth flow headless ($("$GODOT_BIN" --version | head -n1))" >&2
set +e
STEAM_AUTH_BACKEND="${STEAM_AUTH_BACKEND:-simulated}" STEAM_AUTH_LOGIN_ENDPOINT="http://127.0.0.1:$port" \
  "$GODOT_BIN" --headless --path godot_project -- --auto
status=$?
set -e
echo "[demo] login server log:" >&2
sed 's/^/  /' "$work/server.log" >&2
exit $status
