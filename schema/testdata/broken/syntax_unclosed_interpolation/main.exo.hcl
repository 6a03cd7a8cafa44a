exoform {
  workspace = "w"
}

variable "suffix" {
  default = "a"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay ${var.suffix"
  sender_domains = ["contoso.com"]
}
