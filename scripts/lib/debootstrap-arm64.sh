#!/usr/bin/env bash
# Makes a Debian arm64 root on this (amd64) machine, for running arm64 programs under qemu-user:
# debootstrap --foreign only downloads the packages, since their maintainer scripts cannot run
# here; they are unpacked with dpkg-deb. Used by scripts/lib/provision-godot.sh arm64 (sid, Godot)
# and scripts/test-old-glibc.sh (bullseye). The mirror is scripts/lib/debian-mirror.sh's.
# Usage: scripts/lib/debootstrap-arm64.sh <suite> <root> [debootstrap options...]   (log: <root>.log)
set -euo pipefail
suite=$1 root=$2
shift 2
mirror=$("$(dirname "$0")/debian-mirror.sh")
[ -n "$mirror" ] || { echo "[debootstrap] no Debian archive in this machine's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || "$(dirname "$0")/apt-install.sh" debootstrap
rm -rf "$root"
debootstrap --arch=arm64 --foreign --variant=minbase "$@" "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; echo "[debootstrap] failed (log: $root.log)" >&2; exit 1; }
for deb in "$root"/var/cache/apt/archives/*.deb; do
  dpkg-deb -x "$deb" "$root"
done
rm -f "$root"/var/cache/apt/archives/*.deb
