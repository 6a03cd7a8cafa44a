package sim

import (
	"fmt"
	"strings"
)

// multiField ties a multi-valued connector parameter to its property and the
// documented rule for each entry; check returns the entry as stored.
type multiField struct {
	param string
	prop  func(c *inboundConnector) *[]string
	check func(st *state, param, v string) (string, error)
}

var connectorMultiFields = []multiField{
	{"SenderDomains", func(c *inboundConnector) *[]string { return &c.SenderDomains }, func(_ *state, p, v string) (string, error) {
		return v, checkWildcardDomain(p, v, true)
	}},
	{"SenderIPAddresses", func(c *inboundConnector) *[]string { return &c.SenderIPAddresses }, func(_ *state, p, v string) (string, error) {
		return checkSenderIP(p, v)
	}},
	{"AssociatedAcceptedDomains", func(c *inboundConnector) *[]string { return &c.AssociatedAcceptedDomains }, func(st *state, p, v string) (string, error) {
		if err := checkPlainDomain(p, v); err != nil {
			return "", err
		}
		if !st.isAcceptedDomain(v) {
			return "", fmt.Errorf("the value %q of parameter %s isn't an accepted domain in your organization", v, p)
		}
		return v, nil
	}},
	{"ClientHostNames", func(c *inboundConnector) *[]string { return &c.ClientHostNames }, func(_ *state, p, v string) (string, error) {
		return v, checkWildcardDomain(p, v, false)
	}},
	{"EFSkipIPs", func(c *inboundConnector) *[]string { return &c.EFSkipIPs }, func(_ *state, p, v string) (string, error) {
		return checkIPRangeEntry(p, v)
	}},
	{"EFSkipMailGateway", func(c *inboundConnector) *[]string { return &c.EFSkipMailGateway }, checkNonEmpty},
	{"EFUsers", func(c *inboundConnector) *[]string { return &c.EFUsers }, func(_ *state, p, v string) (string, error) {
		return v, checkSMTPAddress(p, v)
	}},
	{"ScanAndDropRecipients", func(c *inboundConnector) *[]string { return &c.ScanAndDropRecipients }, checkNonEmpty},
	{"TrustedOrganizations", func(c *inboundConnector) *[]string { return &c.TrustedOrganizations }, func(_ *state, p, v string) (string, error) {
		return v, checkPlainDomain(p, v)
	}},
}

// checkNonEmpty is the rule for the parameters "reserved for internal
// Microsoft use", whose format is not documented.
func checkNonEmpty(_ *state, p, v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("parameter %s can't contain an empty value", p)
	}
	return v, nil
}

var connectorBoolFields = map[string]func(c *inboundConnector) *bool{
	"CloudServicesMailEnabled":     func(c *inboundConnector) *bool { return &c.CloudServicesMailEnabled },
	"EFSkipLastIP":                 func(c *inboundConnector) *bool { return &c.EFSkipLastIP },
	"EFTestMode":                   func(c *inboundConnector) *bool { return &c.EFTestMode },
	"Enabled":                      func(c *inboundConnector) *bool { return &c.Enabled },
	"RequireTls":                   func(c *inboundConnector) *bool { return &c.RequireTls },
	"RestrictDomainsToCertificate": func(c *inboundConnector) *bool { return &c.RestrictDomainsToCertificate },
	"RestrictDomainsToIPAddresses": func(c *inboundConnector) *bool { return &c.RestrictDomainsToIPAddresses },
	"TreatMessagesAsInternal":      func(c *inboundConnector) *bool { return &c.TreatMessagesAsInternal },
}

// applyConnectorParams validates the given parameters and sets them on c.
// It is all-or-nothing only because callers pass a copy (New's fresh object,
// Set's clone); the stored connector is replaced only on success.
func applyConnectorParams(st *state, c *inboundConnector, p params) *exError {
	for _, f := range connectorMultiFields {
		v, ok := p[f.param]
		if !ok {
			continue
		}
		list := applyMulti(*f.prop(c), v)
		for i, e := range list {
			norm, err := f.check(st, f.param, strings.TrimSpace(e))
			if err != nil {
				return errValidation(err)
			}
			list[i] = norm
		}
		if err := checkNoDuplicates(f.param, list); err != nil {
			return errValidation(err)
		}
		if f.param == "SenderDomains" && len(list) == 0 {
			return errBadRequest(excValidation, "The SenderDomains property can't be empty. Specify at least one SMTP domain, or * for all domains.")
		}
		*f.prop(c) = list
	}
	for name, prop := range connectorBoolFields {
		if v, ok := p[name]; ok {
			*prop(c) = v.b
		}
	}
	if v, ok := p["ConnectorType"]; ok {
		c.ConnectorType = v.str
	}
	if v, ok := p["ConnectorSource"]; ok {
		c.ConnectorSource = v.str
	}
	if v, ok := p["Comment"]; ok {
		c.Comment = nil
		if !v.null && v.str != "" {
			c.Comment = strPtr(v.str)
		}
	}
	if v, ok := p["TlsSenderCertificateName"]; ok {
		c.TlsSenderCertificateName = nil
		if s := strings.TrimSpace(v.str); !v.null && s != "" {
			if err := checkWildcardDomain("TlsSenderCertificateName", s, false); err != nil {
				return errValidation(err)
			}
			c.TlsSenderCertificateName = strPtr(s)
		}
	}
	return nil
}

// connectorDN is the connector's distinguished name in the tenant's
// configuration unit. The container path is the sim's invention (doc.go).
func connectorDN(st *state, name string) string {
	return fmt.Sprintf("CN=%s,CN=Transport Settings,CN=Configuration,CN=%s,CN=ConfigurationUnits,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", name, st.Tenant.InitialDomain)
}

// renderConnector is Get-InboundConnector's output object: the connector
// properties (A12) followed by the properties every Exchange configuration
// object carries.
func renderConnector(st *state, c *inboundConnector) object {
	var b objBuilder
	b.val("Enabled", c.Enabled)
	b.val("ConnectorType", c.ConnectorType)
	b.val("ConnectorSource", c.ConnectorSource)
	b.str("Comment", c.Comment)
	b.strs("SenderIPAddresses", c.SenderIPAddresses)
	b.strs("SenderDomains", c.SenderDomains)
	b.strs("AssociatedAcceptedDomains", c.AssociatedAcceptedDomains)
	b.strs("ClientHostNames", c.ClientHostNames)
	b.val("RequireTls", c.RequireTls)
	b.val("RestrictDomainsToIPAddresses", c.RestrictDomainsToIPAddresses)
	b.val("RestrictDomainsToCertificate", c.RestrictDomainsToCertificate)
	b.val("CloudServicesMailEnabled", c.CloudServicesMailEnabled)
	b.val("TreatMessagesAsInternal", c.TreatMessagesAsInternal)
	b.str("TlsSenderCertificateName", c.TlsSenderCertificateName)
	b.val("EFTestMode", c.EFTestMode)
	b.strs("ScanAndDropRecipients", c.ScanAndDropRecipients)
	b.val("EFSkipLastIP", c.EFSkipLastIP)
	b.strs("EFSkipIPs", c.EFSkipIPs)
	b.strs("EFSkipMailGateway", c.EFSkipMailGateway)
	b.strs("EFUsers", c.EFUsers)
	b.strs("TrustedOrganizations", c.TrustedOrganizations)
	b.val("ExchangeVersion", "0.1 (8.14.0.0)")
	b.val("Name", c.Name)
	b.val("DistinguishedName", connectorDN(st, c.Name))
	b.val("Identity", c.Name)
	b.date("WhenChanged", c.WhenChanged)
	b.date("WhenCreated", c.WhenCreated)
	b.date("WhenChangedUTC", c.WhenChanged)
	b.date("WhenCreatedUTC", c.WhenCreated)
	b.val("Id", c.Name)
	b.guid("Guid", c.Guid)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}
