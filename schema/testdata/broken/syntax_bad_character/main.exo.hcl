exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = @relay
  sender_domains = ["contoso.com"]
}
