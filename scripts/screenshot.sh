#!/usr/bin/env bash
# Renders the demo under Xvfb (Godot's compatibility renderer on Mesa's software rasteriser) after
# running every step against a simulation-mode login server, and saves docs/demo.png.
# Needs: apt-get install xvfb xauth
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
cargo build -p steam-login-server --bin steam-login-server
GODOT_BIN=$(scripts/lib/provision-godot.sh)
work=$(mktemp -d)
target/debug/steam-login-server --simulation --listen 127.0.0.1:18590 --database "$work/d.db" >"$work/s.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
STEAM_AUTH_BACKEND=simulated STEAM_AUTH_LOGIN_ENDPOINT=http://127.0.0.1:18590 \
  xvfb-run -a -s "-screen 0 1280x720x24" "$GODOT_BIN" --path godot_project --rendering-driver opengl3 \
  --resolution 1100x640 -- --auto --screenshot "$PWD/docs/demo.png"
