exoform { workspace = "w" }
resource "test_widget" "a" {
  name = "x"
  nmae = "y"
}
