exoform {
  workspace = "w"
}
