exoform { workspace = "w" }
variable "s" {
  default   = "x"
  sensitive = true
}
output "leak" {
  value = "token-${var.s}"
}
