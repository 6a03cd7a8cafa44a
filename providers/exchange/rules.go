package exchange

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Value rules that Exchange Online enforces on connector parameters, checked at validate time so
// that a user learns of them before anything is sent. Each returns "" or a message saying what
// is wrong and what is allowed.

var labelRe = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// smtpDomain accepts a DNS domain of two or more labels.
func smtpDomain(s string) string {
	if !isDomain(s) {
		return fmt.Sprintf("%q is not an SMTP domain. Write a domain such as contoso.com.", s)
	}
	return ""
}

func isDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) {
			return false
		}
	}
	return true
}

// wildcardDomain accepts a domain or "*.domain"; Exchange refuses a wildcard anywhere else
// ("domain.*.contoso.com is not valid").
func wildcardDomain(s string) string {
	if strings.Contains(strings.TrimPrefix(s, "*."), "*") {
		return fmt.Sprintf("%q embeds a wildcard. Exchange accepts a wildcard only as the first label, meaning a domain and all its subdomains (for example *.contoso.com).", s)
	}
	if !isDomain(strings.TrimPrefix(s, "*.")) {
		return fmt.Sprintf("%q is not an SMTP domain. Write a domain such as contoso.com, or *.contoso.com for a domain and its subdomains.", s)
	}
	return ""
}

// senderDomain is wildcardDomain plus "*" alone, which an OnPremises connector uses to accept
// every sender domain.
func senderDomain(s string) string {
	if s == "*" {
		return ""
	}
	return wildcardDomain(s)
}

// senderIPAddress accepts what SenderIPAddresses takes: an IPv4 address or an IPv4 CIDR range
// from /24 to /32.
func senderIPAddress(s string) string {
	if strings.Contains(s, ":") {
		return fmt.Sprintf("%q is an IPv6 address; Exchange Online connectors accept only IPv4 sender addresses. Use the server's IPv4 address.", s)
	}
	if strings.Contains(s, "-") {
		return fmt.Sprintf("%q is an address range; sender_ip_addresses takes single IPv4 addresses or CIDR ranges such as 192.0.2.0/24.", s)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return fmt.Sprintf("%q is not an IPv4 CIDR range. Write it as 192.0.2.0/24.", s)
		}
		if p.Bits() < 24 {
			return fmt.Sprintf("%q is a /%d range; Exchange accepts CIDR ranges from /24 to /32. Split it into /24 ranges or list the servers' addresses.", s, p.Bits())
		}
		return ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return fmt.Sprintf("%q is not an IPv4 address. Write it as 192.0.2.10, or a range as 192.0.2.0/24.", s)
	}
	return ""
}

// efSkipIP accepts what EFSkipIPs takes: an address, a range a-b, or a CIDR range.
func efSkipIP(s string) string {
	if from, to, ok := strings.Cut(s, "-"); ok {
		a, err1 := netip.ParseAddr(from)
		b, err2 := netip.ParseAddr(to)
		if err1 != nil || err2 != nil || a.Is4() != b.Is4() || b.Less(a) {
			return fmt.Sprintf("%q is not an address range. Write it as 192.0.2.1-192.0.2.254.", s)
		}
		return ""
	}
	if strings.Contains(s, "/") {
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Sprintf("%q is not a CIDR range. Write it as 192.0.2.0/24.", s)
		}
		return ""
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Sprintf("%q is not an IP address, range or CIDR range.", s)
	}
	return ""
}

// recipient accepts an SMTP address.
func recipient(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !isDomain(domain) {
		return fmt.Sprintf("%q is not an email address. Write it as user@contoso.com.", s)
	}
	return ""
}
