# Security defaults turned off, for a tenant that protects sign-ins with Conditional Access
# policies instead: security defaults block basic authentication, SMTP AUTH with a password
# included, and cannot be on together with Conditional Access.

exoform {
  workspace = "docs"
}

# Only turn them off with Conditional Access policies in their place: validate warns about it.
resource "entra_security_defaults" "this" {
  is_enabled = false
}
