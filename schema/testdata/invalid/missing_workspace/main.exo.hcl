resource "test_widget" "a" {
  name = "x"
}
