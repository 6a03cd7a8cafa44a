exoform { workspace = "w" }
variable "s" {
  default   = "secret"
  sensitive = true
}
resource "test_widget" "a" {
  name = "x"
  note = var.s
}
