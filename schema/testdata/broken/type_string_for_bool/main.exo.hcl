exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
  enabled        = "maybe"
}
