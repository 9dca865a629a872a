#!/bin/sh
# Restores a dump made by backup.sh: drops LogSentinel's schema and recreates it, with every row,
# from the dump, in one transaction (nothing changes if any statement fails). Stop the writers
# first (scale process, query and ruler to 0); see the chart's README, "Backup and restore".
# test/helm/backup.test.ts runs this very file against a real PostgreSQL.
#
#   restore.sh /backup/logsentinel-20260101T031700Z.dump
#
# Environment: POSTGRES_URL_FILE, LOGSENTINEL_SCHEMA (default logsentinel).
set -eu
file=${1:?usage: restore.sh <dump file>}
url=$(cat "${POSTGRES_URL_FILE:-/etc/logsentinel/secrets/postgres-url}")
schema=${LOGSENTINEL_SCHEMA:-logsentinel}
pg_restore --list "$file" >/dev/null
# pg_restore --single-transaction cannot drop the schema first, so run the dump's SQL through psql
# after the DROP, all inside one transaction.
{
  echo "DROP SCHEMA IF EXISTS \"$schema\" CASCADE;"
  pg_restore --no-owner --no-privileges --file=- "$file"
} | psql --dbname="$url" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --single-transaction >/dev/null
echo "restore: schema $schema restored from $file"
