# A Terraform file: exoform reads only *.exo.hcl files.
resource "null_resource" "x" {}
