exoform {
  workspace = "w"
}

resource "exchange_organization_config" "org" {
  ews_enabled                   = true
  ews_application_access_policy = "EnforceAllowList"
  ews_block_list                = ["OldClient/1.0"]
}
