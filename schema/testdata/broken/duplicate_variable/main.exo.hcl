exoform {
  workspace = "w"
}

variable "domain" {
  default = "contoso.com"
}

variable "domain" {
  default = "fabrikam.com"
}
