exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}
