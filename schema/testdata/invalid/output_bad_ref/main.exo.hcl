exoform { workspace = "w" }
output "a" {
  value = local.missing
}
