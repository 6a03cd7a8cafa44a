exoform { workspace = "w" }
resource "test_app" "n" {
  name = "New"
  grant {
    resource = "Graph"
    scopes   = ["Mail.Send"]
  }
}
