#!/usr/bin/env bash
# Removes what the Compose stacks and scripts/build.sh created: the stacks' containers, networks
# and volumes (all their data!), and the images built from this checkout. Asks first unless -y.
#
#   scripts/cleanup.sh [-y] [--keep-images] [--keep-data]
set -euo pipefail
cd "$(dirname "$0")/.."
yes=0 images=1 data=1
for a in "$@"; do
  case "$a" in
    -y) yes=1 ;;
    --keep-images) images=0 ;;
    --keep-data) data=0 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cleanup.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
DOCKER=${DOCKER:-docker}
if $DOCKER compose version >/dev/null 2>&1; then compose=($DOCKER compose); else compose=(docker-compose); fi
what="the single-node and cluster stacks' containers and networks"
[ "$data" = 1 ] && what="$what, their volumes (stored logs, Redis, PostgreSQL, Prometheus data)"
[ "$images" = 1 ] && what="$what, and the images logsentinel:latest, logsentinel:naive, logsentinel-demo-api:latest"
if [ "$yes" != 1 ]; then
  read -r -p "Remove $what? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || { echo "nothing removed"; exit 0; }
fi
down=(down --remove-orphans)
[ "$data" = 1 ] && down+=(--volumes)
for stack in deploy/compose/single deploy/compose/cluster; do
  (cd "$stack" && "${compose[@]}" "${down[@]}")
done
if [ "$images" = 1 ]; then
  for i in logsentinel:latest logsentinel:naive logsentinel-demo-api:latest; do
    $DOCKER image rm "$i" 2>/dev/null && echo "removed image $i" || true
  done
fi
