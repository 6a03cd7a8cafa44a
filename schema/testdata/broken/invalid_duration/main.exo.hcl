exoform {
  workspace = "w"
}

resource "entra_application_password" "secret" {
  application  = "11111111-1111-1111-1111-111111111111"
  display_name = "vendor"
  lifetime     = "six months"
}
