exoform { workspace = "w" }
resource "test_widget" "a" {
  name = null
}
