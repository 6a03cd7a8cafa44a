exoform {
  workspace = "w"
}

resource "exchange_organization_config" "org" {
  ews_enabled         = false
  ews_allowed_app_ids = ["00000000-0000-0000-0000-000000000001"]
  ews_allow_list      = ["PropertyManager/*"]
  ews_application_access_policy = "EnforceBlockList"
}

resource "exchange_cas_mailbox" "pms" {
  identity    = "pms@contoso.com"
  ews_enabled = true
}
