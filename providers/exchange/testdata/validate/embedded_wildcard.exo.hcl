exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "partner" {
  name           = "Partner"
  sender_domains = ["domain.*.contoso.com"]
}
