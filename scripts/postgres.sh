#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for the tests, from
# Debian's postgresql package (scripts/install-test-deps.sh installs it).
#
#   scripts/postgres.sh start DIR   create a cluster in DIR (if new), start it
#                                   on a free loopback port and print its URL
#   scripts/postgres.sh stop DIR    stop it
#
# The cluster trusts every local connection and syncs nothing to disk: it is
# for tests only. initdb refuses to run as root, so as root the cluster
# belongs to the postgres user. Tests find the server through
# ARCA_TEST_DATABASE=URL; scripts/test.sh sets it from this script's output.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  if command -v pg_ctl >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v pg_ctl)")
  else
    echo "PostgreSQL is not installed: run scripts/install-test-deps.sh" >&2
    exit 1
  fi
fi

# as runs a command as the cluster's owner: the postgres user when we are root.
as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

data="$dir/data"
case "$cmd" in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    # A linguistic default collation (ICU's root locale), as on most
    # servers: Arca's tables must not depend on it (every text column
    # is COLLATE "C"), and the paging tests show it if one does.
    as "$bindir/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
      --locale-provider=icu --icu-locale=und >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # fsync off and a small shared_buffers: a test server, started and
  # thrown away; max_connections covers parallel test packages.
  as "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  if [ -f "$data/postmaster.pid" ]; then
    as "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
