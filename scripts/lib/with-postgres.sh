#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback; TEST_DATABASE_URL names it, and
# TEST_POSTGRES_CONTROL a script that stops it (`stop`: a fast shutdown), crashes it (`crash`: an
# immediate shutdown, recovered at the next start) or starts it again (`start`) on the same port.
# Usage: scripts/lib/with-postgres.sh <command...>
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$bindir" ] || { echo "[postgres] PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
dir=$(mktemp -d /tmp/steam-auth-pg.XXXXXX)
# Below Linux's ephemeral range (32768-60999): a client socket of an earlier test lingering in
# TIME_WAIT on the port would make the bind fail. A few candidates, in case one is taken anyway.
ports=${PGPORT_TEST:-25432 25433 25434 25435}
run_as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U steam >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
started=""
for port in $ports; do
  if "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null; then
    started=$port
    break
  fi
done
[ -n "$started" ] || { cat "$dir/server.log" >&2; exit 1; }
port=$started
export TEST_DATABASE_URL="postgres://steam@127.0.0.1:$port/postgres"
export TEST_POSTGRES_CONTROL="$dir/control"
cat >"$TEST_POSTGRES_CONTROL" <<CONTROL
#!/usr/bin/env bash
set -euo pipefail
case "\${1:-}" in
  stop) ${run_as[*]} "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  crash) ${run_as[*]} "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ;;
  start) ${run_as[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null ;;
  *) echo "usage: \$0 stop|crash|start" >&2; exit 2 ;;
esac
CONTROL
chmod 755 "$TEST_POSTGRES_CONTROL"
echo "[postgres] $("$bindir/postgres" --version) on 127.0.0.1:$port" >&2
"$@"
