#!/usr/bin/env bash
# Prints the Debian archive debootstrap takes roots from: DEBIAN_MIRROR, else the one this machine's
# apt sources name (deb822 or one-line form); nothing when there is none. Used by
# scripts/lib/provision-godot.sh (the sid root) and scripts/test-old-glibc.sh (the bullseye root).
set -euo pipefail
if [ -n "${DEBIAN_MIRROR:-}" ]; then
  echo "$DEBIAN_MIRROR"
  exit 0
fi
{ grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
  grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
} | grep -E '/debian/?$' | head -n1 || true
