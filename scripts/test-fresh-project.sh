#!/usr/bin/env bash
# The addon works when copied alone into a fresh project, as a new user or an export pipeline meets it:
# a temp dir with only project.godot and a copy of addons/steam_auth, opened first with
# `--headless --import` (what export pipelines run on a fresh checkout) and, in a second fresh copy,
# `--headless --editor --quit`. Both must exit 0 without ERROR or SCRIPT ERROR lines; then scripts run
# in the imported project (the editor wrote .godot/extension_list.cfg itself).
# Usage: scripts/test-fresh-project.sh [profile...]   (default: debug release)
set -euo pipefail
cd "$(dirname "$0")/.."
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(debug release)
GODOT_BIN=$(scripts/lib/provision-godot.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "[fresh-project] FAILED ($profile): $*" >&2; exit 1; }

# A project holding only project.godot and a copy of the addon.
new_project() { # <dir>
  mkdir -p "$1/addons"
  cp -rL addons/steam_auth "$1/addons/steam_auth"
  # An editor binary (the only Godot here) loads the `debug` keys; to run the release libraries in
  # it, this copy's debug keys name them.
  if [ "$profile" = release ]; then
    sed -i '/^linux\.debug\./s/template_debug/template_release/g' "$1/addons/steam_auth/steam_auth.gdextension"
  fi
  printf 'config_version=5\n\n[application]\n\nconfig/name="fresh"\n' >"$1/project.godot"
}

# Runs Godot in a project; fails on a non-zero exit, ERROR/SCRIPT ERROR lines, leaks or crash output.
run_clean() { # <what> <project> <godot args...>
  local what=$1 project=$2 status=0
  shift 2
  local log="$work/$what.log"
  timeout 180 "$GODOT_BIN" --headless --path "$project" "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use|Program crashed' "$log"; then
    tail -n 30 "$log" >&2
    fail "$what exited with status $status or printed errors"
  fi
  grep -E 'fresh project|quitting' "$log" >&2 || true
}

write_scripts() { # <project>
  # A GodotSteam 4.14+ style autoload script, used unchanged (it sets SteamAppId as the tutorials do).
  cp godot_project/tests/godotsteam/global_4_14.gd "$1/global.gd"
  cat >"$1/run_global.gd" <<'GD'
extends SceneTree

func _initialize() -> void:
	var g: Node = load("res://global.gd").new()
	root.add_child(g)
	for i in 4:
		await process_frame
	var ok: bool = g.steam_id != 0 and Steam.getAppID() == 480 and not g.web_api_ticket.is_empty()
	print("fresh project: GodotSteam-style global.gd: user %d, app %d, Web API ticket %d bytes -> %s" % [g.steam_id, Steam.getAppID(), g.web_api_ticket.size(), "OK" if ok else "FAILED"])
	g.free()
	quit(0 if ok else 1)
GD
  cat >"$1/check.gd" <<'GD'
extends SceneTree

func _init() -> void:
	var status: Dictionary = Steam.steamInitEx(480)
	var ticket: Dictionary = Steam.getAuthSessionTicket()
	var decoded: Dictionary = Steam.decodeAuthTicket(ticket)
	var ok: bool = status.status == 0 and ticket.get("size", 0) > 0 and decoded.get("app_id") == 480
	print("fresh project: init %s, ticket %d bytes, decoded app %s -> %s" % [status.status, ticket.get("size", 0), decoded.get("app_id"), "OK" if ok else "FAILED"])
	quit(0 if ok else 1)
GD
  # Lambdas left connected to the singletons' signals: freed after their script at exit unless the
  # addon disconnects them first (a heap corruption, exit 134, when it does not).
  cat >"$1/lambdas_at_exit.gd" <<'GD'
extends SceneTree

func _initialize() -> void:
	Steam.steamInitEx(480)
	Steam.get_auth_session_ticket_response.connect(func(_h: int, _r: int): pass)
	OS.set_environment("SteamAppId", "480") # as a server is started
	SteamServer.serverInitEx("127.0.0.1", 47201, 47202, SteamServer.SERVER_MODE_AUTHENTICATION, "1.0")
	SteamServer.server_connected.connect(func(): pass)
	SteamServer.logOnAnonymous()
	Steam.getAuthSessionTicket()

func _process(_delta: float) -> bool:
	if Engine.get_process_frames() > 5:
		print("quitting with lambdas connected to Steam and SteamServer")
		quit(0)
	return false
GD
  cat >"$1/quit_during_login.gd" <<'GD'
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
}

for profile in "${profiles[@]}"; do
  scripts/build-addon.sh "$profile" >&2
  dir="$work/$profile"

  # 1. First open by an export pipeline: --import on a project that has never been opened.
  new_project "$dir/imported"
  run_clean "$profile-import" "$dir/imported" --import
  grep -qx 'res://addons/steam_auth/steam_auth.gdextension' "$dir/imported/.godot/extension_list.cfg" \
    || fail "the editor did not register the extension in .godot/extension_list.cfg"

  # 2. First open in the editor, headless, in another never-opened copy.
  new_project "$dir/edited"
  run_clean "$profile-editor-quit" "$dir/edited" --editor --quit

  # 3. The game side, in the project the import prepared.
  write_scripts "$dir/imported"
  STEAM_AUTH_BACKEND=simulated run_clean "$profile-check" "$dir/imported" -s res://check.gd
  STEAM_AUTH_BACKEND=simulated run_clean "$profile-godotsteam-global" "$dir/imported" -s res://run_global.gd
  STEAM_AUTH_BACKEND=simulated run_clean "$profile-lambdas-at-exit" "$dir/imported" -s res://lambdas_at_exit.gd
  started=$(date +%s)
  run_clean "$profile-quit-during-login" "$dir/imported" -s res://quit_during_login.gd
  echo "[fresh-project] $profile: --import and --editor --quit on first open exit 0 with no errors;" \
    "quit with a login in flight took $(( $(date +%s) - started )) s, no leaks" >&2
done
