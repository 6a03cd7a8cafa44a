exoform {
  workspace = "projects"
}

locals {
  projects = {
    "proj-a" = "Project A"
    "proj-b" = "Project B"
  }
}

resource "exchange_shared_mailbox" "project" {
  for_each             = local.projects
  primary_smtp_address = "${each.key}@contoso.com"
  name                 = each.value
  display_name         = "${each.value} (shared)"
  alias                = each.key
  email_addresses      = ["${each.key}-archive@contoso.com"]

  message_copy_for_sent_as_enabled = true
  grant_send_on_behalf_to          = ["alice@contoso.com"]

  lifecycle {
    allow_destroy = true
  }
}

resource "exchange_mailbox_permissions" "project" {
  for_each     = local.projects
  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  full_access  = ["alice@contoso.com", "bob"]
  auto_mapping = false
  send_as      = ["alice@contoso.com"]
}

resource "exchange_cas_mailbox" "project" {
  for_each     = local.projects
  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  imap_enabled = true
  pop_enabled  = false
}

resource "exchange_inbox_rule" "import" {
  for_each              = local.projects
  mailbox               = exchange_shared_mailbox.project[each.key].primary_smtp_address
  name                  = "Import copy"
  copy_to_folder        = "Inbox\\Import"
  stop_processing_rules = false
}

resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = true
  max_recipient_envelope_limit        = "Unlimited"
}

resource "exchange_organization_config" "org" {
  oauth2_client_profile_enabled = true
}
