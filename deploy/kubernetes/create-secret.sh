#!/usr/bin/env bash
# Creates the Secret the plain manifests (deploy/kubernetes) read their credentials from, with
# random passwords and a random admin token, unless it exists already. Prints nothing secret;
# read the admin token afterwards with:
#   kubectl -n logsentinel get secret logsentinel-credentials -o jsonpath='{.data.admin-token}' | base64 -d
#
#   deploy/kubernetes/create-secret.sh [--namespace logsentinel] [--release logsentinel]
#
# The keys are the chart's (deploy/helm/logsentinel/README.md, "Configuration and secrets"); the
# URLs name the bundled Redis and PostgreSQL Services <release>-redis and <release>-postgresql.
set -euo pipefail
ns=logsentinel release=logsentinel
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) ns=$2; shift 2 ;;
    --release) release=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "create-secret.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
name=$release-credentials
if kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
  echo "secret $ns/$name exists; left as it is"
  exit 0
fi
rand() { openssl rand -hex "$1"; }
pg=$(rand 24) redis=$(rand 24)
# lst_<12 base32 characters>_<secret>, the token format of docs/specs/auth.md.
token="lst_$(openssl rand -hex 32 | tr -dc 'a-f2-7' | head -c 12)_$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 43)"
kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
kubectl -n "$ns" create secret generic "$name" \
  --from-literal=admin-password="$(rand 24)" \
  --from-literal=admin-token="$token" \
  --from-literal=postgres-password="$pg" \
  --from-literal=postgres-url="postgres://logsentinel:$pg@$release-postgresql:5432/logsentinel" \
  --from-literal=redis-password="$redis" \
  --from-literal=redis-url="redis://:$redis@$release-redis:6379" >/dev/null
echo "created secret $ns/$name"
