exoform { workspace = "w" }
resource "test_widget" "a" {
  name = "Same"
}
resource "test_widget" "b" {
  name = "same"
}
