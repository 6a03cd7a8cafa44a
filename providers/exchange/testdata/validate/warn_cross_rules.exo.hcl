exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name                             = "Relay"
  connector_type                   = "OnPremises"
  sender_domains                   = ["contoso.com"]
  restrict_domains_to_ip_addresses = true
}

resource "exchange_inbound_connector" "partner" {
  name                            = "Partner"
  sender_domains                  = ["contoso.com"]
  restrict_domains_to_certificate = true
}
