exoform {
  workspace = "w"
}

tenant {
  id = "contoso"
}
