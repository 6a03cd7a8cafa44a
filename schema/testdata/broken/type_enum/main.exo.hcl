exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  connector_type = "Cloud"
  sender_domains = ["contoso.com"]
}
