exoform {
  workspace = "w"
}

locals {
  name = "${local.name}-relay"
}
