exoform {
  workspace = "w"
}

resource "exchange_application_access_policy" "by_id" {
  app_id                = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  policy_scope_group_id = "4f1c2b3a-0000-4000-8000-00000000abcd"
  access_right          = "RestrictAccess"
}

resource "exchange_application_access_policy" "by_address" {
  app_id                = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  policy_scope_group_id = "erp-mailboxes@contoso.com"
  access_right          = "Allow"
}
