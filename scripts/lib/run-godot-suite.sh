#!/usr/bin/env bash
# Runs the GDScript suite (godot_project/tests) with the addon as built, and judges the output:
# fails on any failed test, any error the tests did not announce, SCRIPT ERROR, leaked objects at
# exit, or a crash (Godot itself exits 0 after most of these).
# Usage: scripts/lib/run-godot-suite.sh [filter[,filter...]]   (tests named test_steam_only_* run only with
# STEAM_AUTH_TEST_BACKEND=steam; STEAM_AUTH_TEST_PROJECT names a copy of godot_project to run instead)
set -euo pipefail
cd "$(dirname "$0")/../.."
GODOT_BIN=$(scripts/lib/provision-godot.sh)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "[godot-tests] $("$GODOT_BIN" --version | head -n1), backend ${STEAM_AUTH_TEST_BACKEND:-simulated}" >&2
set +e
timeout 600 "$GODOT_BIN" --headless --path "${STEAM_AUTH_TEST_PROJECT:-godot_project}" res://tests/runner.tscn -- "${1:-}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

problems=()
[ "$status" -eq 0 ] || problems+=("godot exited with status $status")
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 || true)
[ -n "$summary" ] || problems+=("the runner printed no summary (did it crash or hang?)")
case "$summary" in *" 0 failed") ;; *) problems+=("failed tests: $summary") ;; esac
grep -q 'SCRIPT ERROR' "$log" && problems+=("SCRIPT ERROR in the output")
expected=$(sed -n 's/^expected errors: \([0-9]*\)$/\1/p' "$log" | tail -n1)
actual=$(grep -c '^ERROR:' "$log" || true)
[ "$actual" -le "${expected:-0}" ] || problems+=("$actual ERROR lines, but the tests announced only ${expected:-0}")
grep -q 'ObjectDB instances leaked' "$log" && problems+=("ObjectDB instances leaked at exit")
grep -q 'resources still in use at exit' "$log" && problems+=("resources still in use at exit")
grep -qE 'Program crashed|double free|corrupted|Segmentation fault|steam-api-test-double:' "$log" && problems+=("crash output")

if [ ${#problems[@]} -gt 0 ]; then
  printf '[godot-tests] FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "[godot-tests] passed: $summary; $actual expected ERROR lines" >&2
