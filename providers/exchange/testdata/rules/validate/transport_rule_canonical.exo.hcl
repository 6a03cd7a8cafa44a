exoform {
  workspace = "w"
}

# Exchange reports sender_ip_ranges in its own spelling and refuses a list value twice
# (case-insensitively), so both are refused here rather than never converging or failing
# at apply.
resource "exchange_transport_rule" "ips" {
  name            = "Partner relay"
  prepend_subject = "[partner] "
  sender_ip_ranges = [
    "2001:DB8::1",
    "192.0.2.1 - 192.0.2.9",
    "2001:db8:0:0::/64",
    "198.51.100.7",
  ]
  except_if_sender_ip_ranges = ["192.0.2.0/24"]
}

resource "exchange_transport_rule" "words" {
  name                                     = "Invoices"
  prepend_subject                          = "[invoice] "
  subject_contains_words                   = ["Invoice", "invoice"]
  subject_or_body_contains_words           = ["Rechnung", "Factura"]
  except_if_subject_or_body_contains_words = ["TEST", "test", "Test"]
  from_address_contains_words              = ["billing", "Billing"]
  header_contains_message_header           = "X-Kind"
  header_contains_words                    = ["invoice", "INVOICE"]
}
