exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name                             = "Relay"
  connector_type                   = "OnPremises"
  sender_domains                   = ["*"]
  sender_ip_addresses              = ["203.0.113.10", "198.51.100.0/24"]
  restrict_domains_to_ip_addresses = true
}

resource "exchange_inbound_connector" "partner" {
  name                            = "Partner"
  sender_domains                  = ["fabrikam.com", "*.fabrikam.com"]
  require_tls                     = true
  tls_sender_certificate_name     = "*.fabrikam.com"
  restrict_domains_to_certificate = true
  ef_skip_ips                     = ["192.0.2.1-192.0.2.20", "2001:db8::/48"]
  ef_users                        = ["invoices@contoso.com"]
}
