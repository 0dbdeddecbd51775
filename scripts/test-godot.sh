#!/usr/bin/env bash
# Runs the headless GDScript suite (godot_project/tests) against a freshly built addon.
# Fails on any failed test, any error the tests did not announce, SCRIPT ERROR, leaked objects,
# or a crash: Godot itself exits 0 after most of these.
# Usage: scripts/test-godot.sh [filter]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build-addon.sh debug
cargo build -p steam-login-server --bin steam-login-server
GODOT_BIN=$(scripts/provision-godot.sh)
log=$(mktemp)
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$log" "$work"
}
trap cleanup EXIT

# The project's own login server, simulation mode, embedded SQLite, loopback only.
port=${STEAM_AUTH_TEST_PORT:-18480}
target/debug/steam-login-server --simulation --listen "127.0.0.1:$port" --database "$work/login.db" \
  --rate-limit 0 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "[godot-tests] the login server did not start" >&2; exit 1; }
  sleep 0.1
done
export STEAM_AUTH_LOGIN_ENDPOINT="http://127.0.0.1:$port"

echo "[godot-tests] $("$GODOT_BIN" --version | head -n1)" >&2
set +e
timeout 600 "$GODOT_BIN" --headless --path godot_project res://tests/runner.tscn -- "${1:-}" 2>&1 | tee "$log"
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
grep -qE 'Program crashed|double free|corrupted|Segmentation fault' "$log" && problems+=("crash output")

if [ ${#problems[@]} -gt 0 ]; then
  printf '[godot-tests] FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "[godot-tests] passed: $summary; $actual expected ERROR lines" >&2
