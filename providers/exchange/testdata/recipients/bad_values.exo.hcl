exoform {
  workspace = "w"
}

resource "exchange_transport_config" "org" {
  journal_message_expiration_days = 9
}

resource "exchange_shared_mailbox" "a" {
  primary_smtp_address = "proj-a@contoso.com"
  name                 = "Project A"
  email_addresses = [
    "project-a@contoso.com",
    "PROJ-A@contoso.com",
  ]
}

resource "exchange_shared_mailbox" "b" {
  primary_smtp_address = "proj-b@contoso.com"
  name                 = "Project B"
  email_addresses = [
    "project-b@contoso.com",
    "proj-b@contoso.onmicrosoft.com",
  ]
}

resource "exchange_mailbox_permissions" "a" {
  identity = "proj-a@contoso.com"
  full_access = [
    "alice@contoso.com",
    "NT AUTHORITY\\SELF",
  ]
}

resource "exchange_cas_mailbox" "a" {
  identity                            = "proj-a@contoso.com"
  smtp_client_authentication_disabled = "null"
}

resource "exchange_inbox_rule" "a" {
  mailbox        = "proj-a@contoso.com"
  name           = "Import\\copy"
  copy_to_folder = "proj-a@contoso.com:\\"
  priority       = 0
}
