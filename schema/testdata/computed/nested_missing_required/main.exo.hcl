exoform { workspace = "w" }
resource "test_app" "n" {
  name = "New"
  grant {
    scope = "Application"
  }
}
