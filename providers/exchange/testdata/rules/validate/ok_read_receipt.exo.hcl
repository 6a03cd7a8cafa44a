exoform {
  workspace = "project-mailboxes"
}

# The design's read-receipt scenario.
resource "exchange_transport_rule" "read_receipts" {
  name                 = "Delete read receipts"
  message_type_matches = "ReadReceipt"
  delete_message       = true
  comments             = "Read receipts to the project mailboxes are noise."
}

resource "exchange_transport_rule" "tag_external" {
  name             = "Tag external mail"
  priority         = 1
  from_scope       = "NotInOrganization"
  sender_ip_ranges = ["192.0.2.0/24", "198.51.100.1-198.51.100.20", "2001:db8::1"]
  set_header_name  = "X-External"
  set_header_value = "yes"
  prepend_subject  = "[EXT] "
  mode             = "enforce"
}
