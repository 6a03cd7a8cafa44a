exoform { workspace = "w" }
resource "test_app" "n" { name = "New" }
resource "test_widget" "upper" {
  name = "upper"
  note = upper(test_app.n.app_id)
}
resource "test_widget" "template" {
  name = "template"
  note = "${test_app.n.app_id}-1"
}
resource "test_widget" "in_set" {
  name = "in_set"
  tags = ["x", "id-${test_app.n.app_id}"]
}
resource "test_app" "nested" {
  name = "Nested"
  grant {
    resource = format("api://%s", test_app.n.app_id)
  }
}
