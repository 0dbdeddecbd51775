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
out=$(STEAM_AUTH_BACKEND=simulated "$GODOT_BIN" --headless --path "$project" -s res://check.gd 2>&1) || true
echo "$out" | grep -E 'fresh project|ERROR|SCRIPT ERROR' >&2 || true
echo "$out" | grep -q 'fresh project: .* -> OK' && ! echo "$out" | grep -qE 'SCRIPT ERROR|^ERROR'
