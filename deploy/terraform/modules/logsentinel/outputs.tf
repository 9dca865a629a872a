output "namespace" {
  description = "Namespace of the release."
  value       = kubernetes_namespace_v1.logsentinel.metadata[0].name
}

output "url" {
  description = "Where the web UI and APIs answer."
  value       = "${var.cert_manager ? "https" : "http"}://${var.ingress_host}"
}

output "admin_token" {
  description = "The admin API token (scope admin, every tenant)."
  value       = kubernetes_secret_v1.credentials.data["admin-token"]
  sensitive   = true
}

output "credentials_secret" {
  description = "Name of the Secret holding every credential."
  value       = kubernetes_secret_v1.credentials.metadata[0].name
}
