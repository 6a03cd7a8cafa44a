exoform {
  workspace = "w"
}

variable "token" {
  sensitive = "yes"
}
