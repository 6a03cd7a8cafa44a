exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "partner" {
  name           = "Partner"
  sender_domains = ["contoso.com"]
  comment        = "[managed-by exoform workspace=other]"
}
