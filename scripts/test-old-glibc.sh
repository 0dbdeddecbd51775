#!/usr/bin/env bash
# The shipped Linux libraries on the oldest Linux a Steam player runs: a Debian bullseye root (glibc
# 2.31, the base of Steam Linux Runtime 3.0 "sniper"), made with debootstrap from this machine's apt
# sources and cached like the Godot root. `ldd -r` inside it must resolve every library each file
# needs and bind every symbol, Valve's libsteam_api.so beside them as a game ships it. The ARM64
# libraries get the same check in an arm64 bullseye root (scripts/lib/debootstrap-arm64.sh), their
# loader run under qemu-user.
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
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.bullseye.lock"
flock 9
command -v debootstrap >/dev/null 2>&1 || scripts/lib/apt-install.sh debootstrap
command -v qemu-aarch64-static >/dev/null 2>&1 || scripts/lib/apt-install.sh qemu-user-static
bootstrap() { # <root> [arm64]: a cached bullseye root
  local root=$1 mirror
  [ -f "$root/.steam-auth-ready" ] && return 0
  echo "[old-glibc] bootstrapping a Debian bullseye root in $root (first run only, under a minute)" >&2
  if [ "${2:-}" = arm64 ]; then
    scripts/lib/debootstrap-arm64.sh bullseye "$root"
  else
    mirror=$(scripts/lib/debian-mirror.sh)
    [ -n "$mirror" ] || { echo "[old-glibc] no Debian archive in this machine's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
    rm -rf "$root"
    debootstrap --variant=minbase bullseye "$root" "$mirror" >"$root.log" 2>&1 \
      || { tail -n 20 "$root.log" >&2; echo "[old-glibc] debootstrap failed" >&2; exit 1; }
  fi
  touch "$root/.steam-auth-ready"
}
root="$CACHE_DIR/bullseye-root"
arm_root="$CACHE_DIR/bullseye-root-arm64"
bootstrap "$root"
bootstrap "$arm_root" arm64
glibc="Debian bullseye's glibc $(chroot "$root" ldd --version | sed -n '1s/.* //p')"

# ldd -r <root> <file under the root>: what `ldd -r` prints there, natively or under qemu-user.
ldd_r() {
  if [ "$1" = "$root" ]; then
    chroot "$root" ldd -r "$2"
  else # ldd's own way: the loader traces, binding every symbol now and warning on each that fails
    LD_TRACE_LOADED_OBJECTS=1 LD_WARN=yes LD_BIND_NOW=yes qemu-aarch64-static -L "$1" \
      "$1/lib/ld-linux-aarch64.so.1" --library-path "$1/check:$1/lib/aarch64-linux-gnu" "$1$2"
  fi
}
failed=0
for arch in x86_64 arm64; do
  if [ "$arch" = x86_64 ]; then at="$root"; from="$bin"; else at="$arm_root"; from="$bin/linux-arm64"; fi
  check="$at/check"
  rm -rf "$check"
  mkdir -p "$check"
  cp "$from"/*.linux.*."$arch".so "$from"/libsteam_api.so "$check/"
  for lib in "$check"/*.linux.*.so; do
    name=$(basename "$lib")
    out=$(ldd_r "$at" "/check/$name" 2>&1) || true
    if grep -qE 'not found|undefined symbol|version .* not found' <<<"$out" || ! grep -q '=>' <<<"$out"; then
      echo "$out" >&2
      echo "[old-glibc] FAILED: $name does not load on $glibc ($arch)" >&2
      failed=1
    else
      echo "[old-glibc] $name: every library and symbol resolved on $glibc, $arch ($(grep -c '=>' <<<"$out") libraries)" >&2
    fi
  done
  rm -rf "$check"
done
exit "$failed"
