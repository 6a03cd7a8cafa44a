exoform {
  workspace = "w"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]

  lifecycle {
    prevent_destroy = true
  }

  lifecycle {
    prevent_destroy = false
  }
}
