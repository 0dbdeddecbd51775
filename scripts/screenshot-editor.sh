#!/usr/bin/env bash
# Opens a copy of the demo project in the real editor under Xvfb (compatibility renderer on Mesa's
# software rasteriser), shows the F1 help page of `Steam`, and saves docs/editor-help.png.
# Needs: apt-get install xvfb xauth
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-addon.sh debug
GODOT_BIN=$(scripts/lib/provision-godot.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -rL godot_project "$work/project"
rm -rf "$work/project/.godot" "$work/project/tests"
cp -r tools/editor_screenshot "$work/project/addons/editor_screenshot"
printf '\n[editor_plugins]\n\nenabled=PackedStringArray("res://addons/editor_screenshot/plugin.cfg")\n' \
  >>"$work/project/project.godot"
# First open imports the project (and registers the extension); the second shows the editor.
timeout 300 "$GODOT_BIN" --headless --path "$work/project" --import >"$work/import.log" 2>&1 \
  || { cat "$work/import.log" >&2; exit 1; }
EDITOR_SCREENSHOT="$PWD/docs/editor-help.png" timeout 300 \
  xvfb-run -a -s "-screen 0 1600x900x24" "$GODOT_BIN" --editor --path "$work/project" \
  --rendering-driver opengl3 --resolution 1600x900
