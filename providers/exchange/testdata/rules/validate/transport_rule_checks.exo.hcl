exoform {
  workspace = "w"
}

resource "exchange_transport_rule" "pairs" {
  name                           = "Pairs"
  set_header_name                = "X-Tag"
  header_contains_words          = ["secret"]
  apply_html_disclaimer_location = "Prepend"
  delete_message                 = true
  set_scl                        = 12
  scl_over                       = -2
  priority                       = 1.5
}

resource "exchange_transport_rule" "drop_all" {
  name           = "Drop everything"
  delete_message = true
  except_if_from = ["ceo@contoso.com"]
}

resource "exchange_transport_rule" "no_action" {
  name                 = "No action"
  message_type_matches = "OOF"
}
