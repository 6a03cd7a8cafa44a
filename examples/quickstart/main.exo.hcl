# Quick start: the inbound connectors an accounting product's setup guide asks for.
#
#   exoform plan --sim        plan against a local simulated tenant
#   exoform apply --sim       apply it there
#
# Against a real tenant, set tenant_id (or AZURE_TENANT_ID) and sign in with the AZURE_*
# variables of an app that holds Exchange.ManageAsApp and the Exchange Administrator role.

exoform {
  workspace = "quickstart"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type        = string
  description = "The tenant's GUID or initial domain."
  default     = "contoso.onmicrosoft.com"
}

variable "relay_addresses" {
  type        = list(string)
  description = "Public IPv4 addresses of the accounting product's outbound mail servers."
  default     = ["203.0.113.10", "203.0.113.11", "198.51.100.0/28"]
}

variable "partners" {
  type        = map(string)
  description = "Partner organizations that send to us over TLS, by short name: their mail domain."
  default = {
    northwind = "northwindtraders.com"
    tailspin  = "tailspintoys.com"
  }
}

locals {
  # The product relays mail for these domains of ours.
  our_domains = ["contoso.com", "billing.contoso.com"]
}

# The relay connector: mail from the product's servers is accepted for our own domains, and
# only from these addresses.
resource "exchange_inbound_connector" "accounting_relay" {
  name                             = "Accounting relay"
  enabled                          = true # declared, so the nightly plan notices if someone turns it off
  connector_type                   = "OnPremises"
  sender_domains                   = local.our_domains
  sender_ip_addresses              = var.relay_addresses
  restrict_domains_to_ip_addresses = true
  require_tls                      = true
  comment                          = "Invoices and reminders sent by the accounting product."
}

# One TLS connector per partner: mail from their domain must arrive over TLS with a certificate
# issued to that domain.
resource "exchange_inbound_connector" "partner" {
  for_each = var.partners

  name                            = "Partner ${each.key}"
  enabled                         = true
  connector_type                  = "Partner"
  sender_domains                  = [each.value, "*.${each.value}"]
  require_tls                     = true
  tls_sender_certificate_name     = "*.${each.value}"
  restrict_domains_to_certificate = true
}

# What the accounting product's administrator needs to know after apply.
output "relay_connector" {
  description = "The connector the product's servers deliver through."
  value       = exchange_inbound_connector.accounting_relay.name
}

output "partner_connectors" {
  value = { for key, c in exchange_inbound_connector.partner : key => c.name }
}
