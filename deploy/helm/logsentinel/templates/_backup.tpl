{{/* The pod of the backup CronJob and of the restore Job: (list . image schema args) */}}
{{- define "logsentinel.backupPod" -}}
{{- $ := index . 0 -}}
{{- $b := $.Values.backup -}}
{{- $image := index . 1 -}}
{{- $schema := index . 2 -}}
{{- $args := index . 3 -}}
metadata:
  labels:
    {{- include "logsentinel.selectorLabels" (list $ "backup") | nindent 4 }}
  annotations:
    # A run-to-completion job: nothing routes to it and nothing probes it.
    logsentinel.io/no-probes: "a run-to-completion job"
    logsentinel.io/no-prestop: "a run-to-completion job"
spec:
  {{- include "logsentinel.podCommon" $ | nindent 2 }}
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 30
  securityContext:
    {{- include "logsentinel.podSecurityContext" (int $b.image.runAsUser) | nindent 4 }}
  containers:
    - name: backup
      image: {{ $image }}
      imagePullPolicy: IfNotPresent
      command: ["/bin/sh"]
      args: {{ toJson $args }}
      env:
        - name: POSTGRES_URL_FILE
          value: /etc/logsentinel/secrets/postgres-url
        - name: LOGSENTINEL_SCHEMA
          value: {{ $schema | quote }}
        - name: BACKUP_DIR
          value: /backup
        - name: BACKUP_KEEP
          value: {{ $b.keep | quote }}
      resources:
        {{- toYaml $b.resources | nindent 8 }}
      securityContext:
        {{- include "logsentinel.containerSecurityContext" $ | nindent 8 }}
      volumeMounts:
        - name: scripts
          mountPath: /etc/logsentinel/backup
          readOnly: true
        - name: secrets
          mountPath: /etc/logsentinel/secrets
          readOnly: true
        - name: backup
          mountPath: /backup
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: scripts
      configMap:
        name: {{ include "logsentinel.fullname" $ }}-backup
    - name: secrets
      secret:
        secretName: {{ include "logsentinel.secretName" $ }}
        items:
          - key: postgres-url
            path: postgres-url
        defaultMode: 0440
    - name: backup
      persistentVolumeClaim:
        claimName: {{ include "logsentinel.fullname" $ }}-backup
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
{{- end }}
