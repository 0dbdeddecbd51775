#!/usr/bin/env bash
# Every test: formatting, clippy, the Rust crates, and the headless Godot suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/provision-test-tools.sh
echo "[test] cargo fmt --check" >&2
cargo fmt --all -- --check
echo "[test] cargo clippy" >&2
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p steam-auth-gdext --all-targets --no-default-features -- -D warnings
echo "[test] cargo test" >&2
cargo test --workspace
echo "[test] store suite and two server instances against a real PostgreSQL" >&2
scripts/with-postgres.sh cargo test -p steam-login-server --test store --test multi_instance -- --ignored
echo "[test] headless Godot suite" >&2
scripts/test-godot.sh
echo "[test] the steam backend over the Steamworks flat-API test double" >&2
scripts/test-steam-double.sh
echo "[test] a dedicated server and six players as separate processes (ENet, SteamMultiplayerAuth)" >&2
scripts/test-multiplayer.sh
echo "[test] the addon copied alone into a fresh project" >&2
scripts/test-fresh-project.sh
echo "[test] F1 help documents every class and member" >&2
scripts/check-docs.sh
