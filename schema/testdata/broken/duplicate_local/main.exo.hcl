exoform {
  workspace = "w"
}

locals {
  domain = "contoso.com"
}

locals {
  domain = "fabrikam.com"
}
