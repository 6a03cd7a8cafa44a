exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = uppercase("relay")
  sender_domains = ["contoso.com"]
}
