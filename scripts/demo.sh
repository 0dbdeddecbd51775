#!/usr/bin/env bash
# The main job: builds the addon, provisions Godot if needed, and runs the demo's whole auth flow
# headless on the simulated Steam. Exits with the demo's status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
GODOT_BIN=$(scripts/provision-godot.sh)
echo "[demo] running the auth flow headless ($("$GODOT_BIN" --version | head -n1))" >&2
STEAM_AUTH_BACKEND="${STEAM_AUTH_BACKEND:-simulated}" \
  "$GODOT_BIN" --headless --path godot_project -- --auto
