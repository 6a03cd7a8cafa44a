exoform {
  workspace = "w"
}

locals {
  expires = timeadd("2026-02-30T00:00:00Z", "24h")
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
  comment        = "Until ${local.expires}"
}
