exoform { workspace = "w" }
resource "test_widgit" "a" {
  name = "x"
}
