exoform { workspace = "w" }
resource "test_widget" "a" {
  name = "x"
  tags = ["ok", "not ok"]
}
