exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "a" {
  name           = "A"
  sender_domains = ["contoso.com"]
  depends_on     = [exchange_inbound_connector.b]
}

resource "exchange_inbound_connector" "b" {
  name           = "B"
  sender_domains = ["contoso.com"]
  depends_on     = [exchange_inbound_connector.a]
}
