exoform {
  workspace = "my workspace!"
}
