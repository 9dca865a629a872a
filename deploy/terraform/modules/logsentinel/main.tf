# Installs the LogSentinel chart: the namespace (with its Pod Security level), the credentials
# Secret the chart reads through *_FILE (random passwords and admin token unless URLs of your own
# are given), and the Helm release pointed at that Secret. See docs/kubernetes.md.

locals {
  chart      = var.chart_path != "" ? var.chart_path : "${path.module}/../../../helm/logsentinel"
  fullname   = strcontains(var.release_name, "logsentinel") ? var.release_name : "${var.release_name}-logsentinel"
  secret     = "${local.fullname}-credentials"
  cluster    = var.mode == "cluster"
  bundled_db = var.external_database_url == ""
  bundled_rd = var.external_redis_url == ""

  # Chart values (values.schema.json refuses unknown keys; test/helm/terraform.test.ts checks these).
  values = {
    mode = var.mode
    image = {
      repository = var.image.repository
      tag        = var.image.tag
      pullPolicy = var.image.pull_policy
    }
    config = {
      retention = {
        period = var.retention_period
      }
    }
    secrets = {
      existingSecret = local.secret
    }
    alerting = {
      existingSecretHasSlack = var.slack_webhook_url != ""
    }
    postgresql = {
      enabled = local.bundled_db
    }
    redis = {
      enabled = local.bundled_rd
    }
    ingress = {
      host = var.ingress_host
    }
    certManager = {
      enabled = var.cert_manager
    }
    monitoring = {
      serviceMonitor = {
        enabled = var.monitoring
      }
      prometheusRule = {
        enabled = var.monitoring
      }
    }
  }
}

resource "kubernetes_namespace_v1" "logsentinel" {
  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce" = var.pod_security_level
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }
}

resource "random_password" "admin" {
  length  = 32
  special = false
}

resource "random_password" "postgres" {
  length  = 32
  special = false
}

resource "random_password" "redis" {
  length  = 32
  special = false
}

resource "random_string" "token_id" {
  length  = 12
  upper   = false
  special = false
  numeric = false
}

resource "random_password" "token_secret" {
  length  = 43
  special = false
}

resource "kubernetes_secret_v1" "credentials" {
  metadata {
    name      = local.secret
    namespace = kubernetes_namespace_v1.logsentinel.metadata[0].name
  }

  # The keys of the chart's credentials Secret (deploy/helm/logsentinel/README.md).
  data = merge(
    {
      "admin-password" = random_password.admin.result
      "admin-token"    = "lst_${random_string.token_id.result}_${random_password.token_secret.result}"
    },
    local.cluster ? {
      "postgres-password" = random_password.postgres.result
      "postgres-url"      = local.bundled_db ? "postgres://logsentinel:${random_password.postgres.result}@${local.fullname}-postgresql:5432/logsentinel" : var.external_database_url
      "redis-password"    = random_password.redis.result
      "redis-url"         = local.bundled_rd ? "redis://:${random_password.redis.result}@${local.fullname}-redis:6379" : var.external_redis_url
    } : {},
    var.slack_webhook_url != "" ? { "slack-webhook-url" = var.slack_webhook_url } : {},
  )
}

resource "helm_release" "logsentinel" {
  name      = var.release_name
  namespace = kubernetes_namespace_v1.logsentinel.metadata[0].name
  chart     = local.chart
  values    = [yamlencode(local.values), yamlencode(var.extra_values)]
  wait      = true
  timeout   = 900

  depends_on = [kubernetes_secret_v1.credentials]
}
