variable "namespace" {
  description = "Namespace LogSentinel is installed in (created by the module)."
  type        = string
  default     = "logsentinel"
}

variable "release_name" {
  description = "Helm release name; resources are named <release>-<component> (or <release>-logsentinel-<component> when the name does not contain logsentinel)."
  type        = string
  default     = "logsentinel"
}

variable "chart_path" {
  description = "Path of the chart (deploy/helm/logsentinel); empty: the chart of this checkout."
  type        = string
  default     = ""
}

variable "mode" {
  description = "single (one StatefulSet, embedded store) or cluster (ingest, process, query, ruler over Redis and PostgreSQL)."
  type        = string
  default     = "cluster"

  validation {
    condition     = contains(["single", "cluster"], var.mode)
    error_message = "mode is single or cluster."
  }
}

variable "image" {
  description = "LogSentinel image repository and tag."
  type = object({
    repository  = string
    tag         = string
    pull_policy = optional(string, "IfNotPresent")
  })
  default = {
    repository = "logsentinel"
    tag        = "0.1.0"
  }
}

variable "ingress_host" {
  description = "Host name of the Ingress."
  type        = string
}

variable "pod_security_level" {
  description = "Pod Security level enforced on the namespace (restricted; privileged when the log collector runs)."
  type        = string
  default     = "restricted"
}

variable "external_database_url" {
  description = "postgres:// URL of your own PostgreSQL; empty: the chart's bundled PostgreSQL."
  type        = string
  default     = ""
  sensitive   = true
}

variable "external_redis_url" {
  description = "redis:// URL of your own Redis; empty: the chart's bundled Redis."
  type        = string
  default     = ""
  sensitive   = true
}

variable "slack_webhook_url" {
  description = "Slack incoming-webhook URL for alerts (optional)."
  type        = string
  default     = ""
  sensitive   = true
}

variable "retention_period" {
  description = "How long log entries are kept (retention.period)."
  type        = string
  default     = "744h"
}

variable "cert_manager" {
  description = "Create the Ingress' Certificate with cert-manager (needs its CRDs)."
  type        = bool
  default     = true
}

variable "monitoring" {
  description = "Create ServiceMonitors and the PrometheusRule (needs the Prometheus Operator's CRDs)."
  type        = bool
  default     = true
}

variable "extra_values" {
  description = "More chart values, merged over the module's (see the chart's README for every value)."
  type        = any
  default     = {}
}
