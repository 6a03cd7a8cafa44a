exoform { workspace = "w" }
resource "test_widget" "a" {
  name    = "x"
  enabled = "maybe"
}
