exoform {
  workspace = "w"
}

resource "exchange_service_principal" "app" {
  app_id    = data.entra_service_principal.graph.app_id
  object_id = "00000000-0000-0000-0000-000000000001"
}
