#!/usr/bin/env bash
# The Godot-agnostic crates' tests on Windows: cross-built for x86_64-pc-windows-gnu with Debian's
# mingw-w64 and run under Debian's Wine (scripts/lib/wine-runner.sh as cargo's runner). steam-auth-core's
# test executables start with a Windows build of the flat-API test double as steam_api64.dll beside
# them, and its ignored test (the steamworks backends over that double, steam_appid.txt in a Windows
# working directory) runs too. steam-login-client's tests run the login server in-process over
# loopback HTTP and SQLite on Windows.
# Then the addon's entry DLL is loaded as Godot loads it and its entry point run
# (rust/steam-auth-gdext/examples/load_addon.rs), for each build type: alone it loads the full DLL
# beside it; with GodotSteam's DLL loaded first it does not; with steam_api64.dll missing the full DLL
# cannot load and the entry point still succeeds (login-only). scripts/package.sh checks the DLLs'
# PE imports and exports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/lib/provision-cross-tools.sh wine
target=x86_64-pc-windows-gnu
cargo build -p steam-api-test-double --target "$target"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/lib/wine-runner.sh"
export STEAM_API64_DLL="$PWD/target/$target/debug/steam_api_double.dll"
echo "[windows] $(wine --version) runs the tests" >&2

summary=()
for crate in steam-ticket steam-auth-core steam-login-protocol steam-login-client; do
  args=()
  [ "$crate" = steam-auth-core ] && args=(-- --include-ignored)
  log=$(mktemp)
  status=0
  cargo test --target "$target" -p "$crate" "${args[@]}" 2>&1 | tee "$log" || status=$?
  passed=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
  failed=$(sed -n 's/^test result: .* \([0-9]*\) failed.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
  rm -f "$log"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    echo "[windows] FAILED: $crate under Wine (exit $status, $passed passed, $failed failed)" >&2
    exit 1
  fi
  summary+=("$crate $passed")
done
printf '[windows] under Wine: %s passed\n' "${summary[@]}" >&2

cargo build -p steam-auth-gdext --example load_addon --target "$target"
cargo build -p godotsteam-stand-in --target "$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "target/$target/debug/examples/load_addon.exe" "$work/"
mkdir -p "$work/godotsteam"
cp "target/$target/debug/godotsteam_stand_in.dll" "$work/godotsteam/"
expect() { # <what> <expected line> <load_addon args...>
  local what=$1 line=$2 out
  shift 2
  out=$(scripts/lib/wine-runner.sh "$work/load_addon.exe" "$@" 2>&1) || { echo "$out" >&2; echo "[windows] FAILED: $what" >&2; exit 1; }
  grep -q "^$line" <<<"$out" || { echo "$out" >&2; echo "[windows] FAILED: $what: expected '$line'" >&2; exit 1; }
}
for build in debug release; do
  scripts/build-addon.sh "$build" windows >&2
  addon="$work/$build"
  mkdir -p "$addon"
  cp addons/steam_auth/bin/*.windows.template_"$build".x86_64.dll addons/steam_auth/bin/steam_api64.dll "$addon/"
  entry="$addon/steam_auth.windows.template_$build.x86_64.dll"
  expect "$build: alone, the entry DLL loads the full one" "full library: loaded" "$entry"
  expect "$build: beside GodotSteam, login-only" "full library: not loaded" "$entry" -- "$work/godotsteam/godotsteam_stand_in.dll"
  rm "$addon/steam_api64.dll"
  expect "$build: without steam_api64.dll, login-only" "full library: not loaded" "$entry"
  echo "[windows] $build DLLs under Wine: the entry DLL loads the full one alone, not beside GodotSteam, and survives a missing steam_api64.dll" >&2
done
