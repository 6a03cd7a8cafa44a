exoform {
  workspace = "w"
  version   = "1"
}
