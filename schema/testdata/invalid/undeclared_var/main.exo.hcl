exoform { workspace = "w" }
resource "test_widget" "a" {
  name = var.nmae
}
variable "name" { default = "x" }
