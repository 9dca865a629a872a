#!/bin/bash
# The official image's contract, in short: initdb on an empty PGDATA with POSTGRES_USER and
# POSTGRES_PASSWORD (scram-sha-256 over TCP), create POSTGRES_DB, listen on every address.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec gosu postgres "$0" "$@"
fi
if [ "${1:-postgres}" = postgres ]; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?is required, as for the official image}"
    user=${POSTGRES_USER:-postgres}
    db=${POSTGRES_DB:-$user}
    pw=$(mktemp)
    printf '%s' "$POSTGRES_PASSWORD" >"$pw"
    initdb --username="$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pw"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    if [ "$db" != postgres ]; then
      pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
      psql -v ON_ERROR_STOP=1 -q --username "$user" --dbname postgres -c "CREATE DATABASE \"$db\""
      pg_ctl -m fast -w stop >/dev/null
    fi
    echo "standin postgres: initialised $PGDATA (user $user, database $db)"
  fi
  shift || true
  exec postgres "$@"
fi
exec "$@"
