#!/usr/bin/env bash
# The addon works when copied alone into a fresh project: a temp dir with only project.godot and a
# copy of addons/steam_auth, where a script initialises the simulated Steam and gets a ticket.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh "${1:-debug}" >&2
GODOT_BIN=$(scripts/provision-godot.sh)
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
mkdir -p "$project/addons" "$project/.godot"
cp -rL addons/steam_auth "$project/addons/steam_auth"
printf 'config_version=5\n\n[application]\n\nconfig/name="fresh"\n' >"$project/project.godot"
# What the editor writes on the first import of a project with an extension.
echo "res://addons/steam_auth/steam_auth.gdextension" >"$project/.godot/extension_list.cfg"
cat >"$project/check.gd" <<'GD'
extends SceneTree

func _init() -> void:
	var status: Dictionary = Steam.steamInitEx(480)
	var ticket: Dictionary = Steam.getAuthSessionTicket()
	var decoded: Dictionary = Steam.decodeAuthTicket(ticket)
	var ok: bool = status.status == 0 and ticket.get("size", 0) > 0 and decoded.get("app_id") == 480
	print("fresh project: init %s, ticket %d bytes, decoded app %s -> %s" % [status.status, ticket.get("size", 0), decoded.get("app_id"), "OK" if ok else "FAILED"])
	quit(0 if ok else 1)
GD
cat >"$project/quit_during_login.gd" <<'GD'
extends SceneTree

# A server that accepts connections (kernel backlog) but never answers: the login stays in flight.
var server := TCPServer.new()

func _init() -> void:
	server.listen(47199, "127.0.0.1")
	var login := SteamLogin.new()
	login.endpoint = "http://127.0.0.1:47199"
	login.timeout_sec = 60.0
	login.login("14000000AABB")
	await process_frame
	await process_frame
	print("quitting with a login in flight")
	quit(0)
GD
judge() { # <output> <expected line>
  echo "$1" | grep -E 'fresh project|quitting|ERROR|SCRIPT ERROR|leaked|still in use' >&2 || true
  echo "$1" | grep -q "$2" && ! echo "$1" | grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use'
}
out=$(STEAM_AUTH_BACKEND=simulated "$GODOT_BIN" --headless --path "$project" -s res://check.gd 2>&1) || true
judge "$out" 'fresh project: .* -> OK'
started=$(date +%s)
out=$(timeout 30 "$GODOT_BIN" --headless --path "$project" -s res://quit_during_login.gd 2>&1) \
  || { echo "$out" >&2; echo "[fresh-project] quitting during a login hung or failed" >&2; exit 1; }
judge "$out" 'quitting with a login in flight'
echo "[fresh-project] quit with a login in flight took $(( $(date +%s) - started )) s, no leaks" >&2
