exoform { workspace = "w" }
resource "test_app" "n" { name = "New" }
resource "test_widget" "w" {
  for_each = toset([test_app.n.app_id])
  name     = each.key
}
resource "test_widget" "map" {
  for_each = { (test_app.n.app_id) = "x" }
  name     = each.key
}
