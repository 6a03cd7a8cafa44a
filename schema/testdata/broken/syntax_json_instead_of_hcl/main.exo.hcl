{
  "exoform": { "workspace": "w" }
}
