# The same address as in a.exo.hcl.
resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["fabrikam.com"]
}
