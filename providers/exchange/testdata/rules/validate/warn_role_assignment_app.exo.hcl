exoform {
  workspace = "w"
}

resource "exchange_service_principal" "erp" {
  app_id       = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  object_id    = "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
  display_name = "Contoso ERP"
}

# Literal names of the declared principal: nothing orders the assignment after it.
resource "exchange_management_role_assignment" "by_display_name" {
  name = "ERP send"
  role = "Application Mail.Send"
  app  = "contoso erp"
}

resource "exchange_management_role_assignment" "by_app_id" {
  name = "ERP read"
  role = "Application Mail.Read"
  app  = "3F2C1A7E-5B8D-4C6F-9A0E-1D2B3C4D5E6F"
}

resource "exchange_management_role_assignment" "by_object_id" {
  name = "ERP calendars"
  role = "Application Calendars.Read"
  app  = "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
}

# No warning: a reference, an explicit depends_on, or an app the configuration does not declare.
resource "exchange_management_role_assignment" "by_reference" {
  name = "ERP contacts"
  role = "Application Contacts.Read"
  app  = exchange_service_principal.erp.app_id
}

resource "exchange_management_role_assignment" "depends_on" {
  name       = "ERP settings"
  role       = "Application MailboxSettings.Read"
  app        = "Contoso ERP"
  depends_on = [exchange_service_principal.erp]
}

resource "exchange_management_role_assignment" "other_app" {
  name = "Reporting"
  role = "Application Mail.ReadBasic"
  app  = "Reporting tool"
}
