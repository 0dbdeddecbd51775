#!/usr/bin/env bash
# The shipped Linux libraries on the oldest Linux a Steam player runs: a Debian bullseye root (glibc
# 2.31, the base of Steam Linux Runtime 3.0 "sniper"), made with debootstrap from this machine's apt
# sources and cached like the Godot root. `ldd -r` inside it must resolve every library each file
# needs and bind every symbol, Valve's libsteam_api.so beside them as a game ships it.
# Usage: scripts/test-old-glibc.sh [release zip | bin dir]   (default: the zip scripts/package.sh made)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-$(ls -t target/package/steam_auth-*.zip 2>/dev/null | head -n1)}
[ -e "$bin" ] || { echo "[old-glibc] no release zip: run scripts/package.sh first, or name a bin folder" >&2; exit 1; }
unpacked=""
trap '[ -z "$unpacked" ] || rm -rf "$unpacked"' EXIT
if [ -f "$bin" ]; then
  unpacked=$(mktemp -d)
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$bin" "$unpacked"
  bin="$unpacked/addons/steam_auth/bin"
fi
[ "$(id -u)" = 0 ] || { echo "[old-glibc] needs root (debootstrap, chroot)" >&2; exit 1; }
CACHE_DIR="${STEAM_AUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/steam-auth}"
root="$CACHE_DIR/bullseye-root"
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.bullseye.lock"
flock 9
if [ ! -f "$root/.steam-auth-ready" ]; then
  command -v debootstrap >/dev/null 2>&1 || scripts/apt-install.sh debootstrap
  mirror=$(scripts/debian-mirror.sh)
  [ -n "$mirror" ] || { echo "[old-glibc] no Debian archive in this machine's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
  rm -rf "$root"
  echo "[old-glibc] bootstrapping a Debian bullseye root in $root (first run only, under a minute)" >&2
  debootstrap --variant=minbase bullseye "$root" "$mirror" >"$CACHE_DIR/bullseye.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/bullseye.log" >&2; echo "[old-glibc] debootstrap failed" >&2; exit 1; }
  touch "$root/.steam-auth-ready"
fi
glibc="Debian bullseye's glibc $(chroot "$root" ldd --version | sed -n '1s/.* //p')"
check="$root/check"
rm -rf "$check"
mkdir -p "$check"
cp "$bin"/*.linux.*.x86_64.so "$bin"/libsteam_api.so "$check/"
failed=0
for lib in "$check"/*.linux.*.so; do
  name=$(basename "$lib")
  out=$(chroot "$root" ldd -r "/check/$name" 2>&1) || true
  if grep -qE 'not found|undefined symbol|version .* not found' <<<"$out"; then
    echo "$out" >&2
    echo "[old-glibc] FAILED: $name does not load on $glibc" >&2
    failed=1
  else
    echo "[old-glibc] $name: every library and symbol resolved on $glibc ($(grep -c '=>' <<<"$out") libraries)" >&2
  fi
done
rm -rf "$check"
exit "$failed"
