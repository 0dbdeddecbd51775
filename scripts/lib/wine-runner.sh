#!/usr/bin/env bash
# Runs a Windows executable under Wine: cargo's runner for x86_64-pc-windows-gnu
# (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER, set by scripts/test-windows.sh).
# The prefix (~/.cache/steam-auth/wine) is made on first use, with the ProcessPrng stand-in
# (tools/wine/bcryptprimitives.c) that Wine 8.0 lacks. With STEAM_API64_DLL set, that file is put
# beside the executable as steam_api64.dll (test executables that link steamworks need one to start).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${STEAM_AUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/steam-auth}"
export WINEPREFIX="$cache/wine"
export WINEDEBUG=-all
# The stand-in over Wine's own; no Mono or Gecko installer prompts.
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml="
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$WINEPREFIX/.steam-auth-ready" ]; then
  mkdir -p "$cache"
  exec 9>"$cache/.wine.lock"
  flock 9
  if [ ! -f "$WINEPREFIX/.steam-auth-ready" ]; then
    wineboot --init >/dev/null 2>&1 || true
    wineserver --wait || true
    x86_64-w64-mingw32-gcc -O2 -shared -o "$shim" "$repo/tools/wine/bcryptprimitives.c" -ladvapi32
    touch "$WINEPREFIX/.steam-auth-ready"
  fi
  exec 9>&-
fi
exe="$1"
shift
if [ -n "${STEAM_API64_DLL:-}" ]; then
  cp "$STEAM_API64_DLL" "$(dirname "$exe")/steam_api64.dll"
fi
exec wine "$exe" "$@"
