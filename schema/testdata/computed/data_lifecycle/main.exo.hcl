exoform { workspace = "w" }
data "test_principal" "graph" {
  app_id = "00000003-0000-0000-c000-000000000000"
  lifecycle {
    prevent_destroy = true
  }
}
