exoform { workspace = "w" }
resource "test_widget" "a" {
  for_each = toset(["a", null])
  name     = each.key
}
