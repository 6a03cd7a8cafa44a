exoform {
  workspace = "v"
}

resource "exchange_inbound_connector" "r" {
  name                = "R"
  connector_type      = "OnPremises"
  sender_domains      = ["domain.*.contoso.com"]
  sender_ip_addresses = [
    "203.0.113.10",
    "2001:db8::1",
    "10.0.0.0/16",
  ]
}
