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

# Another name of the rule's mailbox, of a different kind (alias and address): exoform cannot
# tell at validation, so no warning.
resource "exchange_inbox_rule" "alias_and_address" {
  mailbox        = "support"
  name           = "Archive"
  move_to_folder = "support@contoso.com:\\Archive"
}

resource "exchange_inbox_rule" "address_and_guid" {
  mailbox        = "support@contoso.com"
  name           = "Archive"
  move_to_folder = "0b9d1c6e-0000-4000-8000-000000000001:\\Archive"
}

# Two different aliases: certainly another mailbox.
resource "exchange_inbox_rule" "other_alias" {
  mailbox        = "support"
  name           = "Sales copy"
  copy_to_folder = "sales:\\Inbox\\Support"
}

# The same address in other case: no warning.
resource "exchange_inbox_rule" "same_address" {
  mailbox        = "Support@Contoso.com"
  name           = "Done"
  move_to_folder = "support@contoso.com:\\Inbox\\Done"
}
