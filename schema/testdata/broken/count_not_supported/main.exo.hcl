exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  count          = 2
  name           = "Relay"
  sender_domains = ["contoso.com"]
}
