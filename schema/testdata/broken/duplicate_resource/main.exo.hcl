exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay 2"
  sender_domains = ["contoso.com"]
}
