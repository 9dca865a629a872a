#!/usr/bin/env bash
# Installs Prometheus, Alertmanager and Grafana (the kube-prometheus-stack chart) into the
# namespace `monitoring`, set up for LogSentinel: Prometheus picks up every ServiceMonitor and
# PrometheusRule of the cluster (the chart's have no special labels), Grafana's sidecars load
# dashboards and data sources from ConfigMaps labelled grafana_dashboard / grafana_datasource in
# every namespace, and Grafana reads LOGSENTINEL_TOKEN (for the LogSentinel data source) from the
# Secret monitoring/logsentinel-grafana-token, which scripts/deploy.sh writes.
#
#   scripts/monitoring-setup.sh [--version 66.3.1]
#
# Grafana: kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80
# (user admin, password: kubectl -n monitoring get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)
set -euo pipefail
version=66.3.1
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "monitoring-setup.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
kubectl get namespace monitoring >/dev/null 2>&1 || kubectl create namespace monitoring
helm upgrade --install kube-prometheus-stack prometheus-community/kube-prometheus-stack \
  --namespace monitoring --version "$version" \
  --set prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues=false \
  --set prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false \
  --set prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false \
  --set prometheus.prometheusSpec.scrapeInterval=15s \
  --set grafana.sidecar.dashboards.enabled=true \
  --set grafana.sidecar.dashboards.label=grafana_dashboard \
  --set grafana.sidecar.dashboards.searchNamespace=ALL \
  --set grafana.sidecar.dashboards.folderAnnotation=grafana_folder \
  --set grafana.sidecar.dashboards.provider.foldersFromFilesStructure=true \
  --set grafana.sidecar.datasources.enabled=true \
  --set grafana.sidecar.datasources.label=grafana_datasource \
  --set grafana.sidecar.datasources.searchNamespace=ALL \
  --set grafana.envValueFrom.LOGSENTINEL_TOKEN.secretKeyRef.name=logsentinel-grafana-token \
  --set grafana.envValueFrom.LOGSENTINEL_TOKEN.secretKeyRef.key=token \
  --set grafana.envValueFrom.LOGSENTINEL_TOKEN.secretKeyRef.optional=true \
  --wait --timeout 15m
echo "== monitoring ready; Grafana: kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80"
