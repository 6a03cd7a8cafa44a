exoform {
  workspace = "w"
}

locals {
  comment = exchange_inbound_connector.a.name
}

resource "exchange_inbound_connector" "a" {
  name           = "A"
  sender_domains = ["contoso.com"]
  comment        = local.comment
}
