#!/usr/bin/env bash
# Creates a local Kubernetes cluster with kind for LogSentinel: one control-plane node with ports
# 80 and 443 mapped to this machine, ingress-nginx (kind's build of it) and cert-manager.
# Then: scripts/monitoring-setup.sh (optional), scripts/deploy.sh. Remove it all with
# scripts/cleanup.sh --kind.
#
#   scripts/setup-cluster.sh [--name logsentinel] [--http-port 80] [--https-port 443]
#
# Needs docker (or podman with KIND_EXPERIMENTAL_PROVIDER=podman), kind, kubectl and helm.
# Versions: CERT_MANAGER_VERSION (default v1.16.2), INGRESS_NGINX_VERSION (default controller-v1.12.0).
set -euo pipefail
name=logsentinel http=80 https=443
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --http-port) http=$2; shift 2 ;;
    --https-port) https=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-cluster.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
cert_manager=${CERT_MANAGER_VERSION:-v1.16.2}
ingress_nginx=${INGRESS_NGINX_VERSION:-controller-v1.12.0}
for tool in kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "setup-cluster.sh: $tool is not installed" >&2; exit 1; }
done

if kind get clusters 2>/dev/null | grep -qx "$name"; then
  echo "== kind cluster $name exists"
else
  echo "== kind cluster $name (ports $http and $https of this machine go to the ingress controller)"
  kind create cluster --name "$name" --wait 120s --config=- <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    kubeadmConfigPatches:
      - |
        kind: InitConfiguration
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "ingress-ready=true"
    extraPortMappings:
      - containerPort: 80
        hostPort: $http
        protocol: TCP
      - containerPort: 443
        hostPort: $https
        protocol: TCP
YAML
fi
kubectl config use-context "kind-$name" >/dev/null

echo "== ingress-nginx $ingress_nginx"
kubectl apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/$ingress_nginx/deploy/static/provider/kind/deploy.yaml"
kubectl -n ingress-nginx wait --for=condition=Available deployment/ingress-nginx-controller --timeout=300s

echo "== cert-manager $cert_manager"
helm repo add jetstack https://charts.jetstack.io --force-update >/dev/null
helm upgrade --install cert-manager jetstack/cert-manager --namespace cert-manager --create-namespace \
  --version "$cert_manager" --set crds.enabled=true --wait --timeout 10m

echo "== ready: kubectl context kind-$name; next scripts/monitoring-setup.sh (optional) and scripts/deploy.sh"
