exoform {
  workspace = "w"
}

resource "exchange_transport_rule" "bad" {
  name                                = "A rule whose name is much longer than the sixty-four characters allowed"
  mode                                = "Monitor"
  reject_message_enhanced_status_code = "5.7.2"
  reject_message_reason_text          = "${join("", [for i in range(103) : "0123456789"])}"
  message_type_matches                = "readreceipt"
  sender_ip_ranges = [
    "192.0.2.0/24",
    "192.0.2.9-192.0.2.1",
    "192.0.2.1/24",
    "mail.contoso.com",
  ]
  from            = ["alice@contoso.com", "Alice Smith"]
  set_header_name = "X-Bad: header"
  set_header_value = "v"
  comments        = "x [managed-by exoform workspace=w]"
}

resource "exchange_transport_rule" "long_comments" {
  name           = "Long comments"
  delete_message = true
  from_scope     = "NotInOrganization"
  comments       = "${join("", [for i in range(92) : "0123456789"])}"
}
