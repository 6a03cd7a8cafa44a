exoform {
  workspace = "w"
}

data "entra_user" "alice" {
  user_principal_name = "alice@contoso.com"
}
