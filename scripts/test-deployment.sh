#!/usr/bin/env bash
# The login server deployed as deploy/ describes it, with the real parts:
# 1. the systemd unit: `systemd-analyze verify`, and its `systemd-analyze security` exposure;
# 2. Debian's nginx with deploy/nginx/steam-login.conf terminating TLS (a CA made here) in front of two
#    instances on one PostgreSQL, --trusted-proxies naming nginx: 60 players at once from distinct
#    loopback addresses all get in, one flooding player is limited while others get in, forged
#    X-Forwarded-For buys nothing through nginx or straight from an untrusted peer;
# 3. SteamLogin in headless Godot logging in and resuming over HTTPS through nginx, trusting the CA
#    through steam/auth/login_ca_file;
# 4. Debian's HAProxy with deploy/haproxy/haproxy.cfg: players through it, and an instance killed
#    taken out of rotation by its health check while logins go on.
# Runs itself under scripts/lib/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  need=()
  command -v nginx >/dev/null 2>&1 || need+=(nginx)
  command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  scripts/lib/apt-install.sh --no-recommends "${need[@]}"
  exec scripts/lib/with-postgres.sh "$0" "$@"
fi

say() { echo "[deployment] $*" >&2; }
cargo build -q -p steam-login-server --bin steam-login-server --example mint_tickets
target_dir="${CARGO_TARGET_DIR:-target}"
server_bin="$PWD/$target_dir/debug/steam-login-server"
work=$(mktemp -d /tmp/steam-login-deployment.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Fails unless `file` holds `from`, then replaces it: the test runs the deploy files as shipped.
substitute() { # <file> <from> <to>
  grep -qF -- "$2" "$1" || { say "FAILED: $1 no longer holds: $2"; exit 1; }
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
open(path, "w").write(text.replace(old, new))
PY
}

wait_for_https() { # <port> <name>: until the proxy answers /healthz with the test CA's certificate
  for _ in $(seq 50); do
    curl -fs --cacert "$work/ca.pem" "https://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  say "FAILED: $2 does not answer on https://127.0.0.1:$1"
  exit 1
}

say "1. the systemd unit"
mkdir -p "$work/systemd"
unit="$work/systemd/steam-login-server.service"
cp deploy/systemd/steam-login-server.service "$unit"
substitute "$unit" "ExecStart=/usr/local/bin/steam-login-server" "ExecStart=$server_bin"
verify=$(systemd-analyze verify "$unit" 2>&1) || { echo "$verify" >&2; say "FAILED: systemd-analyze verify"; exit 1; }
[ -z "$verify" ] || { echo "$verify" >&2; say "FAILED: systemd-analyze verify warned"; exit 1; }
exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 | grep 'Overall exposure level')
say "systemd-analyze verify: clean; security: ${exposure#→ }"
level=$(sed -E 's/.*level for [^:]*: ([0-9.]+).*/\1/' <<<"$exposure")
python3 -c "import sys; sys.exit(0 if float('$level') <= 2.0 else 1)" \
  || { say "FAILED: the unit's exposure rose above 2.0: $exposure"; exit 1; }

say "2. nginx terminating TLS in front of two instances on PostgreSQL"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=deployment test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -out "$work/server.pem" 2>/dev/null \
  -extfile <(printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth")

port_a=${DEPLOY_TEST_PORT_A:-18611} port_b=${DEPLOY_TEST_PORT_B:-18612}
nginx_port=${DEPLOY_TEST_NGINX_PORT:-18643} haproxy_port=${DEPLOY_TEST_HAPROXY_PORT:-18644}
# The default burst (20) with a refill of one login every 10 s instead of every 200 ms: what a flood
# gets through then depends on the burst alone, not on how fast this machine sends it.
start_instance() { # <port> <name>
  "$server_bin" --simulation --listen "127.0.0.1:$1" --database "$TEST_DATABASE_URL" \
    --trusted-proxies 127.0.0.1 --rate-limit 0.1 >"$work/$2.log" 2>&1 &
  pids+=($!)
  eval "pid_$2=$!"
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/$2.log" >&2
  say "FAILED: instance $2 did not become ready"
  exit 1
}
start_instance "$port_a" a
start_instance "$port_b" b

mkdir -p "$work/nginx/logs"
site="$work/nginx/steam-login.conf"
cp deploy/nginx/steam-login.conf "$site"
substitute "$site" "server 127.0.0.1:8080 " "server 127.0.0.1:$port_a "
substitute "$site" "server 127.0.0.1:8081 " "server 127.0.0.1:$port_b "
substitute "$site" "listen 443 ssl;" "listen 127.0.0.1:$nginx_port ssl;"
substitute "$site" "listen [::]:443 ssl;" ""
substitute "$site" "/etc/letsencrypt/live/login.example.com/fullchain.pem" "$work/server.pem"
substitute "$site" "/etc/letsencrypt/live/login.example.com/privkey.pem" "$work/server.key"
cat >"$work/nginx/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx/logs/access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  include $site;
}
CONF
nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/test.log" \
  || { cat "$work/nginx/test.log" >&2; say "FAILED: nginx -t"; exit 1; }
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_for_https "$nginx_port" nginx
say "$(nginx -v 2>&1) on https://127.0.0.1:$nginx_port, instances on $port_a and $port_b"
curl -fsS --cacert "$work/ca.pem" "https://127.0.0.1:$nginx_port/readyz" >/dev/null
metrics_status=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.9 --cacert "$work/ca.pem" "https://127.0.0.1:$nginx_port/metrics")
[ "$metrics_status" = 403 ] || { say "FAILED: /metrics answered $metrics_status to a player through nginx"; exit 1; }

"$target_dir/debug/examples/mint_tickets" 1200 555440 7 >"$work/tickets.txt"
players=(python3 scripts/lib/deployment-players.py --tickets "$work/tickets.txt" --ca "$work/ca.pem")
"${players[@]}" --url "https://127.0.0.1:$nginx_port" crowd 60
"${players[@]}" --url "https://127.0.0.1:$nginx_port" flood
"${players[@]}" --url "http://127.0.0.1:$port_a" forged
grep -q 'client=127.0.0.100' "$work/a.log" "$work/b.log" \
  || { say "FAILED: the instances did not log the player's own address"; exit 1; }

say "3. SteamLogin in headless Godot over HTTPS through nginx"
scripts/build-addon.sh debug 2>"$work/build-addon.log" || { cat "$work/build-addon.log" >&2; exit 1; }
GODOT_BIN=$(scripts/lib/provision-godot.sh)
set +e
godot_out=$(STEAM_AUTH_LOGIN_ENDPOINT="https://127.0.0.1:$nginx_port" DEPLOY_TEST_CA="$work/ca.pem" \
  timeout 120 "$GODOT_BIN" --headless --path godot_project -s res://tests/deployment/login_over_https.gd 2>&1)
godot_status=$?
set -e
echo "$godot_out" | grep -E '^(ok|FAIL) |^https login' >&2 || true
if [ "$godot_status" -ne 0 ] || ! grep -q '^0 failed$' <<<"$godot_out" \
  || grep -qE 'SCRIPT ERROR|^ERROR|leaked|still in use|Program crashed' <<<"$godot_out"; then
  echo "$godot_out" >&2
  say "FAILED: the Godot login over HTTPS (status $godot_status)"
  exit 1
fi

say "4. HAProxy in front of the same instances"
haproxy_dir="$work/haproxy"
mkdir -p "$haproxy_dir"
cat "$work/server.pem" "$work/server.key" >"$haproxy_dir/login.pem"
cfg="$haproxy_dir/haproxy.cfg"
cp deploy/haproxy/haproxy.cfg "$cfg"
substitute "$cfg" "log /dev/log local0" "log stderr format raw local0"
substitute "$cfg" "bind :443 ssl crt /etc/haproxy/certs/login.example.com.pem" "bind 127.0.0.1:$haproxy_port ssl crt $haproxy_dir/login.pem"
substitute "$cfg" "server login1 127.0.0.1:8080 " "server login1 127.0.0.1:$port_a "
substitute "$cfg" "server login2 127.0.0.1:8081 " "server login2 127.0.0.1:$port_b "
haproxy -c -f "$cfg" >/dev/null
haproxy -db -f "$cfg" 2>"$haproxy_dir/haproxy.log" &
pids+=($!)
wait_for_https "$haproxy_port" HAProxy
say "$(haproxy -v | sed -n 1p) on https://127.0.0.1:$haproxy_port"
"${players[@]}" --url "https://127.0.0.1:$haproxy_port" crowd 40
kill "$pid_a"
# Two failed checks a second apart take it out of rotation.
sleep 3
"${players[@]}" --url "https://127.0.0.1:$haproxy_port" crowd 30
grep -q 'login1 is DOWN' "$haproxy_dir/haproxy.log" \
  || { cat "$haproxy_dir/haproxy.log" >&2; say "FAILED: HAProxy did not take the killed instance out"; exit 1; }
say "passed: systemd unit, nginx TLS + two instances on PostgreSQL, Godot over HTTPS, HAProxy failover"
