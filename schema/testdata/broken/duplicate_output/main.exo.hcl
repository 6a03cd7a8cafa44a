exoform {
  workspace = "w"
}

output "domain" {
  value = "contoso.com"
}

output "domain" {
  value = "fabrikam.com"
}
