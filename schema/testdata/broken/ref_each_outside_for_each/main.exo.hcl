exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = each.key
  sender_domains = ["contoso.com"]
}
