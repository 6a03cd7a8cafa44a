exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "partner" {
  name           = "Partner"
  connector_type = "Internal"
  sender_domains = ["contoso.com"]
}
