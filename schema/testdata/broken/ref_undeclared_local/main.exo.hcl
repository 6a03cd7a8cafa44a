exoform {
  workspace = "w"
}

locals {
  domains = ["contoso.com"]
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = local.domain
}
