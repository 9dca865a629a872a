#!/usr/bin/env bash
# Removes what the Compose stacks and scripts/build.sh created: the stacks' containers, networks
# and volumes (all their data!), and the images built from this checkout. Asks first unless -y.
# With --kind: instead, the Kubernetes side (scripts/setup-cluster.sh, deploy.sh, monitoring-setup.sh):
# the Helm release, the namespaces logsentinel and monitoring, and the kind cluster itself.
#
#   scripts/cleanup.sh [-y] [--keep-images] [--keep-data]
#   scripts/cleanup.sh --kind [-y] [--keep-cluster] [--name logsentinel] [--namespace logsentinel]
set -euo pipefail
cd "$(dirname "$0")/.."
yes=0 images=1 data=1 kind=0 keep_cluster=0 cluster=logsentinel ns=logsentinel
while [ $# -gt 0 ]; do
  case "$1" in
    -y) yes=1 ;;
    --keep-images) images=0 ;;
    --keep-data) data=0 ;;
    --kind) kind=1 ;;
    --keep-cluster) keep_cluster=1 ;;
    --name) cluster=$2; shift ;;
    --namespace) ns=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cleanup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$kind" = 1 ]; then
  KUBECTL=${KUBECTL:-kubectl} HELM=${HELM:-helm}
  what="the Helm releases and namespaces $ns and monitoring (with their volumes)"
  [ "$keep_cluster" = 0 ] && what="$what, and the kind cluster $cluster"
  if [ "$yes" != 1 ]; then
    read -r -p "Remove $what? [y/N] " answer
    [ "$answer" = y ] || [ "$answer" = Y ] || { echo "nothing removed"; exit 0; }
  fi
  for r in $($HELM list --namespace "$ns" --short 2>/dev/null); do $HELM uninstall "$r" --namespace "$ns" --wait; done
  if $HELM status kube-prometheus-stack --namespace monitoring >/dev/null 2>&1; then $HELM uninstall kube-prometheus-stack --namespace monitoring --wait; fi
  # Helm keeps the backup volume claim (resource-policy keep); the namespace takes it along.
  $KUBECTL delete namespace "$ns" monitoring --ignore-not-found --wait=true
  if [ "$keep_cluster" = 0 ] && kind get clusters 2>/dev/null | grep -qx "$cluster"; then kind delete cluster --name "$cluster"; fi
  exit 0
fi
DOCKER=${DOCKER:-docker}
read -r -a docker_cmd <<<"$DOCKER"
if "${docker_cmd[@]}" compose version >/dev/null 2>&1; then compose=("${docker_cmd[@]}" compose); else compose=(docker-compose); fi
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
    if "${docker_cmd[@]}" image rm "$i" >/dev/null 2>&1; then echo "removed image $i"; fi
  done
fi
