exoform {
  workspace = "w"
}

resource "exchange_service_principal" "swapped" {
  app_id    = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  object_id = "3F2C1A7E-5B8D-4C6F-9A0E-1D2B3C4D5E6F"
}

resource "exchange_service_principal" "not_guid" {
  app_id    = "Contoso ERP"
  object_id = "8e7d6c5b4a394281"
}

resource "exchange_management_scope" "quoted" {
  name                         = "Quoted"
  recipient_restriction_filter = "\"Department -eq 'Sales'\""
}

resource "exchange_management_scope" "open_quote" {
  name                         = "Open quote"
  recipient_restriction_filter = "Department -eq 'Sales"
}

resource "exchange_management_scope" "parens" {
  name                         = "Parens"
  recipient_restriction_filter = "(Department -eq 'Sales'"
}

resource "exchange_management_scope" "no_operator" {
  name                         = "No operator"
  recipient_restriction_filter = "Department = 'Sales'"
}

resource "exchange_management_role_assignment" "bad_role" {
  name = "Bad role"
  role = "Mail.Send"
  app  = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
}
