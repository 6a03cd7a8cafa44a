# OAuth consent for a vendor's app: a mail relay service (Northwind Mail Relay, a multi-tenant
# app registered in the vendor's own tenant) sends as two of our mailboxes with SMTP AUTH and
# OAuth (XOAUTH2) instead of passwords.
#
# The vendor's setup guide asks an administrator to open a consent link and accept SMTP.Send
# and offline_access. This configuration gives the same consent, tenant-wide, reviewably, and
# enables SMTP AUTH on exactly the mailboxes that send: OAuth SMTP still needs SMTP AUTH on.
#
#   exoform plan --sim
#   exoform apply --sim

exoform {
  workspace = "mail-relay"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type    = string
  default = "contoso.onmicrosoft.com"
}

variable "vendor_app_id" {
  type        = string
  description = "The application (client) id from the vendor's setup guide."
  default     = "5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13"
}

variable "sending_mailboxes" {
  type        = set(string)
  description = "The mailboxes the relay signs in as."
  default     = ["support@contoso.com", "alexw@contoso.com"]
}

resource "entra_service_principal" "relay" {
  app_id = var.vendor_app_id

  # SMTP.Send on Exchange Online: the token the relay presents to smtp.office365.com is for
  # Exchange (https://outlook.office.com/SMTP.Send). Graph has a scope of the same name with
  # another id, which Exchange does not accept.
  api_permission {
    api    = "Office 365 Exchange Online"
    scopes = ["SMTP.Send"]
  }

  # offline_access lets the relay keep a refresh token, so nobody has to sign in again.
  api_permission {
    api    = "Microsoft Graph"
    scopes = ["offline_access"]
  }

  admin_consent = true
}

resource "exchange_cas_mailbox" "senders" {
  for_each                            = var.sending_mailboxes
  identity                            = each.value
  smtp_client_authentication_disabled = false
}

output "vendor_app" {
  description = "The app consented to, as this tenant knows it."
  value       = entra_service_principal.relay.display_name
}
