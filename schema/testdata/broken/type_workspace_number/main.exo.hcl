exoform {
  workspace = 42
}
