exoform { workspace = "w" }
resource "test_widget" "a" {
  for_each = ["a", "b"]
  name     = each.key
}
