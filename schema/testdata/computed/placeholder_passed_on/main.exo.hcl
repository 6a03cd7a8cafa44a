exoform { workspace = "w" }
resource "test_app" "n" { name = "New" }
resource "test_widget" "a" {
  name = "a"
  note = test_app.n.app_id
}
resource "test_widget" "b" {
  name = "b"
  note = upper(test_widget.a.note)
}
resource "test_widget" "c" {
  name = "c"
  tags = ["${test_widget.a.note}-1"]
}
