exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  connector_type = "OnPremises"
  sender_domains = ["contoso.com"]
  sender_ip_addresses = [
    "203.0.113.0/24",
    "203.0.113.0/33",
    "203.0.113.0/",
  ]
}
