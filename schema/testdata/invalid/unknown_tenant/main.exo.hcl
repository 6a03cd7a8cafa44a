exoform { workspace = "w" }
locals {
  x = nosuch()
}
tenant {
  id = "${local.x}.onmicrosoft.com"
}
