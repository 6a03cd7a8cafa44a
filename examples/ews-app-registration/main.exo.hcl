# EWS app registration for a property-management system.
#
# The vendor's setup guide asks for an app registration with the application permissions
# full_access_as_app and Calendars.ReadWrite.All on Office 365 Exchange Online, admin consent,
# a client secret, and (since EWS is blocked by default from October 2026) the app on the
# organization's EWS allow list. This configuration does all of it, and scopes the app to the
# property managers' mailboxes instead of every mailbox in the tenant.
#
#   exoform plan --sim
#   exoform apply --sim

exoform {
  workspace = "property-management"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type    = string
  default = "contoso.onmicrosoft.com"
}

resource "entra_application" "pms" {
  display_name     = "Contoso property management (EWS)"
  sign_in_audience = "AzureADMyOrg"
  notes            = "Used by the property-management system to read and book calendars over EWS."

  api_permission {
    api       = "Office 365 Exchange Online"
    app_roles = ["full_access_as_app", "Calendars.ReadWrite.All"]
  }

  admin_consent = true
}

# The client secret the vendor's program signs in with. Its value is written once, to
# pms-secret.txt (mode 0600), when it is created or rotated; never to plans or logs.
resource "entra_application_password" "pms" {
  application   = entra_application.pms.app_id
  display_name  = "property-management"
  lifetime      = "4380h" # six months
  rotate_before = "720h"  # rotate when less than 30 days are left
  value_file    = "pms-secret.txt"
}

# EWS is allowed only for apps on the organization's allow list.
resource "exchange_organization_config" "ews" {
  ews_enabled         = true
  ews_allowed_app_ids = [entra_application.pms.app_id]
}

# The app may open only the property managers' mailboxes: RBAC for Applications (which
# replaces application access policies) grants EWS access through a management scope.
resource "exchange_service_principal" "pms" {
  app_id       = entra_application.pms.app_id
  object_id    = entra_application.pms.service_principal_id
  display_name = "Contoso property management (EWS)"
}

resource "exchange_management_scope" "property_managers" {
  name                         = "Property managers"
  recipient_restriction_filter = "Department -eq 'Property Management'"
}

resource "exchange_management_role_assignment" "pms_ews" {
  name                  = "Property management EWS"
  role                  = "Application EWS.AccessAsApp"
  app                   = exchange_service_principal.pms.app_id
  custom_resource_scope = exchange_management_scope.property_managers.name
}

output "client_id" {
  description = "The application (client) id to enter in the property-management system."
  value       = entra_application.pms.app_id
}

output "tenant_id" {
  value = var.tenant_id
}
