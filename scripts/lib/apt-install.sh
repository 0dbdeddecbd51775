#!/usr/bin/env bash
# Installs Debian packages the provision scripts found missing: with apt-get when run as root,
# otherwise names them and fails. Nothing to do without packages.
# Usage: scripts/lib/apt-install.sh [--no-recommends] <package>...
set -euo pipefail
options=()
if [ "${1:-}" = --no-recommends ]; then options+=(--no-install-recommends); shift; fi
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "[provision] missing: $*. Install them (sudo apt-get install $*) or run this as root" >&2
  exit 1
fi
echo "[provision] apt-get install $*" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${options[@]}" "$@" >&2
