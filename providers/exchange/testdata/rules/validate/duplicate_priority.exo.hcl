exoform {
  workspace = "w"
}

resource "exchange_transport_rule" "a" {
  name                 = "A"
  priority             = 0
  message_type_matches = "OOF"
  delete_message       = true
}

resource "exchange_transport_rule" "b" {
  name                 = "B"
  priority             = 0
  message_type_matches = "ReadReceipt"
  delete_message       = true
}
