exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}

# A second declaration of the same connector: names compare case-insensitively.
resource "exchange_inbound_connector" "relay_again" {
  name           = "RELAY"
  sender_domains = ["fabrikam.com"]
}
