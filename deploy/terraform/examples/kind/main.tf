# LogSentinel on the kind cluster of scripts/setup-cluster.sh (cert-manager installed; run
# scripts/monitoring-setup.sh first or set monitoring = false):
#
#   terraform init && terraform apply
#   terraform output -raw admin_token
terraform {
  required_version = ">= 1.5"
}

provider "kubernetes" {
  config_path    = "~/.kube/config"
  config_context = "kind-logsentinel"
}

provider "helm" {
  kubernetes {
    config_path    = "~/.kube/config"
    config_context = "kind-logsentinel"
  }
}

module "logsentinel" {
  source = "../../modules/logsentinel"

  ingress_host     = "logsentinel.localtest.me"
  retention_period = "168h"
  image = {
    repository  = "logsentinel"
    tag         = "latest"
    pull_policy = "Never"
  }
  extra_values = {
    demo = {
      enabled = true
    }
  }
}

output "url" {
  value = module.logsentinel.url
}

output "admin_token" {
  value     = module.logsentinel.admin_token
  sensitive = true
}
