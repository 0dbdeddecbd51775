#!/usr/bin/env bash
# The main job: builds the addon and the login server, provisions Godot if needed, starts the login
# server in simulation mode on loopback with its embedded SQLite database, runs the demo's whole auth
# flow headless against it, prints the session, stops the server, and exits with the demo's status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
GODOT_BIN=$(scripts/lib/provision-godot.sh)

echo "[demo] building and starting the login server" >&2
. scripts/lib/login-server.sh
work=$(mktemp -d)
port=${STEAM_AUTH_DEMO_PORT:-18580}
LOGIN_SERVER_PID=""
trap '[ -z "$LOGIN_SERVER_PID" ] || { kill $LOGIN_SERVER_PID 2>/dev/null; wait $LOGIN_SERVER_PID 2>/dev/null; }; rm -rf "$work"' EXIT
start_login_server "$port" "$work"
echo "[demo] login server (simulation mode) on 127.0.0.1:$port" >&2

echo "[demo] running the auth flow headless ($("$GODOT_BIN" --version | head -n1))" >&2
set +e
STEAM_AUTH_BACKEND="${STEAM_AUTH_BACKEND:-simulated}" "$GODOT_BIN" --headless --path godot_project -- --auto
status=$?
set -e
echo "[demo] login server log:" >&2
sed 's/^/  /' "$work/server.log" >&2
exit $status
