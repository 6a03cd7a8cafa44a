exoform {
  workspace = "erp"
}

resource "exchange_service_principal" "erp" {
  app_id       = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  object_id    = "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
  display_name = "Contoso ERP"
}

resource "exchange_management_scope" "erp" {
  name                         = "ERP mailboxes"
  recipient_restriction_filter = "CustomAttribute1 -eq 'erp' -and (Department -ne 'O''Brien (board)')"
}

resource "exchange_management_role_assignment" "send" {
  name                  = "ERP SMTP send as app"
  role                  = "Application SMTP.SendAsApp"
  app                   = exchange_service_principal.erp.app_id
  custom_resource_scope = exchange_management_scope.erp.name
}
