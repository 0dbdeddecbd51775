#!/usr/bin/env bash
# Every test: formatting, clippy, the Rust crates, the headless Godot suites, Windows under Wine, the
# release bundle for every platform, and the exported game.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/provision-test-tools.sh
echo "[test] cargo fmt --check" >&2
cargo fmt --all -- --check
echo "[test] no import loop between a crate's modules" >&2
for manifest in rust/*/Cargo.toml rust/testing/*/Cargo.toml; do python3 scripts/check_module_loops.py "$(dirname "$manifest")" >/dev/null; done
echo "[test] cargo clippy" >&2
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p steam-auth-gdext --all-targets --no-default-features -- -D warnings
echo "[test] cargo test" >&2
cargo test --workspace
echo "[test] store suite and two server instances against a real PostgreSQL" >&2
scripts/with-postgres.sh cargo test -p steam-login-server --test server -- --ignored --skip availability::
echo "[test] PostgreSQL stopped, crashed and started under load (a server of its own: the test stops it)" >&2
scripts/with-postgres.sh cargo test -p steam-login-server --test server -- --ignored availability::
echo "[test] headless Godot suite" >&2
scripts/test-godot.sh
echo "[test] the server as deploy/ describes it: systemd unit, nginx TLS and HAProxy before two instances on PostgreSQL, Godot over HTTPS" >&2
scripts/test-deployment.sh
echo "[test] the steam backend over the Steamworks flat-API test double" >&2
scripts/test-steam-double.sh
echo "[test] a dedicated server and six players as separate processes (ENet, SteamMultiplayerAuth)" >&2
scripts/test-multiplayer.sh
echo "[test] the dedicated-server demo (GodotSteam Server style) with two players" >&2
demo_out=$(scripts/demo-multiplayer.sh 2>/dev/null) || { echo "$demo_out" >&2; echo "[test] demo-multiplayer.sh failed" >&2; exit 1; }
for line in 'the server browser shows: "steam-auth demo server" on lobby, 8 players max' \
  "Steam's policy: VAC secure" '2 players verified and greeted; shutting down' 'Welcome to the server, player 76561198000000043!'; do
  grep -qF "$line" <<<"$demo_out" || { echo "$demo_out" >&2; echo "[test] the demo did not print: $line" >&2; exit 1; }
done
echo "[test] the addon copied alone into a fresh project" >&2
scripts/test-fresh-project.sh
echo "[test] F1 help documents every class and member" >&2
scripts/check-docs.sh
echo "[test] Windows: the crates' tests and the addon's DLLs under Wine" >&2
scripts/test-windows.sh
echo "[test] the release bundle: every platform's libraries built and checked, file lists against the .gdextension" >&2
scripts/package.sh
echo "[test] the zip's Linux libraries load on Debian bullseye (glibc 2.31, Steam Linux Runtime 3.0's base)" >&2
scripts/test-old-glibc.sh
echo "[test] the demo exported from a fresh project holding the release zip, run from another folder" >&2
scripts/test-export.sh
