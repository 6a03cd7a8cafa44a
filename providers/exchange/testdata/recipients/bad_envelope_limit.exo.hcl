exoform {
  workspace = "w"
}

# Get-TransportConfig reports 500; "0500" would show as a change in every plan.
resource "exchange_transport_config" "org" {
  max_recipient_envelope_limit = "0500"
}
