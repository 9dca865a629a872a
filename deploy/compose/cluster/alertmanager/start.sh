#!/bin/sh
# Alertmanager's configuration cannot read the environment, so the receivers are written here from
# ALERT_WEBHOOK_URL (Alertmanager's webhook format) and SLACK_WEBHOOK_URL (+ SLACK_CHANNEL) before
# Alertmanager starts; with neither, alerts are kept and shown in Alertmanager's UI only. The file
# lands in the data volume (readable by Alertmanager's user only), never in the image or the logs.
set -eu
config=/alertmanager/alertmanager.yml
umask 077
{
  echo 'route:'
  echo '  receiver: default'
  echo '  group_by: [alertname, service]'
  echo '  group_wait: 10s'
  echo '  group_interval: 1m'
  echo '  repeat_interval: 4h'
  echo 'receivers:'
  echo '  - name: default'
  if [ -n "${ALERT_WEBHOOK_URL:-}" ]; then
    echo '    webhook_configs:'
    echo "      - url: \"${ALERT_WEBHOOK_URL}\""
    echo '        send_resolved: true'
  fi
  if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
    echo '    slack_configs:'
    echo "      - api_url: \"${SLACK_WEBHOOK_URL}\""
    echo "        channel: \"${SLACK_CHANNEL:-#alerts}\""
    echo '        send_resolved: true'
    echo '        title: "{{ .CommonLabels.alertname }} ({{ .Status }})"'
    echo '        text: "{{ range .Alerts }}{{ .Annotations.summary }} {{ .Labels.service }}\n{{ end }}"'
  fi
} >"$config"
echo "alertmanager: receivers: webhook $([ -n "${ALERT_WEBHOOK_URL:-}" ] && echo on || echo off), slack $([ -n "${SLACK_WEBHOOK_URL:-}" ] && echo on || echo off)"
exec /bin/alertmanager --config.file="$config" --storage.path=/alertmanager "$@"
