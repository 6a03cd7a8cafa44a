exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = null
  sender_domains = ["contoso.com"]
}
