#!/usr/bin/env bash
# The game as a player gets it: the demo project with the addon unpacked from the release zip
# (scripts/package.sh), imported as a fresh checkout, exported for Linux with debug and release
# presets and as a dedicated server, each export moved out of the project and run from another
# folder. The debug game runs the demo's whole auth flow headless and logs in to the project's
# login server; the dedicated server starts SteamServer and logs on. The release export's files
# are checked (its libraries are the template_release ones); it is not run, because the only Godot
# here is an editor binary, which loads the debug keys.
#
# Export templates: Debian ships none, so the provisioned Godot binary itself is the custom
# template, its loader pointed at the Debian sid root it came from (patchelf) so that the exported
# executable runs directly and finds its .pck and libraries beside itself, as a player's would.
# Usage: scripts/test-export.sh [release zip]   (default: the one scripts/package.sh made)
set -euo pipefail
cd "$(dirname "$0")/.."
zip="${1:-$(ls -t target/package/steam_auth-*.zip 2>/dev/null | head -n1)}"
[ -f "$zip" ] || { echo "[export] no release zip: run scripts/package.sh first" >&2; exit 1; }
GODOT_BIN=$(scripts/lib/provision-godot.sh)
. scripts/lib/login-server.sh
. scripts/lib/exported-game.sh
work=$(mktemp -d)
LOGIN_SERVER_PID=""
server_game=""
cleanup() {
  [ -z "$server_game" ] || kill "$server_game" 2>/dev/null || true
  [ -z "$LOGIN_SERVER_PID" ] || kill "$LOGIN_SERVER_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "[export] FAILED: $*" >&2; exit 1; }

# The template: a real Godot binary runs as is; the provisioned wrapper runs sid's binary through
# sid's loader, so a copy of that binary gets the loader and library path written into it.
template="$work/godot-template.x86_64"
if head -c2 "$GODOT_BIN" | grep -q '#!'; then
  sid_root=$(sed -n 's|^exec "\(.*\)/usr/lib64/ld-linux-x86-64.so.2".*|\1|p' "$GODOT_BIN")
  [ -d "$sid_root" ] || fail "cannot find the Godot root behind $GODOT_BIN"
  command -v patchelf >/dev/null || fail "patchelf is missing (scripts/lib/provision-test-tools.sh)"
  libdir="$sid_root/usr/lib/x86_64-linux-gnu"
  cp "$sid_root/usr/bin/godot" "$template"
  # DT_RPATH (--force-rpath), unlike RUNPATH, also serves the libraries those libraries load.
  patchelf --set-interpreter "$sid_root/usr/lib64/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$libdir:$libdir/pulseaudio" "$template"
  export LIBGL_DRIVERS_PATH="$libdir/dri" __EGL_VENDOR_LIBRARY_DIRS="$sid_root/usr/share/glvnd/egl_vendor.d"
  # libpulse's own RUNPATH names the host's /usr/lib/.../pulseaudio, which overrides the RPATH for its
  # dependencies: that one folder of sid's, for Godot's own system libraries (the addon's are found
  # beside the game through their $ORIGIN).
  export LD_LIBRARY_PATH="$libdir/pulseaudio${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  cp "$GODOT_BIN" "$template"
fi

# The project: the demo, with the addon from the release zip, never opened.
project="$work/project"
mkdir -p "$project"
cp -r godot_project/demo godot_project/project.godot "$project/"
[ -f godot_project/steam_appid.txt ] && cp godot_project/steam_appid.txt "$project/"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$project"
chmod +x "$project"/addons/steam_auth/bin/* 2>/dev/null || true
{ linux_preset 0 Linux true false "$template" x86_64; linux_preset 1 "Linux Server" false true "$template" x86_64; } \
  >"$project/export_presets.cfg"

godot() { # <log> <args...>: the editor on the project; fails on a non-zero exit or an error line
  local log=$1 status=0
  shift
  timeout 300 "$GODOT_BIN" --headless --path "$project" "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE 'SCRIPT ERROR|^ERROR|Program crashed' "$log"; then
    tail -n 30 "$log" >&2
    fail "godot $* (status $status)"
  fi
}
godot "$work/import.log" --import
out="$work/exports"
mkdir -p "$out/debug" "$out/release" "$out/server"
godot "$work/export-debug.log" --export-debug Linux "$out/debug/game.x86_64"
godot "$work/export-release.log" --export-release Linux "$out/release/game.x86_64"
godot "$work/export-server.log" --export-debug "Linux Server" "$out/server/server.x86_64"

# What each export holds beside the executable.
expect_files() { # <dir> <build> <executable>
  local have want
  have=$(cd "$1" && ls | sort | tr '\n' ' ')
  want=$(printf '%s\n' "$3" "${3%.x86_64}.pck" libsteam_api.so \
    "libsteam_auth.linux.template_$2.x86_64.so" "libsteam_auth_steam.linux.template_$2.x86_64.so" | sort | tr '\n' ' ')
  [ "$have" = "$want" ] || fail "$1 holds: $have; expected: $want"
  echo "[export] $(basename "$1") export: $have" >&2
}
expect_files "$out/debug" debug game.x86_64
expect_files "$out/release" release game.x86_64
expect_files "$out/server" debug server.x86_64

# Out of the project, run from another folder, as a player runs it.
mv "$out" "$work/shipped"
rm -rf "$project"
player="$work/player"
mkdir -p "$player"
start_login_server "${STEAM_AUTH_EXPORT_PORT:-18680}" "$work"
login=$(play_exported_demo "$player" "$work/game.log" "$work/shipped/debug/game.x86_64")
echo "[export] the exported debug game, run from $player: $login" >&2

(cd "$player" && STEAM_AUTH_BACKEND=simulated SteamAppId=555440 "$work/shipped/server/server.x86_64" --headless \
  -s res://demo/host_join.gd -- --server "${STEAM_AUTH_EXPORT_GAME_PORT:-18681}") >"$work/server-game.log" 2>&1 &
server_game=$!
for _ in $(seq 100); do
  grep -q 'logged on to Steam as game server' "$work/server-game.log" && break
  kill -0 "$server_game" 2>/dev/null || break
  sleep 0.1
done
logon=$(grep -m1 'logged on to Steam as game server' "$work/server-game.log" || true)
[ -n "$logon" ] || { cat "$work/server-game.log" >&2; fail "the dedicated-server export did not log on"; }
echo "[export] the dedicated-server export, run from $player: $logon" >&2
