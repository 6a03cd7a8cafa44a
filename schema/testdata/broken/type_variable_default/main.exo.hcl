exoform {
  workspace = "w"
}

variable "retries" {
  type    = number
  default = "three"
}
