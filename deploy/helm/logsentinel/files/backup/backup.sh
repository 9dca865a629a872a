#!/bin/sh
# LogSentinel's PostgreSQL backup: pg_dump of LogSentinel's schema in PostgreSQL's custom format
# (compressed, restorable table by table with pg_restore), written under a temporary name, checked
# with pg_restore --list, then renamed; the newest BACKUP_KEEP dumps are kept.
# Run by the chart's backup CronJob; test/helm/backup.test.ts runs this very file against a real
# PostgreSQL.
#
# Environment: POSTGRES_URL_FILE (a file holding postgres://user:password@host:5432/db),
# LOGSENTINEL_SCHEMA (default logsentinel), BACKUP_DIR (default /backup), BACKUP_KEEP (default 7).
set -eu
url=$(cat "${POSTGRES_URL_FILE:-/etc/logsentinel/secrets/postgres-url}")
schema=${LOGSENTINEL_SCHEMA:-logsentinel}
dir=${BACKUP_DIR:-/backup}
keep=${BACKUP_KEEP:-7}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$dir/logsentinel-$stamp.dump"
tmp="$dir/.logsentinel-$stamp.dump.partial"
trap 'rm -f "$tmp"' EXIT
# The TimescaleDB layout keeps entries in hypertable chunks outside the schema (_timescaledb_internal),
# so a dump of the schema alone would hold no entries: refuse rather than write such a dump.
layout=$(psql --dbname="$url" --no-psqlrc -Atc "SELECT value FROM \"$schema\".meta WHERE key = 'layout'" 2>/dev/null || true)
if [ "$layout" = timescaledb ]; then
  echo "backup: cannot back up schema $schema: it uses the TimescaleDB layout, whose chunks are outside the schema; back up the whole database as docs/operations.md describes" >&2
  exit 1
fi
pg_dump --dbname="$url" --schema="$schema" --format=custom --compress=6 --no-owner --no-privileges --file="$tmp"
pg_restore --list "$tmp" >/dev/null
mv "$tmp" "$out"
echo "backup: wrote $out ($(wc -c <"$out") bytes)"
# Oldest first past the newest $keep (the names sort by time).
n=0
for f in $(ls -1 "$dir"/logsentinel-*.dump | sort -r); do
  n=$((n + 1))
  if [ "$n" -gt "$keep" ]; then rm -f "$f" && echo "backup: removed $f"; fi
done
