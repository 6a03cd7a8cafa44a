exoform {
  workspace = "w"
}

resource "exchange_inbound_conector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}
