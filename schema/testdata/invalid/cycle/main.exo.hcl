exoform { workspace = "w" }
resource "test_widget" "a" {
  name = test_widget.b.name
}
resource "test_widget" "b" {
  name = test_widget.a.name
}
