exoform {
  workspace = "w"
}

resource "exchange_inbox_rule" "noop" {
  mailbox                = "support@contoso.com"
  name                   = "Invoices"
  subject_contains_words = ["invoice"]
  mark_as_read           = false
}

resource "exchange_inbox_rule" "import" {
  mailbox        = "proj-a@contoso.com"
  name           = "Import copy"
  copy_to_folder = "proj-b@contoso.com:\\Inbox\\Import"
  move_to_folder = "proj-a@contoso.com:\\Inbox\\Done"
}
