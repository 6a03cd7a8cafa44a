exoform {
  workspace = "w"
}

resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = false
}

resource "exchange_shared_mailbox" "scanner" {
  primary_smtp_address = "scanner@contoso.com"
  name                 = "Scanner"
  alias                = "scanner"
}

# SMTP AUTH on a licensed mailbox: the mailbox-level warning only.
resource "exchange_cas_mailbox" "helpdesk" {
  identity                            = "helpdesk@contoso.com"
  smtp_client_authentication_disabled = false
}

# SMTP AUTH on the shared mailbox, named by its alias: both warnings.
resource "exchange_cas_mailbox" "scanner" {
  identity                            = "Scanner"
  smtp_client_authentication_disabled = "false"
}

# Disabling is the recommended state: no warning.
resource "exchange_cas_mailbox" "other" {
  identity                            = "other@contoso.com"
  smtp_client_authentication_disabled = true
}
