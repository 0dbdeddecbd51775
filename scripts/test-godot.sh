#!/usr/bin/env bash
# Runs the headless GDScript suite (godot_project/tests) against a freshly built addon, with the
# project's login server (simulation mode) on loopback for the login tests, then the addon beside a
# GodotSteam-like Steam singleton (scripts/test-beside-godotsteam.sh).
# Usage: scripts/test-godot.sh [filter]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-addon.sh debug
. scripts/lib/login-server.sh
work=$(mktemp -d)
LOGIN_SERVER_PID=""
cleanup() {
  [ -z "$LOGIN_SERVER_PID" ] || kill "$LOGIN_SERVER_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The project's own login server, simulation mode, embedded SQLite, loopback only.
start_login_server "${STEAM_AUTH_TEST_PORT:-18480}" "$work" --rate-limit 0

scripts/lib/run-godot-suite.sh "${1:-}"
# Beside GodotSteam: another Steam singleton registered before the addon loads (whole runs only).
[ -n "${1:-}" ] || scripts/test-beside-godotsteam.sh
