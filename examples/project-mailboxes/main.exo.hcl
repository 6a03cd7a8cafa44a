# Project mailboxes for a construction ERP: one shared mailbox per project, Send-As and
# FullAccess for the people who work on it, IMAP on (the ERP reads the mailbox over IMAP), an
# inbox rule copying every message to the folder the ERP imports from, and a transport rule
# that deletes read receipts sent to the project mailboxes.

exoform {
  workspace = "construction-erp"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type    = string
  default = "contoso.onmicrosoft.com"
}

variable "domain" {
  type    = string
  default = "contoso.com"
}

variable "projects" {
  description = "Projects by short name: a display name and the people who send from the mailbox."
  type = map(object({
    display_name = string
    members      = list(string)
  }))
  default = {
    harbor-bridge = {
      display_name = "Project Harbor Bridge"
      members      = ["adele@contoso.com", "alexw@contoso.com"]
    }
    north-tower = {
      display_name = "Project North Tower"
      members      = ["meganb@contoso.com"]
    }
  }
}

locals {
  addresses = { for key, p in var.projects : key => "${key}@${var.domain}" }
}

resource "exchange_shared_mailbox" "project" {
  for_each = var.projects

  name                             = each.value.display_name
  display_name                     = each.value.display_name
  alias                            = each.key
  primary_smtp_address             = local.addresses[each.key]
  message_copy_for_sent_as_enabled = true
}

resource "exchange_mailbox_permissions" "project" {
  for_each = var.projects

  identity    = exchange_shared_mailbox.project[each.key].primary_smtp_address
  full_access = each.value.members
  send_as     = each.value.members
}

resource "exchange_cas_mailbox" "project" {
  for_each = var.projects

  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  imap_enabled = true
  pop_enabled  = false
}

resource "exchange_inbox_rule" "erp_import" {
  for_each = var.projects

  mailbox        = exchange_shared_mailbox.project[each.key].primary_smtp_address
  name           = "Copy to ERP import"
  copy_to_folder = "${local.addresses[each.key]}:\\ERP Import"
}

resource "exchange_transport_rule" "delete_read_receipts" {
  name                 = "Delete read receipts to project mailboxes"
  enabled              = true
  message_type_matches = "ReadReceipt"
  sent_to              = values(local.addresses)
  delete_message       = true
  comments             = "The ERP cannot process read receipts."
}
