exoform { workspace = "w" }
data "test_principl" "graph" {
  app_id = "00000003-0000-0000-c000-000000000000"
}
