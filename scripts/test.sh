#!/usr/bin/env bash
# Every test: formatting, clippy, the Rust crates, the headless Godot suites, Windows under Wine, the
# release bundle for every platform, the exported game, and Linux ARM64 under qemu-user.
#   scripts/test.sh           all of it, as CI runs it (about 50 minutes on 2 cores)
#   scripts/test.sh --quick   the Linux suites most changes touch: formatting, lints, the crates'
#                             tests, the flag table, the headless Godot suite and F1 help
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac
# Each stage's time, printed as a table at the end.
times=()
stage_name=""
stage_started=$(date +%s)
stage() { # <what>: ends the running stage and starts the next
  local now
  now=$(date +%s)
  [ -z "$stage_name" ] || times+=("$(printf '%6d s  %s' $((now - stage_started)) "$stage_name")")
  stage_name=$1
  stage_started=$now
  [ -z "$1" ] || echo "[test] $1" >&2
}
started=$stage_started
stage "provisioning the test tools"
scripts/lib/provision-test-tools.sh
stage "cargo fmt --check"
cargo fmt --all -- --check
stage "no import loop between a crate's modules"
for manifest in rust/*/Cargo.toml rust/testing/*/Cargo.toml; do python3 scripts/lib/check-module-loops.py "$(dirname "$manifest")" >/dev/null; done
stage "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p steam-auth-gdext --all-targets --no-default-features -- -D warnings
stage "cargo test"
cargo test --workspace
stage "the server's flag table in docs/server.md against its --help"
cargo run -q -p steam-login-server -- --help | scripts/lib/check-server-flags.py docs/server.md
if $quick; then
  stage "headless Godot suite"
  scripts/test-godot.sh
  stage "F1 help documents every class and member"
  scripts/check-docs.sh
  stage ""
  echo "[test] the quick stages passed in $(( $(date +%s) - started )) s (scripts/test.sh runs them all):" >&2
  printf '[test] %s\n' "${times[@]}" >&2
  exit 0
fi
stage "store suite and two server instances against a real PostgreSQL"
scripts/lib/with-postgres.sh cargo test -p steam-login-server --test server -- --ignored --skip availability::
stage "PostgreSQL stopped, crashed and started under load (a server of its own: the test stops it)"
scripts/lib/with-postgres.sh cargo test -p steam-login-server --test server -- --ignored availability::
stage "headless Godot suite"
scripts/test-godot.sh
stage "the server as deploy/ describes it: systemd unit, nginx TLS and HAProxy before two instances on PostgreSQL, Godot over HTTPS"
scripts/test-deployment.sh
stage "the steam backend over the Steamworks flat-API test double"
scripts/test-steam-double.sh
stage "a dedicated server and six players as separate processes (ENet, SteamMultiplayerAuth)"
scripts/test-multiplayer.sh
stage "the dedicated-server demo (GodotSteam Server style) with two players"
demo_out=$(scripts/demo-multiplayer.sh 2>/dev/null) || { echo "$demo_out" >&2; echo "[test] demo-multiplayer.sh failed" >&2; exit 1; }
for line in 'the server browser shows: "steam-auth demo server" on lobby, 8 players max' \
  "Steam's policy: VAC secure" '2 players verified and greeted; shutting down' 'Welcome to the server, player 76561198000000043!'; do
  grep -qF "$line" <<<"$demo_out" || { echo "$demo_out" >&2; echo "[test] the demo did not print: $line" >&2; exit 1; }
done
stage "the addon copied alone into a fresh project"
scripts/test-fresh-project.sh
stage "F1 help documents every class and member"
scripts/check-docs.sh
stage "Windows: the crates' tests and the addon's DLLs under Wine"
scripts/test-windows.sh
stage "the release bundle: every platform's libraries built and checked, file lists against the .gdextension"
scripts/package.sh
stage "the zip's Linux libraries, x86_64 and ARM64, load on Debian bullseye (glibc 2.31, Steam Linux Runtime 3.0's base)"
scripts/test-old-glibc.sh
stage "the demo exported from a fresh project holding the release zip, run from another folder"
scripts/test-export.sh
stage "Linux ARM64: the zip's libraries in Debian's arm64 Godot under qemu-user"
scripts/test-linux-arm64.sh
stage ""
echo "[test] every stage passed in $(( $(date +%s) - started )) s:" >&2
printf '[test] %s\n' "${times[@]}" >&2
