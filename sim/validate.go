package sim

import (
	"fmt"
	"net/netip"
	"strings"
)

// validDomain reports whether d is a syntactically valid SMTP domain: dot
// separated labels of letters, digits and hyphens, no label starting or
// ending with a hyphen, at most 63 characters a label and 255 in all.
func validDomain(d string) bool {
	if d == "" || len(d) > 255 || strings.HasSuffix(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkWildcardDomain applies the rule the connector docs give for
// SenderDomains and TlsSenderCertificateName: an SMTP domain, optionally
// with "*." in front to mean the domain and all its subdomains; a wildcard
// anywhere else ("domain.*.contoso.com") is invalid. allowStar also accepts
// a bare "*" (every domain), which SenderDomains allows.
func checkWildcardDomain(param, v string, allowStar bool) error {
	if v == "*" {
		if allowStar {
			return nil
		}
		return fmt.Errorf("the value %q of parameter %s isn't valid: a bare wildcard isn't a domain; use a domain such as *.contoso.com", v, param)
	}
	rest := strings.TrimPrefix(v, "*.")
	if strings.Contains(rest, "*") {
		return fmt.Errorf("the value %q of parameter %s isn't valid: you can't embed the wildcard character; wildcards are only supported as the leftmost label, for example *.contoso.com", v, param)
	}
	if !validDomain(rest) {
		return fmt.Errorf("the value %q of parameter %s isn't a valid SMTP domain", v, param)
	}
	return nil
}

// checkPlainDomain accepts an SMTP domain without wildcards.
func checkPlainDomain(param, v string) error {
	if !validDomain(v) {
		return fmt.Errorf("the value %q of parameter %s isn't a valid SMTP domain", v, param)
	}
	return nil
}

// checkSenderIP applies the SenderIPAddresses rule: an IPv4 address or an
// IPv4 CIDR range with a mask from /24 to /32; "IPv6 addresses are not
// supported". It returns the value in canonical form.
func checkSenderIP(param, v string) (string, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return "", fmt.Errorf("the value %q of parameter %s isn't a valid IP address or CIDR range", v, param)
		}
		if !p.Addr().Is4() {
			return "", fmt.Errorf("the value %q of parameter %s isn't valid: IPv6 addresses are not supported", v, param)
		}
		if p.Bits() < 24 {
			return "", fmt.Errorf("the value %q of parameter %s isn't valid: valid subnet mask values are /24 through /32", v, param)
		}
		return p.String(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return "", fmt.Errorf("the value %q of parameter %s isn't a valid IP address or CIDR range", v, param)
	}
	if !a.Is4() {
		return "", fmt.Errorf("the value %q of parameter %s isn't valid: IPv6 addresses are not supported", v, param)
	}
	return a.String(), nil
}

// checkIPRangeEntry applies the EFSkipIPs rule: a single address, a range
// "first-last" or a CIDR range. The docs only show IPv4 examples and do not
// exclude IPv6, so both families are accepted (doc.go).
func checkIPRangeEntry(param, v string) (string, error) {
	bad := fmt.Errorf("the value %q of parameter %s isn't valid: use a single IP address, a range such as 192.168.0.1-192.168.0.254, or a CIDR range such as 192.168.3.1/24", v, param)
	switch {
	case strings.Contains(v, "/"):
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return "", bad
		}
		return p.String(), nil
	case strings.Contains(v, "-"):
		lo, hi, _ := strings.Cut(v, "-")
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a.Is4() != b.Is4() || b.Less(a) {
			return "", bad
		}
		return a.String() + "-" + b.String(), nil
	default:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", bad
		}
		return a.String(), nil
	}
}

// checkSMTPAddress accepts local@domain with a non-empty local part and a
// valid domain; Exchange's own parser is stricter about quoting, which no
// scenario needs.
func checkSMTPAddress(param, v string) error {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || strings.ContainsAny(local, " @<>") || !validDomain(domain) {
		return fmt.Errorf("the value %q of parameter %s isn't a valid SMTP address", v, param)
	}
	return nil
}
