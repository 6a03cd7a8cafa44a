exoform {
  workspace = "w"
}

module "mail" {
  source = "./mail"
}
