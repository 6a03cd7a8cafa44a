# The mail baseline an MSP keeps in every customer tenant: one configuration, planned and
# applied once per tenant with that tenant's variables file:
#
#   exoform plan --var-file ../tenants/contoso.exovars.hcl
#
# Everything that differs between tenants is a variable without a default, so a run without
# a tenant's file stops before it reads any tenant.

exoform {
  # One name for every tenant: a workspace's ownership markers only ever meet the objects of
  # the tenant they are in. It must differ from any other configuration that manages the same
  # tenant (the customer's own, say), which is why it names the MSP's baseline.
  workspace = "msp-baseline"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type        = string
  description = "The customer tenant's GUID or initial domain (name.onmicrosoft.com)."
}

variable "mail_domains" {
  type        = list(string)
  description = "The customer's mail domains, as accepted in their tenant."

  validation {
    condition     = length(var.mail_domains) > 0
    error_message = "List at least one of the customer's mail domains."
  }
}

variable "scanner_ips" {
  type        = list(string)
  description = "Public IPv4 addresses of the customer's offices, from which their printers and scanners send mail."

  validation {
    condition     = length(var.scanner_ips) > 0
    error_message = "List at least one office address; without one the scanner connector would accept nothing."
  }
}

variable "trusted_partner_domains" {
  type        = list(string)
  description = "Domains whose mail is not tagged as external."
  default     = []
}

# SMTP AUTH off for the whole organization: nothing in the baseline needs basic authentication.
resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = true
}

# Scan-to-email: the offices' printers send through Exchange Online as the customer's domains,
# from the offices' addresses only.
resource "exchange_inbound_connector" "scanners" {
  name                             = "Office scanners (MSP baseline)"
  enabled                          = true
  connector_type                   = "OnPremises"
  sender_domains                   = var.mail_domains
  sender_ip_addresses              = var.scanner_ips
  restrict_domains_to_ip_addresses = true
  require_tls                      = true
  comment                          = "Scan-to-email from the customer's offices. Managed by the MSP; change it in the MSP's repository."
}

# External mail is marked in the subject, except from partners the customer trusts.
resource "exchange_transport_rule" "external_tag" {
  name                       = "Tag external mail (MSP baseline)"
  from_scope                 = "NotInOrganization"
  sent_to_scope              = "InOrganization"
  except_if_sender_domain_is = var.trusted_partner_domains
  prepend_subject            = "[External] "
  comments                   = "Managed by the MSP; change it in the MSP's repository."
}
