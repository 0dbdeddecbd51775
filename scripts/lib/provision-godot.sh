#!/usr/bin/env bash
# Finds or provisions a headless-capable Godot 4 and prints the command that runs it.
#
# Order: $GODOT (an existing Godot 4 binary) > `godot4`/`godot` on PATH if it is 4.x >
# a cached Debian sid root with Debian's `godot` package (created on first use, ~1 GB, ~1 min).
# The sid root is used through its own dynamic loader, so no chroot is needed to run it.
#
# With `arm64`: Debian sid's arm64 Godot, run by Debian's qemu-user-static (no binfmt, no chroot),
# for the Linux ARM64 libraries (its root made by scripts/lib/debootstrap-arm64.sh). $GODOT_ARM64 overrides.
#
# Usage: scripts/lib/provision-godot.sh [arm64]
# Output (stdout): the absolute path of an executable that behaves like `godot`.
# Progress and errors go to stderr.
set -euo pipefail

ARCH="${1:-host}"
case "$ARCH" in host|arm64) ;; *) echo "usage: $0 [arm64]" >&2; exit 2 ;; esac
CACHE_DIR="${STEAM_AUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/steam-auth}"
if [ "$ARCH" = arm64 ]; then
  ROOT="$CACHE_DIR/godot-sid-root-arm64"
  WRAPPER="$CACHE_DIR/godot-arm64"
else
  ROOT="$CACHE_DIR/godot-sid-root"
  WRAPPER="$CACHE_DIR/godot"
fi
# Debian's archive as this machine's apt sources name it; DEBIAN_MIRROR overrides.
MIRROR="$("$(dirname "$0")/debian-mirror.sh")"

log() { printf '[godot] %s\n' "$*" >&2; }
die() { printf '[godot] error: %s\n' "$*" >&2; exit 1; }

is_godot4() { "$1" --version 2>/dev/null | head -n1 | grep -q '^4\.'; }

if [ "$ARCH" = arm64 ] && [ -n "${GODOT_ARM64:-}" ]; then
  is_godot4 "$GODOT_ARM64" || die "GODOT_ARM64=$GODOT_ARM64 is not a runnable Godot 4 binary"
  command -v "$GODOT_ARM64"
  exit 0
fi

if [ "$ARCH" = host ] && [ -n "${GODOT:-}" ]; then
  is_godot4 "$GODOT" || die "GODOT=$GODOT is not a runnable Godot 4 binary ('$GODOT --version' must print 4.x)"
  command -v "$GODOT"
  exit 0
fi

for candidate in $([ "$ARCH" = host ] && echo godot4 godot); do
  if command -v "$candidate" >/dev/null 2>&1 && is_godot4 "$(command -v "$candidate")"; then
    command -v "$candidate"
    exit 0
  fi
done

# The wrapper is rewritten on every call (cheap), so changes to it reach cached roots too.
write_wrapper() {
  [ "$ARCH" = arm64 ] && { write_arm64_wrapper; return; }
  local libdir="$ROOT/usr/lib/x86_64-linux-gnu"
  {
    echo '#!/bin/sh'
    echo "# Runs Debian sid's Godot from $ROOT through sid's own loader (no chroot needed)."
    echo '# LD_LIBRARY_PATH comes first, as with the system loader (tests use it to swap libsteam_api).'
    echo "export LIBGL_DRIVERS_PATH=\"$libdir/dri\""
    echo "export __EGL_VENDOR_LIBRARY_DIRS=\"$ROOT/usr/share/glvnd/egl_vendor.d\""
    echo "exec \"$ROOT/usr/lib64/ld-linux-x86-64.so.2\" --library-path \"\${LD_LIBRARY_PATH:+\$LD_LIBRARY_PATH:}$libdir:$libdir/pulseaudio\" \"$ROOT/usr/bin/godot\" \"\$@\""
  } >"$WRAPPER.tmp"
  chmod +x "$WRAPPER.tmp"
  mv "$WRAPPER.tmp" "$WRAPPER"
}

write_arm64_wrapper() {
  local libdir="$ROOT/usr/lib/aarch64-linux-gnu" qemu
  qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
  [ -n "$qemu" ] || return 0
  {
    echo '#!/bin/sh'
    echo "# Runs Debian sid's arm64 Godot from $ROOT under qemu-user, through sid's own arm64 loader."
    echo '# LD_LIBRARY_PATH comes first, as with the system loader.'
    echo "exec \"$qemu\" \"$ROOT/usr/lib/ld-linux-aarch64.so.1\" --library-path \"\${LD_LIBRARY_PATH:+\$LD_LIBRARY_PATH:}$libdir:$libdir/pulseaudio\" \"$ROOT/usr/bin/godot\" \"\$@\""
  } >"$WRAPPER.tmp"
  chmod +x "$WRAPPER.tmp"
  mv "$WRAPPER.tmp" "$WRAPPER"
}

if [ -f "$ROOT/.steam-auth-ready" ]; then
  write_wrapper
  if is_godot4 "$WRAPPER"; then
    echo "$WRAPPER"
    exit 0
  fi
fi

[ "$(id -u)" = 0 ] || die "no Godot 4 found. Set GODOT=/path/to/godot4, or run as root so this script can provision Debian sid's Godot into $ROOT"

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.provision.lock"
flock 9

command -v debootstrap >/dev/null 2>&1 || "$(dirname "$0")/apt-install.sh" debootstrap

if [ "$ARCH" = arm64 ] && [ ! -f "$ROOT/.steam-auth-ready" ]; then
  command -v qemu-aarch64-static >/dev/null 2>&1 || "$(dirname "$0")/apt-install.sh" qemu-user-static
  log "downloading Debian sid's arm64 godot into $ROOT (first run only, about a minute)"
  "$(dirname "$0")/debootstrap-arm64.sh" sid "$ROOT" --include=godot || die "no arm64 root"
  touch "$ROOT/.steam-auth-ready"
fi

if [ ! -f "$ROOT/.steam-auth-ready" ]; then
  [ -n "$MIRROR" ] || die "no Debian archive found in this machine's apt sources; set DEBIAN_MIRROR to one"
  rm -rf "$ROOT"
  log "bootstrapping a minimal Debian sid root in $ROOT (first run only, about a minute)"
  debootstrap --variant=minbase sid "$ROOT" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE_DIR/debootstrap.log)"; }
  log "installing Debian's godot package into the root (about 1 GB)"
  # Mesa's software rasteriser comes along so the demo can also be rendered under Xvfb.
  {
    chroot "$ROOT" apt-get -o Acquire::Check-Valid-Until=false update -qq \
      && chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        godot libgl1-mesa-dri libegl1 libglx-mesa0
  } >"$CACHE_DIR/apt.log" 2>&1 || { tail -n 20 "$CACHE_DIR/apt.log" >&2; die "apt-get in the sid root failed (log: $CACHE_DIR/apt.log)"; }
  chroot "$ROOT" apt-get clean >/dev/null 2>&1 || true
  touch "$ROOT/.steam-auth-ready"
fi

write_wrapper
is_godot4 "$WRAPPER" || die "the provisioned Godot in $ROOT does not run ('$WRAPPER --version' failed)"
log "ready: $("$WRAPPER" --version 2>/dev/null | head -n1)"
echo "$WRAPPER"
