# A legacy application access policy, for a tenant that still has one: an ERP's Graph
# application permissions reach only the mailboxes of one group. New configurations should use
# RBAC for Applications (exchange_management_role_assignment) instead; validate warns here.

exoform {
  workspace = "docs"
}

# The ERP may open only the mailboxes of the "ERP Mailboxes" group.
resource "exchange_application_access_policy" "erp" {
  app_id                = "6a0a0c8e-1111-4222-8333-444455556666"
  policy_scope_group_id = "ERP Mailboxes"
  access_right          = "RestrictAccess"
  description           = "The ERP reads and sends only from the ERP mailboxes."
}
