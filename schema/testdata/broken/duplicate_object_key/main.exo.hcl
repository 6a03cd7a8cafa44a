exoform {
  workspace = "w"
}

# Two keys "relay": the language would keep only the second, and one connector would be missing.
resource "exchange_inbound_connector" "relay" {
  for_each = {
    relay = "contoso.com"
    relay = "fabrikam.com"
  }
  name           = each.key
  sender_domains = [each.value]
}
