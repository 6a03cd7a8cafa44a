package schema

import "regexp"

var (
	guidRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRe = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
)

// IsGUID reports whether s is a GUID in its usual 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidRe.MatchString(s) }

// ValidTenant reports whether s can name a tenant: a GUID or a DNS domain.
func ValidTenant(s string) bool { return IsGUID(s) || domainRe.MatchString(s) }
