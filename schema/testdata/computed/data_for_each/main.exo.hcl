exoform { workspace = "w" }
data "test_principal" "sps" {
  for_each = toset(["a", "b"])
  app_id   = each.key
}
