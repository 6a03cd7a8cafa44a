exoform { workspace = "w" }
resource "test_widget" "w" {
  name = "w"
  note = "⟪Known after apply: test_app.n.app_id⟫"
}
resource "test_widget" "in_set" {
  name = "in_set"
  tags = ["⟪Known after apply: test_app.n.app_id⟫"]
}
