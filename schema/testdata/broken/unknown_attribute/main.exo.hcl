exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  nmae           = "Relay"
  sender_domains = ["contoso.com"]
}
