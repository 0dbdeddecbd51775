# Sourced by the scripts that need the project's login server: `start_login_server <port> <dir>`
# builds it, starts it in simulation mode on 127.0.0.1:<port> with its SQLite file and log in <dir>,
# waits until it answers, and exports STEAM_AUTH_LOGIN_ENDPOINT; LOGIN_SERVER_PID is its process.
# The caller stops it (kill "$LOGIN_SERVER_PID") in its EXIT trap. It takes encrypted app tickets
# of the project's app (555440) under the simulation's public development key, the 32 bytes of
# "steam-auth development key, open", as the simulated Steam makes them by default.
DEVELOPMENT_ENCRYPTED_TICKET_KEY=737465616D2D6175746820646576656C6F706D656E74206B65792C206F70656E
start_login_server() { # <port> <dir> [extra server flags...]
  local port=$1 dir=$2
  shift 2
  cargo build -p steam-login-server --bin steam-login-server >&2
  "${CARGO_TARGET_DIR:-target}/debug/steam-login-server" --simulation --listen "127.0.0.1:$port" --database "$dir/login.db" \
    --encrypted-ticket-key "555440=$DEVELOPMENT_ENCRYPTED_TICKET_KEY" "$@" \
    >"$dir/server.log" 2>&1 &
  LOGIN_SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    if ! kill -0 "$LOGIN_SERVER_PID" 2>/dev/null; then
      cat "$dir/server.log" >&2
      echo "[login-server] did not start" >&2
      return 1
    fi
    sleep 0.1
  done
  export STEAM_AUTH_LOGIN_ENDPOINT="http://127.0.0.1:$port"
}
