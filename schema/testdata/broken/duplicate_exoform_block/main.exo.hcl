exoform {
  workspace = "w"
}

exoform {
  workspace = "v"
}
