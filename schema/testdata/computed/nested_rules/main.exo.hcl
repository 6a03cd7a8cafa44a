exoform { workspace = "w" }
resource "test_app" "n" {
  name = "New"
  grant {
    resource = "Graph"
    scope    = "bogus"
    values   = ["Mail.Send", "Mail Send"]
  }
}
resource "test_app" "null_required" {
  name = "NullRequired"
  grant {
    resource = null
  }
}
