package sim

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// inboundConnector is the sim's record of an Exchange Online inbound
// connector (New-/Set-/Get-/Remove-InboundConnector). Field names follow the
// cmdlet properties; the state file uses snake_case.
type inboundConnector struct {
	Guid                         string    `json:"guid"`
	Name                         string    `json:"name"`
	Enabled                      bool      `json:"enabled"`
	ConnectorType                string    `json:"connector_type"`
	ConnectorSource              string    `json:"connector_source"`
	Comment                      *string   `json:"comment"`
	SenderDomains                []string  `json:"sender_domains"`
	SenderIPAddresses            []string  `json:"sender_ip_addresses"`
	AssociatedAcceptedDomains    []string  `json:"associated_accepted_domains"`
	ClientHostNames              []string  `json:"client_host_names"`
	RequireTls                   bool      `json:"require_tls"`
	RestrictDomainsToCertificate bool      `json:"restrict_domains_to_certificate"`
	RestrictDomainsToIPAddresses bool      `json:"restrict_domains_to_ip_addresses"`
	TlsSenderCertificateName     *string   `json:"tls_sender_certificate_name"`
	CloudServicesMailEnabled     bool      `json:"cloud_services_mail_enabled"`
	TreatMessagesAsInternal      bool      `json:"treat_messages_as_internal"`
	EFSkipIPs                    []string  `json:"ef_skip_ips"`
	EFSkipLastIP                 bool      `json:"ef_skip_last_ip"`
	EFSkipMailGateway            []string  `json:"ef_skip_mail_gateway"`
	EFTestMode                   bool      `json:"ef_test_mode"`
	EFUsers                      []string  `json:"ef_users"`
	ScanAndDropRecipients        []string  `json:"scan_and_drop_recipients"`
	TrustedOrganizations         []string  `json:"trusted_organizations"`
	WhenCreated                  time.Time `json:"when_created"`
	WhenChanged                  time.Time `json:"when_changed"`
}

// newInboundConnector returns a connector with the documented defaults:
// Enabled $true, ConnectorType Partner, ConnectorSource Default, RequireTls
// $true ("This value is the default"), every other Boolean $false.
func newInboundConnector(guid, name string, created time.Time) *inboundConnector {
	c := &inboundConnector{
		Guid: guid, Name: name, Enabled: true,
		ConnectorType: "Partner", ConnectorSource: "Default", RequireTls: true,
		WhenCreated: created, WhenChanged: created,
	}
	c.normalize()
	return c
}

// normalize turns unset multi-valued properties into empty lists, so stored
// and compared connectors have one representation of "none".
func (c *inboundConnector) normalize() {
	for _, p := range []*[]string{&c.SenderDomains, &c.SenderIPAddresses, &c.AssociatedAcceptedDomains,
		&c.ClientHostNames, &c.EFSkipIPs, &c.EFSkipMailGateway, &c.EFUsers, &c.ScanAndDropRecipients, &c.TrustedOrganizations} {
		if *p == nil {
			*p = []string{}
		}
	}
}

func (c *inboundConnector) clone() *inboundConnector {
	n := *c
	for _, p := range []*[]string{&n.SenderDomains, &n.SenderIPAddresses, &n.AssociatedAcceptedDomains,
		&n.ClientHostNames, &n.EFSkipIPs, &n.EFSkipMailGateway, &n.EFUsers, &n.ScanAndDropRecipients, &n.TrustedOrganizations} {
		*p = append([]string{}, (*p)...)
	}
	if c.Comment != nil {
		n.Comment = strPtr(*c.Comment)
	}
	if c.TlsSenderCertificateName != nil {
		n.TlsSenderCertificateName = strPtr(*c.TlsSenderCertificateName)
	}
	return &n
}

// connectorSettable are the parameters New- and Set-InboundConnector share.
var connectorSettable = []paramSpec{
	{name: "AssociatedAcceptedDomains", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "CloudServicesMailEnabled", docType: "Boolean", kind: kindBool},
	{name: "Comment", docType: "String", kind: kindString},
	{name: "ConnectorSource", docType: "TenantConnectorSource", kind: kindEnum, enum: []string{"Default", "HybridWizard", "Migrated"}},
	{name: "ConnectorType", docType: "TenantConnectorType", kind: kindEnum, enum: []string{"Partner", "OnPremises"}},
	{name: "EFSkipIPs", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "EFSkipLastIP", docType: "Boolean", kind: kindBool},
	{name: "EFSkipMailGateway", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "EFTestMode", docType: "Boolean", kind: kindBool},
	{name: "EFUsers", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "Enabled", docType: "Boolean", kind: kindBool},
	{name: "RequireTls", docType: "Boolean", kind: kindBool},
	{name: "RestrictDomainsToCertificate", docType: "Boolean", kind: kindBool},
	{name: "RestrictDomainsToIPAddresses", docType: "Boolean", kind: kindBool},
	{name: "ScanAndDropRecipients", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "SenderIPAddresses", docType: "MultiValuedProperty", kind: kindMulti},
	{name: "TlsSenderCertificateName", docType: "TlsCertificate", kind: kindString},
	{name: "TreatMessagesAsInternal", docType: "Boolean", kind: kindBool},
	{name: "TrustedOrganizations", docType: "MultiValuedProperty", kind: kindMulti},
}

func inboundConnectorCmdlets() []*cmdlet {
	specs := func(extra ...paramSpec) []paramSpec {
		out := append(append([]paramSpec{}, extra...), connectorSettable...)
		return append(out, confirmParams...)
	}
	return []*cmdlet{
		{
			name: "Get-InboundConnector",
			params: []paramSpec{
				{name: "Identity", docType: "InboundConnectorIdParameter", kind: kindIdentity},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getInboundConnector,
		},
		{
			name:  "New-InboundConnector",
			write: true,
			params: specs(
				paramSpec{name: "Name", docType: "String", required: true, kind: kindString},
				paramSpec{name: "SenderDomains", docType: "MultiValuedProperty", required: true, kind: kindMulti},
				paramSpec{name: "ClientHostNames", docType: "MultiValuedProperty", kind: kindMulti},
			),
			run: newInboundConnectorCmd,
		},
		{
			name:  "Set-InboundConnector",
			write: true,
			params: specs(
				paramSpec{name: "Identity", docType: "InboundConnectorIdParameter", required: true, kind: kindIdentity},
				paramSpec{name: "Name", docType: "String", kind: kindString},
				paramSpec{name: "SenderDomains", docType: "MultiValuedProperty", kind: kindMulti},
			),
			run: setInboundConnector,
		},
		{
			name:   "Remove-InboundConnector",
			write:  true,
			params: append([]paramSpec{{name: "Identity", docType: "InboundConnectorIdParameter", required: true, kind: kindIdentity}}, confirmParams...),
			run:    removeInboundConnector,
		},
	}
}

// findConnector resolves an InboundConnectorIdParameter (a name or a GUID)
// among the master copies (master) or among what reads currently see.
func findConnector(x *cmdContext, identity string, master bool) (*versioned[inboundConnector], *inboundConnector) {
	is := nameOrGUID(identity)
	return find(x, x.st.Exchange.InboundConnectors, master, func(c *inboundConnector) bool { return is(c.Name, c.Guid) })
}

func getInboundConnector(x *cmdContext, p params) (*cmdResult, *exError) {
	if p.has("Identity") {
		_, c := findConnector(x, p["Identity"].str, false)
		if c == nil {
			return nil, errNotFound(p["Identity"].str)
		}
		return &cmdResult{objects: []object{renderConnector(x.st, c)}}, nil
	}
	var list []*inboundConnector
	for _, rec := range x.st.Exchange.InboundConnectors {
		if c := rec.visible(x.now); c != nil {
			list = append(list, c)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := strings.ToLower(list[i].Name), strings.ToLower(list[j].Name)
		if a != b {
			return a < b
		}
		return list[i].Guid < list[j].Guid
	})
	res := &cmdResult{}
	list, res.warnings = applyResultSize(list, p)
	for _, c := range list {
		res.objects = append(res.objects, renderConnector(x.st, c))
	}
	return res, nil
}

// applyResultSize limits a Get result to ResultSize (default 1000, as the
// cmdlet reference says), with the warning Exchange prints when it cut.
func applyResultSize[T any](list []T, p params) ([]T, []string) {
	limit, explicit := 1000, false
	if v, ok := p["ResultSize"]; ok {
		if v.unlimited {
			return list, nil
		}
		limit, explicit = v.n, true
	}
	if len(list) <= limit {
		return list, nil
	}
	w := "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter."
	if !explicit {
		w = "By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending on the actual number of items, returning all items can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. Instead, pipe the results to another task or script to perform batch changes."
	}
	return list[:limit], []string{w}
}

func newInboundConnectorCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	name := p["Name"].str
	if err := checkConnectorName(x, name, ""); err != nil {
		return nil, err
	}
	if v := p["SenderDomains"]; !v.hashtable && len(v.list) == 0 {
		return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'SenderDomains' because it is an empty collection.")
	}
	c := newInboundConnector(newGUID(), name, x.stamp())
	// Connectors made by the Hybrid Configuration wizard default to
	// CloudServicesMailEnabled $true (New-InboundConnector reference).
	if v, ok := p["ConnectorSource"]; ok && v.str == "HybridWizard" && !p.has("CloudServicesMailEnabled") {
		c.CloudServicesMailEnabled = true
	}
	if err := applyConnectorParams(x.st, c, p); err != nil {
		return nil, err
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[inboundConnector]{}
	rec.put(c, x.now, x.lag())
	x.st.Exchange.InboundConnectors[c.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderConnector(x.st, c)}}, nil
}

// setInboundConnector changes the master copy found by Identity; like
// Exchange, which writes to the master directory, it finds an object that
// reads may not show yet.
func setInboundConnector(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findConnector(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	next := cur.clone()
	if v, ok := p["Name"]; ok {
		if err := checkConnectorName(x, v.str, cur.Guid); err != nil {
			return nil, err
		}
		next.Name = v.str
	}
	if err := applyConnectorParams(x.st, next, p); err != nil {
		return nil, err
	}
	if reflect.DeepEqual(next, cur) {
		return &cmdResult{warnings: []string{fmt.Sprintf("The command completed successfully but no settings of '%s' have been modified.", cur.Name)}}, nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

func removeInboundConnector(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findConnector(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(nil, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// checkConnectorName validates a new name: not blank, at most 64 characters
// (the directory's common-name limit) and unique among connectors,
// case-insensitively; self is the GUID of the connector being renamed.
func checkConnectorName(x *cmdContext, name, self string) *exError {
	if strings.TrimSpace(name) == "" {
		return errBadRequest(excParameter, "Cannot bind argument to parameter 'Name' because it is an empty string.")
	}
	if n := len([]rune(name)); n > 64 {
		return errBadRequest(excValidation, "The length of the property is too long. The maximum length is 64 and the length of the value provided is %d.", n)
	}
	for _, rec := range x.st.Exchange.InboundConnectors {
		if c := rec.Current; c != nil && c.Guid != self && strings.EqualFold(c.Name, name) {
			return errAlreadyExists("An inbound connector with the name '%s' already exists in this organization. The object '%s' already exists. Specify a unique name.", name, connectorDN(x.st, c.Name))
		}
	}
	return nil
}
