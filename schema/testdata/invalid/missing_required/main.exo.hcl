exoform { workspace = "w" }
resource "test_widget" "a" {
  kind = "Small"
}
