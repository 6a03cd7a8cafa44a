# Fabrikam: the MSP baseline's values for this customer (config/main.exo.hcl).
tenant_id    = "fabrikam.onmicrosoft.com"
mail_domains = ["fabrikam.com"]
scanner_ips  = ["192.0.2.40"]
