#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (the fleet case of issue 10):
#   pg-test-cluster.sh start DIR PORT   -> prints the postgres:// URL
#   pg-test-cluster.sh stop DIR
# Installs Debian's postgresql if it is missing. Runs the server as the
# `postgres` system user when called as root (initdb refuses root), on
# 127.0.0.1 only, with its socket and data inside DIR.
set -euo pipefail
cmd="$1"; dir="$2"
bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(bin)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(bin)"
run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    port="$3"
    mkdir -p "$dir"
    # the server runs as postgres: it must reach DIR (mktemp -d makes 0700 parents)
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod a+x "$(dirname "$dir")"; fi
    run "$BIN/initdb" -D "$dir/data" -A trust -U passerelle --no-sync >"$dir/initdb.log" 2>&1
    run "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" start >/dev/null
    echo "postgres://passerelle@127.0.0.1:$port/postgres"
    ;;
  stop)
    run "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
