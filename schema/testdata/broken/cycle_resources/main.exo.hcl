exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "a" {
  name           = "A"
  sender_domains = ["contoso.com"]
  comment        = exchange_inbound_connector.b.comment
}

resource "exchange_inbound_connector" "b" {
  name           = "B"
  sender_domains = ["contoso.com"]
  comment        = exchange_inbound_connector.a.comment
}
