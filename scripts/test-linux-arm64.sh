#!/usr/bin/env bash
# The Linux ARM64 libraries of the release zip in a real Godot: Debian sid's arm64 Godot under
# qemu-user (scripts/lib/provision-godot.sh arm64), in projects that hold the addon as unpacked from the
# zip, so the files a player gets are the files run:
#   1. a fresh project (project.godot, a main scene and the addon) runs headless with no error, its
#      GodotSteam-style script on the full library beside the entry one in bin/linux-arm64/;
#   2. the tutorial flow and the SteamLogin suite on the simulated backend, logging in to the
#      project's (x86_64) login server on loopback;
#   3. the steam backend over an arm64 build of the Steamworks flat-API test double;
#   4. the demo exported for Linux arm64 by this machine's editor (the arm64 Godot binary as the
#      template), holding exactly the arm64 files, and run from another folder: it logs in.
# The arm64 editor is never opened: its first start alone takes over 5 minutes emulated, so the
# projects get .godot/extension_list.cfg as the editor would write it.
# Usage: scripts/test-linux-arm64.sh [release zip]   (default: the one scripts/package.sh made)
set -euo pipefail
cd "$(dirname "$0")/.."
zip="${1:-$(ls -t target/package/steam_auth-*.zip 2>/dev/null | head -n1)}"
[ -f "$zip" ] || { echo "[arm64] no release zip: run scripts/package.sh first" >&2; exit 1; }
started=$(date +%s)
GODOT_ARM64=$(scripts/lib/provision-godot.sh arm64)
. scripts/lib/login-server.sh
. scripts/lib/exported-game.sh
work=$(mktemp -d)
LOGIN_SERVER_PID=""
cleanup() {
  [ -z "$LOGIN_SERVER_PID" ] || kill "$LOGIN_SERVER_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "[arm64] FAILED: $*" >&2; exit 1; }
echo "[arm64] Godot $("$GODOT_ARM64" --version | head -n1), arm64, under qemu-user on this $(uname -m) machine" >&2

# <project dir>: the addon from the zip, loaded as the editor would register it.
with_zip_addon() {
  rm -rf "$1/addons/steam_auth"
  mkdir -p "$1/.godot"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$1"
  chmod +x "$1"/addons/steam_auth/bin/linux-arm64/*
  echo "res://addons/steam_auth/steam_auth.gdextension" >"$1/.godot/extension_list.cfg"
}

# 1. A fresh project: its main scene, a GodotSteam-style script, initialises Steam (simulated).
fresh="$work/fresh"
mkdir -p "$fresh"
printf 'config_version=5\n\n[application]\n\nconfig/name="fresh"\nrun/main_scene="res://main.tscn"\n\n[steam]\n\nauth/backend="simulated"\n' >"$fresh/project.godot"
with_zip_addon "$fresh"
printf '[gd_scene load_steps=2 format=3]\n\n[ext_resource type="Script" path="res://main.gd" id="1"]\n\n[node name="Main" type="Node"]\nscript = ExtResource("1")\n' >"$fresh/main.tscn"
cat >"$fresh/main.gd" <<'GD'
extends Node

func _ready() -> void:
	var init: Dictionary = Steam.steamInitEx(480, false)
	var ticket: int = Steam.getAuthTicketForWebApi("steam-auth-login")
	await get_tree().process_frame
	var ok: bool = init.get("status") == Steam.STEAM_API_INIT_RESULT_OK and Steam.getSteamID() != 0 and ticket != 0
	print("arm64 fresh project: steamInitEx status %s, user %d, Web API ticket handle %d, SteamLogin class %s -> %s" % [init.get("status"), Steam.getSteamID(), ticket, ClassDB.class_exists("SteamLogin"), "OK" if ok else "FAILED"])
	Steam.cancelAuthTicket(ticket)
	get_tree().quit(0 if ok and ClassDB.class_exists("SteamLogin") else 1)
GD
run_clean() { # <what> <project> <godot args...>: fails on a non-zero exit, errors, leaks or a crash
  local what=$1 project=$2 status=0 log="$work/$1.log" t0
  shift 2
  t0=$(date +%s)
  timeout 120 "$GODOT_ARM64" --headless --path "$project" "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use|Program crashed' "$log"; then
    tail -n 30 "$log" >&2
    fail "$what exited with status $status or printed errors"
  fi
  grep -E '^arm64' "$log" | sed "s/^/[arm64] $what: /" >&2 || true
  echo "[arm64] $what: no error, in $(( $(date +%s) - t0 )) s" >&2
}
run_clean "fresh project" "$fresh"
grep -q 'arm64 fresh project: .* -> OK' "$work/fresh project.log" || fail "the fresh project's main scene printed no OK"

# 2. and 3. The project's suites, on a copy of godot_project holding the zip's addon.
project="$work/project"
cp -r godot_project "$project"
# The checkout links steam_appid.txt from the repository's root; the copy needs the file itself.
rm -f "$project/steam_appid.txt"
cp -L godot_project/steam_appid.txt "$project/"
with_zip_addon "$project"
start_login_server "${STEAM_AUTH_ARM64_PORT:-18490}" "$work" --rate-limit 0
echo "[arm64] the tutorial flow and SteamLogin, simulated backend, login server $STEAM_AUTH_LOGIN_ENDPOINT" >&2
GODOT="$GODOT_ARM64" STEAM_AUTH_TEST_PROJECT="$project" scripts/lib/run-godot-suite.sh test_tutorial,test_login

echo "[arm64] the steam backend over an arm64 build of the flat-API test double" >&2
cargo zigbuild --target aarch64-unknown-linux-gnu.2.17 -p steam-api-test-double >&2
double_dir="$work/double"
mkdir -p "$double_dir"
cp target/aarch64-unknown-linux-gnu/debug/libsteam_api_double.so "$double_dir/libsteam_api.so"
nm=$(command -v llvm-nm-14 || command -v llvm-nm || echo nm)
needed=$("$nm" -D --undefined-only "$project"/addons/steam_auth/bin/linux-arm64/libsteam_auth_steam.linux.template_debug.arm64.so | awk '{print $2}' | grep -E '^Steam' | sort -u)
defined=$("$nm" -D --defined-only "$double_dir/libsteam_api.so" | awk '{print $3}' | grep -E '^Steam' | sort -u)
missing=$(comm -23 <(echo "$needed") <(echo "$defined"))
[ -z "$missing" ] || fail "the arm64 library links flat-API functions the double lacks: $missing"
echo "[arm64] all $(echo "$needed" | wc -l) flat-API symbols the arm64 library links are defined by the arm64 double" >&2
LD_LIBRARY_PATH="$double_dir" STEAM_AUTH_TEST_BACKEND=steam GODOT="$GODOT_ARM64" STEAM_AUTH_TEST_PROJECT="$project" \
  scripts/lib/run-godot-suite.sh test_auth_flow,test_steam_server
# 4. The demo exported for arm64 by the host's editor, as a developer on an x86_64 machine exports it.
GODOT_BIN=$(scripts/lib/provision-godot.sh)
arm_root=$(sed -n 's|.*"\([^"]*\)/usr/lib/ld-linux-aarch64.so.1".*|\1|p' "$GODOT_ARM64")
[ -d "$arm_root" ] || fail "cannot find the arm64 Godot root behind $GODOT_ARM64"
# The template: sid's arm64 Godot binary as it is. The export runs under qemu-user with the arm64
# root as its system (-L): its loader, glibc and Godot's own libraries are found there as on an
# arm64 player's machine, and the addon's beside the executable ($ORIGIN).
template="$work/godot-template.arm64"
cp "$arm_root/usr/bin/godot" "$template"
exported="$work/export-project"
mkdir -p "$exported"
cp -r godot_project/demo godot_project/project.godot "$exported/"
with_zip_addon "$exported"
linux_preset 0 "Linux arm64" true false "$template" arm64 >"$exported/export_presets.cfg"
host_editor() { # <args...>: this machine's Godot on the project; fails on a non-zero exit or an error
  local status=0
  timeout 300 "$GODOT_BIN" --headless --path "$exported" "$@" >"$work/export.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE 'SCRIPT ERROR|^ERROR|Program crashed' "$work/export.log"; then
    tail -n 30 "$work/export.log" >&2
    fail "the host editor's $1 (status $status)"
  fi
}
mkdir -p "$work/shipped"
host_editor --import
host_editor --export-debug "Linux arm64" "$work/shipped/game.arm64"
have=$(cd "$work/shipped" && ls | sort | tr '\n' ' ')
want="game.arm64 game.pck libsteam_api.so libsteam_auth.linux.template_debug.arm64.so libsteam_auth_steam.linux.template_debug.arm64.so "
[ "$have" = "$want" ] || fail "the arm64 export holds: $have; expected: $want"
readelf -hW "$work/shipped/libsteam_api.so" | grep -q AArch64 || fail "the arm64 export's libsteam_api.so is not Valve's arm64 one"
echo "[arm64] the arm64 export: $have(Valve's AArch64 libsteam_api.so)" >&2
rm -rf "$exported"
player="$work/player"
mkdir -p "$player"
login=$(play_exported_demo "$player" "$work/game.log" qemu-aarch64-static -L "$arm_root" "$work/shipped/game.arm64")
echo "[arm64] the exported arm64 game, run from $player: $login" >&2
echo "[arm64] passed in $(( $(date +%s) - started )) s" >&2
