#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server and GUANXI_TEST_DATABASE_URL
# pointing at it; the server and its files are removed afterwards.
#   scripts/with-postgres.sh swift test
# PostgreSQL comes from Debian's packages and is installed when missing.
set -euo pipefail

find_bin() {
  command -v "$1" 2>/dev/null && return
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin initdb)" ]; then
  echo "PostgreSQL server not found; installing it from Debian packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
PORT=${GUANXI_TEST_PG_PORT:-55432}
DIR=$(mktemp -d /tmp/guanxi-pg.XXXXXX)
chmod 755 "$DIR"

# initdb refuses to run as root, so the cluster belongs to the postgres system user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$DIR"
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

cleanup() {
  as_pg "'$PG_CTL' -D '$DIR/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# Every test migrates a database of its own in one transaction, many at once: the shared
# lock table (max_locks_per_transaction × max_connections) must hold all their new tables.
as_pg "'$INITDB' -D '$DIR/data' -U guanxi --auth=trust --encoding=UTF8 --locale=C.UTF-8" >/dev/null
as_pg "'$PG_CTL' -D '$DIR/data' -o \"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=500 -c max_locks_per_transaction=1024 -c fsync=off\" -l '$DIR/server.log' -w start" >/dev/null
echo "Throwaway PostgreSQL running on 127.0.0.1:$PORT"
export GUANXI_TEST_DATABASE_URL="postgres://guanxi@127.0.0.1:$PORT/postgres?sslmode=disable"
"$@"
