exoform { workspace = "w" }
resource "test_widget" "a" {
  name = test_widget.nothing.name
}
