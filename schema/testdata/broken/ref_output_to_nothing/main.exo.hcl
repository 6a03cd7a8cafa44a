exoform {
  workspace = "w"
}

output "relay" {
  value = exchange_inbound_connector.relay.name
}
