exoform { workspace = "w" }
variable "n" {
  type    = number
  default = 20
  validation {
    condition     = var.n < 10
    error_message = "n must be below 10."
  }
}
