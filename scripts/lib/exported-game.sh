# Sourced by scripts/test-export.sh and scripts/test-linux-arm64.sh, which define `fail`:
#   linux_preset <index> <name> <runnable> <dedicated server> <template> <architecture>
#       prints one Linux export preset, the template for both builds
#   play_exported_demo <player dir> <log> <command...>
#       runs the exported demo's whole auth flow (--auto) from <player dir>, as Steam launches a game
#       (SteamAppId set: no steam_appid.txt ships), and prints its login line; fails on a non-zero
#       exit, an error line or no login
linux_preset() {
  cat <<CFG
[preset.$1]

name="$2"
platform="Linux"
runnable=$3
dedicated_server=$4
custom_features=""
export_filter="all_resources"
include_filter=""
exclude_filter=""
export_path=""
script_export_mode=2

[preset.$1.options]

custom_template/debug="$5"
custom_template/release="$5"
debug/export_console_wrapper=0
binary_format/embed_pck=false
binary_format/architecture="$6"

CFG
}

play_exported_demo() {
  local player=$1 log=$2 status=0 login
  shift 2
  (cd "$player" && STEAM_AUTH_BACKEND=simulated SteamAppId=555440 timeout 180 "$@" --headless -- --auto) \
    >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE 'SCRIPT ERROR|^ERROR' "$log"; then
    cat "$log" >&2
    fail "the exported game $* (status $status)"
  fi
  login=$(grep -m1 '✔ Logged in: user ' "$log" || true)
  [ -n "$login" ] || { cat "$log" >&2; fail "the exported game $* printed no login"; }
  echo "$login"
}
