exoform { workspace = "w" }
variable "s" {
  default   = "hunter2"
  sensitive = true
}
resource "test_widget" "a" {
  for_each = toset([var.s])
  name     = "x-${each.key}"
}
