#!/usr/bin/env bash
# What scripts/test.sh needs besides Rust and Godot: a C compiler, curl, PostgreSQL's server (the store
# suite runs against a throwaway one) and rustfmt/clippy. Installs what is missing with apt-get when run
# as root, as scripts/lib/provision-godot.sh does for Godot; otherwise names the packages and stops.
set -euo pipefail
need=()
command -v patchelf >/dev/null 2>&1 || need+=(patchelf)
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v curl >/dev/null 2>&1 || need+=(curl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
"$(dirname "$0")/apt-install.sh" "${need[@]}"
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" \
    || rustup component add "$component" >&2 \
    || { echo "[provision] cannot add the $component component (rustup component add $component)" >&2; exit 1; }
done
