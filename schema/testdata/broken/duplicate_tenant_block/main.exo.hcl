exoform {
  workspace = "w"
}

tenant {
  id = "contoso.onmicrosoft.com"
}

tenant {
  id = "fabrikam.onmicrosoft.com"
}
