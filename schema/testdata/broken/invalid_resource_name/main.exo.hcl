exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "1relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}
