# SMTP relay connectors for an accounting product that sends invoices through the tenant.
#
# Two ways a vendor's guide asks for it: by the product's sending IP addresses, or by the TLS
# certificate of its mail servers. Declare the one your vendor documents (or both, as here).

exoform {
  workspace = "accounting-relay"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type        = string
  description = "The tenant's GUID or initial domain."
  default     = "contoso.onmicrosoft.com"
}

variable "sending_domains" {
  type        = list(string)
  description = "Our domains the product sends as."
  default     = ["contoso.com"]
}

variable "relay_ips" {
  type        = list(string)
  description = "The product's outbound IPv4 addresses or /24../32 ranges, from its setup guide."
  default     = ["203.0.113.25", "203.0.113.26"]

  validation {
    condition     = length(var.relay_ips) > 0
    error_message = "List at least one sending address of the product."
  }
}

variable "relay_certificate_domain" {
  type        = string
  description = "The domain in the subject of the product's TLS certificate."
  default     = "smtp.accounting-vendor.example"
}

# IP-based: the tenant accepts mail for our domains from these addresses only, and treats it
# as coming from our own (on-premises) servers, so it may relay to external recipients.
resource "exchange_inbound_connector" "by_ip" {
  name                             = "Accounting product relay (IP)"
  enabled                          = true
  connector_type                   = "OnPremises"
  sender_domains                   = var.sending_domains
  sender_ip_addresses              = var.relay_ips
  restrict_domains_to_ip_addresses = true
  require_tls                      = true
  comment                          = "Relay for invoices sent by the accounting product."
}

# TLS-based: the product's servers are recognised by their certificate instead of their
# addresses, for vendors whose outbound addresses change.
resource "exchange_inbound_connector" "by_certificate" {
  name                        = "Accounting product relay (TLS)"
  enabled                     = true
  connector_type              = "OnPremises"
  sender_domains              = var.sending_domains
  require_tls                 = true
  tls_sender_certificate_name = var.relay_certificate_domain
  comment                     = "Relay for invoices, identified by the vendor's certificate."
}
