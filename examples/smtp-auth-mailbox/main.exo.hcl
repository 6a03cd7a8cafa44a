# SMTP AUTH for one mailbox: a helpdesk product sends mail as support@ with SMTP client
# submission (smtp.office365.com:587), while SMTP AUTH stays off for everyone else.
#
# Exchange decides per mailbox first: a mailbox's own setting (true or false) beats the
# organization's; "inherit" follows Set-TransportConfig. Security defaults block basic
# authentication whatever these say, and Microsoft turns basic SMTP AUTH off by default for
# existing tenants from the end of December 2026 (MC786329): validate warns about both.

exoform {
  workspace = "helpdesk-smtp"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type    = string
  default = "contoso.onmicrosoft.com"
}

variable "sending_mailbox" {
  type        = string
  description = "The licensed mailbox the helpdesk product signs in as (not a shared mailbox)."
  default     = "support@contoso.com"
}

# Off for the organization...
resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = true
}

# ...on for the one mailbox that needs it. The product also reads replies over IMAP.
resource "exchange_cas_mailbox" "support" {
  identity                            = var.sending_mailbox
  smtp_client_authentication_disabled = false
  imap_enabled                        = true
  pop_enabled                         = false
}
