exoform {
  workspace = "test"
}

tenant {
  id = "contoso.onmicrosoft.com"
}

variable "count_extra" {
  type = number
  validation {
    condition     = var.count_extra < 10
    error_message = "Keep it small."
  }
}

variable "env_note" {
  type = string
}

variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

locals {
  names = [for i in range(var.count_extra) : format("extra-%d", i)]
  base  = upper("base")
}

resource "test_widget" "base" {
  name    = local.base
  kind    = "large" # canonicalised to "Large"
  enabled = true
  tags    = ["a", "b", "a"]
  note    = var.env_note
}

resource "test_widget" "extra" {
  for_each = toset(local.names)
  name     = each.key
  note     = "follows ${test_widget.base.name}"
}

resource "test_widget" "after" {
  name       = "after"
  depends_on = [test_widget.extra]
  lifecycle {
    ignore_changes = [note]
  }
}

output "extras" {
  value = { for k, w in test_widget.extra : k => w.note }
}

output "secret" {
  value     = var.secret
  sensitive = true
}
