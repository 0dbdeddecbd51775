#!/usr/bin/env bash
# Login server benchmark on loopback: wrk with 64 connections against the release server, which
# asks a fake Steam Web API (0 ms and 50 ms latency), with SQLite and with PostgreSQL; and the cost of
# the server's own TLS per login (simulation, no upstream: plain and TLS, keep-alive and a new
# connection per login).
# Usage: scripts/bench-server.sh [seconds] [rounds]   (needs wrk: apt-get install wrk)
# BENCH_SKIP_TLS=1 skips the TLS rows.
# SERVER_BIN=path measures another build of the server (before/after comparisons);
# BENCH_SKIP_POSTGRES=1 skips the PostgreSQL rounds; BENCH_EXPRESS=1 adds the same endpoint in
# Node/Express (bench/express, needs node and npm) at 0 ms and at 50 ms with independent clients.
# The row sqlite-encrypted(no-upstream) logs in with encrypted app tickets (read offline, no Web API
# call); BENCH_MAX_ENCRYPTED_RPS sizes its pre-minted tickets (default 70000 logins/s).
# A shared VM's speed drifts by tens of percent within minutes, so every configuration runs once per
# round, rounds interleave them, and the summary gives each one's median.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
rounds=${2:-3}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p steam-login-server -p fake-steam-web-api --bin steam-login-server --bin fake-steam-web-api --example mint_tickets >&2
cargo build --release -p steam-login-server --features test-support --example mint_encrypted_tickets >&2
bin=target/release
server_bin=${SERVER_BIN:-$bin/steam-login-server}
if [ -n "${BENCH_EXPRESS:-}" ] && [ ! -d bench/express/node_modules ]; then
  (cd bench/express && npm install --no-audit --no-fund --silent) >&2
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
# A ticket logs in once: every login of a run needs its own. Enough for the warm-up and for the
# measured seconds at up to BENCH_MAX_RPS logins/s (the simulation row passed 60k/s here); SQLite runs
# start on a fresh file, PostgreSQL runs forget the used tickets first. A run that runs out answers
# replays with cheap 401s, which would pass for logins: any error fails the benchmark (see `checked`).
max_rps=${BENCH_MAX_RPS:-80000}
"$bin/examples/mint_tickets" 60000 555440 1 > "$work/warmup.txt"
"$bin/examples/mint_tickets" $((seconds * max_rps)) 555440 2 > "$work/bodies.txt"
# Encrypted app tickets, each around a nonce of a server with this key (the simulation's public
# development key); the row's server takes them for a day, so the pre-minted nonces stay fresh.
encrypted_key=737465616D2D6175746820646576656C6F706D656E74206B65792C206F70656E
max_encrypted_rps=${BENCH_MAX_ENCRYPTED_RPS:-70000}
"$bin/examples/mint_encrypted_tickets" 20000 555440 "$encrypted_key" > "$work/warmup-encrypted.txt"
"$bin/examples/mint_encrypted_tickets" $((seconds * max_encrypted_rps)) 555440 "$encrypted_key" > "$work/bodies-encrypted.txt"
awk 'NR % 2 == 1' "$work/bodies.txt" > "$work/bodies-a.txt"
awk 'NR % 2 == 0' "$work/bodies.txt" > "$work/bodies-b.txt"

forget_used_tickets() { # <database>
  case $1 in postgres*) psql "$1" -qc 'TRUNCATE used_tickets' 2>/dev/null || true ;; esac
}

# TLS=1: the server serves HTTPS itself (the test certificate); NEW_CONNECTION=1: every login on a
# connection of its own (Connection: close), so TLS rows pay a handshake each.
run() { # <latency_ms> <database> <label> [extra server flags]
  local latency=$1 database=$2 label=$3; shift 3
  local scheme=http tls_flags=()
  if [ -n "${TLS:-}" ]; then
    scheme=https
    tls_flags=(--tls-cert rust/steam-login-server/tests/tls/localhost.pem --tls-key rust/steam-login-server/tests/tls/localhost.key)
  fi
  case $database in postgres*) forget_used_tickets "$database" ;; *) rm -f "$database" "$database-wal" "$database-shm" ;; esac
  "$bin/fake-steam-web-api" 18081 "$latency" 2>/dev/null & pids+=($!)
  if [ "$label" = "${label#express}" ]; then
    RUST_LOG=warn "$server_bin" --listen 127.0.0.1:18080 --database "$database" \
      --web-api-key bench-key --steam-api-base http://127.0.0.1:18081 \
      --trust-key rust/steam-ticket/keys/simulation-public-key.pem \
      --rate-limit 0 --daily-quota 1000000000 "${tls_flags[@]}" "$@" >/dev/null & pids+=($!)
  else
    node bench/express/server.js 18080 http://127.0.0.1:18081 bench-key 555440 \
      rust/steam-ticket/keys/simulation-public-key.pem >/dev/null & pids+=($!)
  fi
  for _ in $(seq 100); do curl -kfs "$scheme://127.0.0.1:18080/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  BODIES="${WARMUP_FILE:-$work/warmup.txt}" wrk -t2 -c64 -d2s -s bench/login.lua "$scheme://127.0.0.1:18080/api/v1/auth/provider/steam/login" >/dev/null  # warm-up
  local result cpu_before cpu_after
  cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
  cpu_before="$(cpu "${pids[0]}") $(cpu "${pids[1]}")"
  result=$(BODIES="${BODIES_FILE:-$work/bodies.txt}" wrk -t2 -c64 -d"${seconds}s" --latency -s bench/login.lua \
    "$scheme://127.0.0.1:18080/api/v1/auth/provider/steam/login" | grep '^RESULT')
  cpu_after="$(cpu "${pids[0]}") $(cpu "${pids[1]}")"
  local tck; tck=$(getconf CLK_TCK)
  read -r f0 s0 <<<"$cpu_before"; read -r f1 s1 <<<"$cpu_after"
  local requests=${result#RESULT requests=}; requests=${requests%% *}
  checked "$label upstream=${latency}ms ${result#RESULT } server_us_per_login=$(( (s1 - s0) * 1000000 / tck / requests )) fake_steam_us_per_login=$(( (f1 - f0) * 1000000 / tck / requests ))"
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=()
}

# Prints a result line, and records it in $work/failed if any request got an error status: every
# request of every configuration should succeed, so an error means a rate that is not the one named.
checked() { # <result line>
  echo "$1"
  case $1 in *" errors_status=0 "*) ;; *) echo "$1" >> "$work/failed" ;; esac
}

# The fake alone, asked directly by wrk: the upstream latency a login's overhead is measured against.
upstream_alone() { # <latency_ms> <label>
  "$bin/fake-steam-web-api" 18081 "$1" 2>/dev/null & pids+=($!)
  sleep 0.5
  local ticket; ticket=$(head -1 "$work/warmup.txt" | sed -E 's/.*"token": *"([0-9A-Fa-f]+)".*/\1/')
  local result; result=$(wrk -t2 -c64 -d"${seconds}s" -s bench/upstream.lua \
    "http://127.0.0.1:18081/ISteamUserAuth/AuthenticateUserTicket/v1/?appid=555440&ticket=$ticket" | grep '^RESULT')
  echo "$2 upstream=${1}ms ${result#RESULT }"
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=()
}

# Median of each field per configuration (label and upstream latency) over the rounds; then, for each
# configuration with an upstream latency, its p99 overhead: its median p99 minus the fake alone's, same
# load shape (lock-step, or independent clients).
summary() {
  awk '{
      key = $1 " " $2
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      for (i = 3; i <= NF; i++) { split($i, kv, "="); v[key, kv[1], ++c[key, kv[1]]] = kv[2] }
    }
    function median(key, field,   m, a, i, j, t) {
      m = c[key, field]; if (m == 0) return ""
      for (i = 1; i <= m; i++) a[i] = v[key, field, i] + 0
      for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    END {
      for (i = 1; i <= n; i++) {
        line = order[i] " (median of " c[order[i], "rps"] ")"
        split("rps p50_ms p99_ms server_us_per_login fake_steam_us_per_login server_us_per_request errors_status", fields, " ")
        for (j = 1; j <= 7; j++) { m = median(order[i], fields[j]); if (m != "") line = line " " fields[j] "=" m }
        print line
      }
      for (i = 1; i <= n; i++) {
        split(order[i], lu, " ")
        if (lu[1] ~ /^fake-steam-alone/) continue
        shape = (lu[1] ~ /,independent-clients$/) ? ",independent-clients" : ""
        alone = "fake-steam-alone" shape " " lu[2]  # measured at 50 ms only
        if (!((alone, "p99_ms") in c)) continue
        p99 = median(order[i], "p99_ms"); base = median(alone, "p99_ms")
        printf "p99 overhead: %s = %.2f ms (%s p99 %s ms, fake alone %s ms)\n", order[i], p99 - base,
          (shape == "" ? "lock-step" : "independent clients"), p99, base
      }
      # The speed target: SQLite logins/s over Express, 0 ms upstream. Both run in every round, so
      # each round gives a ratio from the same minutes of the VM; the ratio of medians can mix rounds.
      s = "sqlite upstream=0ms"; e = "express upstream=0ms"; m = c[s, "rps"]
      if (c[e, "rps"] < m) m = c[e, "rps"]
      if (m > 0) {
        list = ""
        for (i = 1; i <= m; i++) {
          v["ratio", "rps", i] = v[s, "rps", i] / v[e, "rps", i]
          list = list sprintf("%s%.1f", (i > 1 ? ", " : ""), v["ratio", "rps", i])
        }
        c["ratio", "rps"] = m
        printf "sqlite/express logins/s at 0 ms: median of rounds %.1fx (rounds: %s), ratio of medians %.1fx\n",
          median("ratio", "rps"), list, median(s, "rps") / median(e, "rps")
      }
    }'
}

# Two instances on one PostgreSQL, each loaded by its own wrk with half the connections (64 in all, as
# every other configuration): the deployment's logins/s and server CPU per login, both instances
# together; latencies are the worse instance's.
two_instances() { # <database> <label>
  local database=$1 label=$2 port
  "$bin/fake-steam-web-api" 18081 0 2>/dev/null & pids+=($!)
  for port in 18080 18090; do
    RUST_LOG=warn "$server_bin" --listen "127.0.0.1:$port" --database "$database" \
      --web-api-key bench-key --steam-api-base http://127.0.0.1:18081 \
      --trust-key rust/steam-ticket/keys/simulation-public-key.pem \
      --rate-limit 0 --daily-quota 1000000000 >/dev/null & pids+=($!)
  done
  for port in 18080 18090; do
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  done
  forget_used_tickets "$database"
  local url=/api/v1/auth/provider/steam/login loads=()
  awk 'NR % 2 == 1' "$work/warmup.txt" > "$work/warmup-a.txt"
  awk 'NR % 2 == 0' "$work/warmup.txt" > "$work/warmup-b.txt"
  for port in 18080 18090; do
    local half=a; [ "$port" = 18090 ] && half=b
    WRK_THREADS=1 BODIES="$work/warmup-$half.txt" wrk -t1 -c32 -d2s -s bench/login.lua "http://127.0.0.1:$port$url" >/dev/null &
    loads+=($!)
  done
  wait "${loads[@]}"; loads=()
  cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
  local before=$(( $(cpu "${pids[1]}") + $(cpu "${pids[2]}") ))
  for port in 18080 18090; do
    local half=a; [ "$port" = 18090 ] && half=b
    WRK_THREADS=1 BODIES="$work/bodies-$half.txt" wrk -t1 -c32 -d"${seconds}s" --latency -s bench/login.lua \
      "http://127.0.0.1:$port$url" | grep '^RESULT' > "$work/two-$port.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  local after=$(( $(cpu "${pids[1]}") + $(cpu "${pids[2]}") ))
  checked "$(awk -v label="$label" -v ticks=$((after - before)) -v tck="$(getconf CLK_TCK)" '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += (kv[1] ~ /_ms$/) ? 0 : kv[2]
        if (kv[1] ~ /_ms$/ && kv[2] > m[kv[1]]) m[kv[1]] = kv[2] } }
    END { printf "%s upstream=0ms requests=%d errors_status=%d rps=%.0f p50_ms=%s p99_ms=%s server_us_per_login=%d\n",
          label, v["requests"], v["errors_status"], v["rps"], m["p50_ms"], m["p99_ms"],
          ticks * 1000000 / tck / v["requests"] }' "$work/two-18080.txt" "$work/two-18090.txt")"
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=()
}

# The paths a live game calls most once its players have sessions: refresh (a saved session renewed,
# no Steam call) and the session check (GET /api/v1/auth/session). Sessions are made by logging in
# first (simulation mode: no upstream); each refresh spends one.
sessions() { # <database> <label>
  local database=$1 label=$2
  case $database in postgres*) forget_used_tickets "$database" ;; *) rm -f "$database" "$database-wal" "$database-shm" ;; esac
  RUST_LOG=warn "$server_bin" --listen 127.0.0.1:18080 --database "$database" --simulation \
    --rate-limit 0 --daily-quota 1000000000 >/dev/null & pids+=($!)
  for _ in $(seq 100); do curl -fs http://127.0.0.1:18080/healthz >/dev/null 2>&1 && break; sleep 0.1; done
  rm -f "$work/tokens.txt".*
  SESSION_MODE=collect BODIES="$work/bodies.txt" TOKENS_OUT="$work/tokens.txt" \
    wrk -t2 -c64 -d"${seconds}s" -s bench/sessions.lua http://127.0.0.1:18080 >/dev/null
  cat "$work/tokens.txt".* > "$work/tokens.txt"
  local mode result before after tck; tck=$(getconf CLK_TCK)
  cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
  # A refresh spends its session: the refresh run lasts as long as the sessions made would last at
  # 1.5 times the check's rate (a refresh costs more than a check), at least a second.
  local duration made check_rps=0
  made=$(wc -l < "$work/tokens.txt")
  for mode in check refresh; do
    duration=$seconds
    if [ "$mode" = refresh ]; then
      duration=$(( made * 2 / (3 * (check_rps > 0 ? check_rps : 1)) ))
      (( duration > seconds )) && duration=$seconds; (( duration < 1 )) && duration=1
    fi
    before=$(cpu "${pids[0]}")
    result=$(SESSION_MODE=$mode TOKENS="$work/tokens.txt" wrk -t2 -c64 -d"${duration}s" --latency \
      -s bench/sessions.lua http://127.0.0.1:18080 | grep '^RESULT')
    after=$(cpu "${pids[0]}")
    local requests=${result#RESULT requests=}; requests=${requests%% *}
    checked "$label-session-$mode upstream=none ${result#RESULT } server_us_per_request=$(( (after - before) * 1000000 / tck / requests )) sessions_made=$made"
    if [ "$mode" = check ]; then check_rps=${result#*rps=}; check_rps=${check_rps%% *}; fi
  done
  kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=()
}

sqlite_round() {
  run 0 "$work/bench.db" sqlite
  run 0 "$work/bench-sim.db" "sqlite-simulation(no-upstream)" --simulation
  WARMUP_FILE="$work/warmup-encrypted.txt" BODIES_FILE="$work/bodies-encrypted.txt" \
    run 0 "$work/bench-encrypted.db" "sqlite-encrypted(no-upstream)" \
    --encrypted-ticket-key "555440=$encrypted_key" --encrypted-ticket-window-secs 86400
  sessions "$work/bench-sessions.db" sqlite
  if [ -z "${BENCH_SKIP_TLS:-}" ]; then
    TLS=1 run 0 "$work/bench-tls.db" "sqlite-simulation,tls" --simulation
    NEW_CONNECTION=1 run 0 "$work/bench-new.db" "sqlite-simulation,new-connection" --simulation
    TLS=1 NEW_CONNECTION=1 run 0 "$work/bench-tls-new.db" "sqlite-simulation,tls-new-connection" --simulation
  fi
  if [ -n "${BENCH_ONLY_SQLITE:-}" ]; then return; fi
  # At 50 ms, two load shapes (see bench/common.lua): lock-step waves, and independent clients that
  # wait a random 0-10 ms between logins. Overhead = the server's latency minus the fake's alone, same
  # shape.
  run 50 "$work/bench50.db" sqlite
  upstream_alone 50 fake-steam-alone
  THINK_MS=10 run 50 "$work/bench50i.db" "sqlite,independent-clients"
  THINK_MS=10 upstream_alone 50 "fake-steam-alone,independent-clients"
  if [ -n "${BENCH_EXPRESS:-}" ]; then
    run 0 "$work/unused.db" express
    THINK_MS=10 run 50 "$work/unused.db" "express,independent-clients"
  fi
}

results="$work/results"
for round in $(seq "$rounds"); do
  echo "# round $round of $rounds" >&2
  sqlite_round | tee -a "$results"
done
if [ -z "${BENCH_ONLY_SQLITE:-}" ] && [ -z "${BENCH_SKIP_POSTGRES:-}" ]; then
  scripts/lib/with-postgres.sh bash -c "
    $(declare -f checked run two_instances sessions forget_used_tickets); bin=$bin; server_bin=$server_bin; work=$work; seconds=$seconds; pids=()
    for round in \$(seq $rounds); do
      run 0 \"\$TEST_DATABASE_URL\" postgres
      two_instances \"\$TEST_DATABASE_URL\" postgres,two-instances
      run 50 \"\$TEST_DATABASE_URL\" postgres
      THINK_MS=10 run 50 \"\$TEST_DATABASE_URL\" postgres,independent-clients
      sessions \"\$TEST_DATABASE_URL\" postgres
    done" | tee -a "$results"
fi
echo "# summary"
summary < "$results"
if [ -s "$work/failed" ]; then
  echo "# FAILED: these runs got error responses, so their rates are not what they name (a run out of" >&2
  echo "# tickets answers replays: raise BENCH_MAX_RPS):" >&2
  cat "$work/failed" >&2
  exit 1
fi
