#!/usr/bin/env bash
# Fails if any class or member of the extension lacks a description in the editor's F1 help.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
GODOT_BIN=$(scripts/lib/provision-godot.sh)
dir=$(mktemp -d)
mkdir -p "$dir/godot"
trap 'rm -rf "$dir"' EXIT
"$GODOT_BIN" --headless --path godot_project --doctool "$dir/godot" --gdextension-docs >"$dir/doctool.log" 2>&1 \
  || { cat "$dir/doctool.log" >&2; exit 1; }
STEAM_AUTH_DOCS_OUT="$dir/registered" cargo test -q -p steam-auth-gdext --lib dump_registered_docs >/dev/null
python3 scripts/lib/check-docs.py "$dir/godot" "$dir/registered"
