exoform {
  workspace = "w"
}

resource "exchange_service_principal" "app" {
  app_id    = "not-a-guid"
  object_id = "00000000-0000-0000-0000-00000000000g"
}
