# Contoso: the MSP baseline's values for this customer (config/main.exo.hcl).
tenant_id               = "contoso.onmicrosoft.com"
mail_domains            = ["contoso.com"]
scanner_ips             = ["198.51.100.10", "198.51.100.11"]
trusted_partner_domains = ["fabrikam.com"]
