{{/*
Names, labels and the pieces every LogSentinel workload shares: the restricted security context,
the container (image, env, probes, preStop, volumes), spreading over nodes.
*/}}

{{- define "logsentinel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "logsentinel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "logsentinel.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "logsentinel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: logsentinel
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component: include "logsentinel.componentLabels" (list . "ingest") */}}
{{- define "logsentinel.componentLabels" -}}
{{ include "logsentinel.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "logsentinel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "logsentinel.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "logsentinel.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "logsentinel.secretName" -}}
{{- default (printf "%s-credentials" (include "logsentinel.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "logsentinel.serviceAccountName" -}}
{{- include "logsentinel.fullname" . -}}
{{- end -}}

{{/* The restricted Pod Security profile, pod level: include "logsentinel.podSecurityContext" 10001 */}}
{{- define "logsentinel.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The restricted Pod Security profile, container level. */}}
{{- define "logsentinel.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Spread the pods of one component over nodes: include "logsentinel.topologySpread" (list . "ingest") */}}
{{- define "logsentinel.topologySpread" -}}
{{- $ := index . 0 -}}
{{- if $.Values.topologySpread.enabled }}
topologySpreadConstraints:
  - maxSkew: {{ $.Values.topologySpread.maxSkew }}
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "logsentinel.selectorLabels" . | nindent 8 }}
{{- end }}
{{- end -}}

{{/* Scheduling and identity shared by every pod of the chart. */}}
{{- define "logsentinel.podCommon" -}}
serviceAccountName: {{ include "logsentinel.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* Annotations that roll pods when their configuration changes. */}}
{{- define "logsentinel.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The LogSentinel container of a role: include "logsentinel.container" (list . "ingest" "ingest").
Arguments: the root context, the component name, the command (serve, ingest, process, ...).
Secrets are files under /etc/logsentinel/secrets read through the *_FILE variables; nothing
secret is in the environment or the ConfigMap.
*/}}
{{- define "logsentinel.container" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $command := index . 2 -}}
{{- $resources := index . 3 -}}
{{- $cluster := ne $command "serve" -}}
- name: logsentinel
  image: {{ include "logsentinel.image" $ }}
  imagePullPolicy: {{ $.Values.image.pullPolicy }}
  args: [{{ $command | quote }}]
  ports:
    - name: http
      containerPort: 3100
      protocol: TCP
  env:
    - name: LOGSENTINEL_CONFIG
      value: /etc/logsentinel/config/logsentinel.yaml
    - name: LOGSENTINEL_SERVER_HOST
      value: 0.0.0.0
    - name: LOGSENTINEL_SERVER_PORT
      value: "3100"
    - name: LOGSENTINEL_DATA_DIR
      value: /var/lib/logsentinel
    - name: LOGSENTINEL_SERVER_SHUTDOWN_TIMEOUT
      value: {{ printf "%ds" (int $.Values.shutdown.timeoutSeconds) | quote }}
    - name: LOGSENTINEL_AUTH_ENABLED
      value: {{ $.Values.auth.enabled | quote }}
    - name: LOGSENTINEL_AUTH_ADMIN_PASSWORD_FILE
      value: /etc/logsentinel/secrets/admin-password
    - name: LOGSENTINEL_AUTH_ADMIN_TOKEN_FILE
      value: /etc/logsentinel/secrets/admin-token
    {{- if $cluster }}
    - name: LOGSENTINEL_STORAGE_POSTGRES_URL_FILE
      value: /etc/logsentinel/secrets/postgres-url
    - name: LOGSENTINEL_QUEUE_REDIS_URL_FILE
      value: /etc/logsentinel/secrets/redis-url
    {{- end }}
    {{- if eq $command "process" }}
    # The pod's stable name is its consumer name: a restarted processor resumes its own pending entries.
    - name: LOGSENTINEL_QUEUE_REDIS_CONSUMER_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- end }}
    {{- if or $.Values.alerting.slackWebhookUrl $.Values.alerting.existingSecretHasSlack }}
    - name: LOGSENTINEL_ALERTING_SLACK_WEBHOOK_URL_FILE
      value: /etc/logsentinel/secrets/slack-webhook-url
    {{- end }}
    {{- if or $.Values.alerting.webhookUrls $.Values.alerting.existingSecretHasWebhooks }}
    - name: LOGSENTINEL_ALERTING_WEBHOOK_URLS_FILE
      value: /etc/logsentinel/secrets/webhook-urls
    {{- end }}
  resources:
    {{- toYaml $resources | nindent 4 }}
  startupProbe:
    httpGet:
      path: /health/liveness
      port: http
    periodSeconds: {{ $.Values.probes.startup.periodSeconds }}
    failureThreshold: {{ $.Values.probes.startup.failureThreshold }}
  livenessProbe:
    httpGet:
      path: /health/liveness
      port: http
    periodSeconds: {{ $.Values.probes.liveness.periodSeconds }}
    failureThreshold: {{ $.Values.probes.liveness.failureThreshold }}
    timeoutSeconds: 3
  readinessProbe:
    httpGet:
      path: /health/readiness
      port: http
    periodSeconds: {{ $.Values.probes.readiness.periodSeconds }}
    failureThreshold: {{ $.Values.probes.readiness.failureThreshold }}
    timeoutSeconds: 3
  lifecycle:
    preStop:
      exec:
        # Keep serving while endpoints and the ingress controller drop this pod; SIGTERM follows.
        command: ["sleep", {{ $.Values.shutdown.preStopSleepSeconds | toString | quote }}]
  securityContext:
    {{- include "logsentinel.containerSecurityContext" $ | nindent 4 }}
  volumeMounts:
    - name: config
      mountPath: /etc/logsentinel/config
      readOnly: true
    - name: secrets
      mountPath: /etc/logsentinel/secrets
      readOnly: true
    - name: data
      mountPath: /var/lib/logsentinel
    - name: tmp
      mountPath: /tmp
{{- end -}}

{{/* Volumes of a LogSentinel pod, except `data` when it is a volume claim template. */}}
{{- define "logsentinel.volumes" -}}
{{- $ := index . 0 -}}
{{- $emptyData := index . 1 -}}
- name: config
  configMap:
    name: {{ include "logsentinel.fullname" $ }}-config
- name: secrets
  secret:
    secretName: {{ include "logsentinel.secretName" $ }}
    defaultMode: 0440
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if $emptyData }}
- name: data
  emptyDir:
    sizeLimit: 1Gi
{{- end }}
{{- end -}}

{{/* Checks the values the schema cannot: the grace period covers the drain. */}}
{{- define "logsentinel.validate" -}}
{{- $s := .Values.shutdown -}}
{{- if le (int $s.terminationGracePeriodSeconds) (add $s.preStopSleepSeconds $s.timeoutSeconds | int) -}}
{{- fail (printf "cannot render logsentinel: shutdown.terminationGracePeriodSeconds (%d) must be longer than preStopSleepSeconds + timeoutSeconds (%d)" (int $s.terminationGracePeriodSeconds) (add $s.preStopSleepSeconds $s.timeoutSeconds | int)) -}}
{{- end -}}
{{- if eq .Values.mode "cluster" -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.externalDatabase.url) (not .Values.secrets.existingSecret) -}}
{{- fail "cannot render logsentinel: postgresql.enabled is false, so set externalDatabase.url (or secrets.existingSecret with a postgres-url key)" -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) (not .Values.secrets.existingSecret) -}}
{{- fail "cannot render logsentinel: redis.enabled is false, so set externalRedis.url (or secrets.existingSecret with a redis-url key)" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.backup.restore.enabled (not .Values.backup.restore.file) -}}
{{- fail "cannot render logsentinel: backup.restore.enabled needs backup.restore.file (a dump on the backup volume)" -}}
{{- end -}}
{{- end -}}

{{- define "logsentinel.postgresHost" -}}
{{- include "logsentinel.fullname" . }}-postgresql
{{- end -}}

{{- define "logsentinel.redisHost" -}}
{{- include "logsentinel.fullname" . }}-redis
{{- end -}}
