# A data block that looks up Office 365 Exchange Online, to show which application permissions
# it offers before granting one of them.

exoform {
  workspace = "docs"
}

# Office 365 Exchange Online, found by its well-known application id.
data "entra_service_principal" "exchange" {
  app_id = "00000002-0000-0ff1-ce00-000000000000"
}

output "exchange_application_permissions" {
  description = "The application permissions (app roles) Office 365 Exchange Online offers."
  value       = data.entra_service_principal.exchange.app_roles
}
