exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  for_each       = ["a", "b"]
  name           = each.key
  sender_domains = ["contoso.com"]
}
