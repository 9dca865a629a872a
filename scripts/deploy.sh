#!/usr/bin/env bash
# Deploys LogSentinel into the current Kubernetes context (a kind cluster from
# scripts/setup-cluster.sh, or any other), with the Helm chart or the plain manifests.
#
#   scripts/deploy.sh [--mode cluster|single] [--namespace logsentinel] [--release logsentinel]
#                     [--host logsentinel.localtest.me] [--demo] [--collector]
#                     [--image logsentinel:latest] [--no-build] [--manifests] [-f values.yaml]...
#
#   --mode       cluster (default: ingest, process, query, ruler, Redis, PostgreSQL) or single
#   --host       the Ingress host (*.localtest.me resolves to 127.0.0.1, where kind maps 80/443)
#   --demo       also the demo API, its traffic and synthetic log agents (builds the demo image)
#   --collector  also the Fluent Bit collector (the namespace's Pod Security level becomes privileged)
#   --image      the LogSentinel image; on a kind cluster it is built with scripts/build.sh (unless
#                --no-build) and loaded into the nodes with `kind load docker-image`
#   --manifests  apply deploy/kubernetes (kubectl apply -k) instead of installing the chart
#   -f FILE      extra values files for the chart
#
# The chart's cert-manager and Prometheus Operator objects are switched off when their CRDs are
# missing. Environment: KIND_CLUSTER (default logsentinel), HELM (default helm), KUBECTL (default kubectl).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=cluster ns=logsentinel release=logsentinel host=logsentinel.localtest.me demo=0 collector=0
image=logsentinel:latest build=1 manifests=0 values=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --namespace) ns=$2; shift 2 ;;
    --release) release=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --demo) demo=1; shift ;;
    --collector) collector=1; shift ;;
    --image) image=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --manifests) manifests=1; shift ;;
    -f|--values) values+=(-f "$2"); shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$mode" in cluster|single) ;; *) echo "deploy.sh: --mode is cluster or single, not $mode" >&2; exit 2 ;; esac
HELM=${HELM:-helm} KUBECTL=${KUBECTL:-kubectl}
kind_cluster=${KIND_CLUSTER:-logsentinel}
context=$($KUBECTL config current-context)
echo "== deploying LogSentinel ($mode) into $context, namespace $ns"

repo=${image%:*} tag=${image##*:}
if [ "$context" = "kind-$kind_cluster" ]; then
  if [ "$build" = 1 ]; then
    if [ "$demo" = 1 ]; then scripts/build.sh --no-naive --tag "$image" --demo; else scripts/build.sh --no-naive --tag "$image"; fi
  fi
  kind load docker-image --name "$kind_cluster" "$image"
  if [ "$demo" = 1 ]; then kind load docker-image --name "$kind_cluster" logsentinel-demo-api:latest; fi
fi

# The namespace and its Pod Security level (the collector reads host paths: privileged).
level=restricted
if [ "$collector" = 1 ]; then level=privileged; fi
$KUBECTL get namespace "$ns" >/dev/null 2>&1 || $KUBECTL create namespace "$ns"
$KUBECTL label namespace "$ns" --overwrite "pod-security.kubernetes.io/enforce=$level" pod-security.kubernetes.io/warn=restricted

if [ "$manifests" = 1 ]; then
  if [ "$ns" != logsentinel ] || [ "$release" != logsentinel ] || [ "$mode" != cluster ]; then
    echo "deploy.sh: --manifests deploys deploy/kubernetes as rendered: namespace and release logsentinel, mode cluster" >&2
    exit 2
  fi
  deploy/kubernetes/create-secret.sh --namespace "$ns" --release "$release"
  $KUBECTL apply -k deploy/kubernetes
  $KUBECTL -n "$ns" rollout status statefulset/logsentinel-postgresql --timeout=10m
  $KUBECTL -n "$ns" rollout status deployment/logsentinel-query --timeout=10m
else
  args=(upgrade --install "$release" deploy/helm/logsentinel --namespace "$ns"
    --set "mode=$mode" --set "image.repository=$repo" --set "image.tag=$tag" --set "ingress.host=$host")
  if [ "$context" = "kind-$kind_cluster" ]; then args+=(--set image.pullPolicy=Never); fi
  if ! $KUBECTL get crd certificates.cert-manager.io >/dev/null 2>&1; then
    echo "== cert-manager is not installed: no Certificate, plain HTTP"
    args+=(--set certManager.enabled=false --set ingress.tls.enabled=false)
  fi
  if ! $KUBECTL get crd servicemonitors.monitoring.coreos.com >/dev/null 2>&1; then
    echo "== the Prometheus Operator is not installed: no ServiceMonitors or PrometheusRule"
    args+=(--set monitoring.serviceMonitor.enabled=false --set monitoring.prometheusRule.enabled=false)
  fi
  if [ "$demo" = 1 ]; then args+=(--set demo.enabled=true); fi
  if [ "$collector" = 1 ]; then args+=(--set collector.enabled=true); fi
  $HELM "${args[@]}" ${values[@]+"${values[@]}"} --wait --timeout 15m
fi

secret=$release-credentials
if [ "$manifests" = 0 ]; then secret=$($KUBECTL -n "$ns" get secret -l "app.kubernetes.io/instance=$release" -o name | grep -- '-credentials$' | head -1 | sed 's#^secret/##'); fi
# Grafana (scripts/monitoring-setup.sh) sends the admin token to LogSentinel's data source.
if $KUBECTL get namespace monitoring >/dev/null 2>&1; then
  token=$($KUBECTL -n "$ns" get secret "$secret" -o jsonpath='{.data.admin-token}' | base64 -d)
  $KUBECTL -n monitoring create secret generic logsentinel-grafana-token --from-literal=token="$token" \
    --dry-run=client -o yaml | $KUBECTL apply -f - >/dev/null
  echo "== Grafana's LogSentinel data source uses the admin token (monitoring/logsentinel-grafana-token)"
fi
echo "== LogSentinel: https://$host (self-signed certificate) — admin token:"
echo "   $KUBECTL -n $ns get secret $secret -o jsonpath='{.data.admin-token}' | base64 -d"
