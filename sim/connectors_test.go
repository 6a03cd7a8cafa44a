package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInboundConnector_CRUD(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)

	seeded := c.mustInvoke("Get-InboundConnector", nil)
	if diff := cmp.Diff([]string{"Legacy scanner relay", "Partner fabrikam TLS"}, names(seeded.Value)); diff != "" {
		t.Fatalf("seeded connectors mismatch (-want +got):\n%s", diff)
	}
	for _, o := range seeded.Value {
		if strings.Contains(strings.ToLower(o["Comment"].(string)), "exoform") {
			t.Errorf("seeded connector %q carries an exoform marker in its Comment", o["Name"])
		}
	}

	created := c.mustInvoke("New-InboundConnector", map[string]any{
		"name":              "Accounting relay", // parameter names are case-insensitive
		"SenderDomains":     []string{"contoso.com", "*.contoso.com"},
		"ConnectorType":     "onpremises",
		"SenderIPAddresses": []string{"198.51.100.0/24", "203.0.113.10"},
		"Comment":           "managed by exoform workspace prod",
	})
	if len(created.Value) != 1 {
		t.Fatalf("New-InboundConnector value = %v, want the new connector", created.Value)
	}
	obj := created.Value[0]
	want := map[string]any{
		"Name": "Accounting relay", "Identity": "Accounting relay", "Id": "Accounting relay",
		"ConnectorType": "OnPremises", "ConnectorSource": "Default", "Enabled": true, "RequireTls": true,
		"SenderDomains":                    []any{"contoso.com", "*.contoso.com"},
		"SenderDomains@odata.type":         "#Collection(String)",
		"SenderIPAddresses":                []any{"198.51.100.0/24", "203.0.113.10"},
		"AssociatedAcceptedDomains":        []any{},
		"TlsSenderCertificateName":         nil,
		"Guid@data.type":                   "System.Guid",
		"WhenCreated@data.type":            "System.DateTime",
		"IsValid":                          true,
		"ObjectState":                      "Unchanged",
		"RestrictDomainsToIPAddresses":     false,
		"TrustedOrganizations@odata.type":  "#Collection(String)",
		"EFSkipIPs":                        []any{},
		"Comment":                          "managed by exoform workspace prod",
		"DistinguishedName@odata.type":     nil, // absent
		"CloudServicesMailEnabled":         false,
		"RestrictDomainsToCertificate":     false,
		"TreatMessagesAsInternal":          false,
		"EFSkipLastIP":                     false,
		"ClientHostNames@odata.type":       "#Collection(String)",
		"ScanAndDropRecipients@odata.type": "#Collection(String)",
	}
	for k, v := range want {
		if diff := cmp.Diff(v, obj[k]); diff != "" {
			t.Errorf("New-InboundConnector output %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	for _, k := range []string{"Guid", "DistinguishedName", "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC", "ExchangeVersion"} {
		if s, _ := obj[k].(string); s == "" {
			t.Errorf("New-InboundConnector output lacks %s: %v", k, obj)
		}
	}
	guid := obj["Guid"].(string)

	// Get by name (any case) and by GUID.
	for _, id := range []string{"accounting RELAY", strings.ToUpper(guid)} {
		got := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": id})
		if diff := cmp.Diff([]string{"Accounting relay"}, names(got.Value)); diff != "" {
			t.Errorf("Get-InboundConnector -Identity %q mismatch (-want +got):\n%s", id, diff)
		}
	}

	// Set changes fields, a hashtable adds to a multi-valued property, and a
	// rename keeps the GUID.
	c.mustInvoke("Set-InboundConnector", map[string]any{
		"Identity":          "Accounting relay",
		"Name":              "Accounting relay 2",
		"RequireTls":        false,
		"SenderIPAddresses": map[string]any{"@odata.type": "#Exchange.GenericHashTable", "Add": []string{"203.0.113.11"}, "remove": []string{"203.0.113.10"}},
		"Comment":           nil,
	})
	got := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": guid}).Value[0]
	if diff := cmp.Diff(map[string]any{"Name": "Accounting relay 2", "RequireTls": false, "SenderIPAddresses": []any{"198.51.100.0/24", "203.0.113.11"}, "Comment": nil},
		map[string]any{"Name": got["Name"], "RequireTls": got["RequireTls"], "SenderIPAddresses": got["SenderIPAddresses"], "Comment": got["Comment"]}); diff != "" {
		t.Errorf("after Set-InboundConnector mismatch (-want +got):\n%s", diff)
	}

	// A Set that changes nothing warns instead of failing.
	noop := c.mustInvoke("Set-InboundConnector", map[string]any{"Identity": guid, "RequireTls": false})
	if len(noop.Warnings) != 1 || !strings.Contains(noop.Warnings[0], "no settings of 'Accounting relay 2' have been modified") {
		t.Errorf("no-op Set warnings = %q, want the no settings modified warning", noop.Warnings)
	}

	c.mustInvoke("Remove-InboundConnector", map[string]any{"Identity": "Accounting relay 2", "Confirm": false})
	r := c.invoke("Get-InboundConnector", map[string]any{"Identity": guid})
	if code, typ, detail := exceptionOf(t, r.body); r.status != http.StatusNotFound || code != "NotFound" ||
		typ != "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" || !strings.Contains(detail, "couldn't be found on") {
		t.Errorf("Get after Remove = %d %s, want 404 ManagementObjectNotFoundException", r.status, r.body)
	}
	r = c.invoke("Remove-InboundConnector", map[string]any{"Identity": "Accounting relay 2"})
	if r.status != http.StatusNotFound {
		t.Errorf("second Remove = %d %s, want 404", r.status, r.body)
	}
}

func TestInboundConnector_Validation(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	const (
		binding    = "Microsoft.Exchange.Configuration.Tasks.ParameterBindingException"
		validation = "Microsoft.Exchange.Configuration.Tasks.DataValidationException"
		exists     = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
		notFound   = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	)
	base := func(extra map[string]any) map[string]any {
		p := map[string]any{"Name": "Test connector", "SenderDomains": []string{"contoso.com"}}
		for k, v := range extra {
			if v == nil {
				delete(p, k)
				continue
			}
			p[k] = v
		}
		return p
	}
	tests := []struct {
		name       string
		cmdlet     string
		params     map[string]any
		wantStatus int
		wantType   string
		wantText   string // must appear in the detail
	}{
		{"IPv6 sender", "New-InboundConnector", base(map[string]any{"SenderIPAddresses": []string{"2001:db8::1"}}), 400, validation, "IPv6 addresses are not supported"},
		{"IPv6 CIDR sender", "New-InboundConnector", base(map[string]any{"SenderIPAddresses": []string{"2001:db8::/64"}}), 400, validation, "IPv6"},
		{"/16 sender", "New-InboundConnector", base(map[string]any{"SenderIPAddresses": []string{"10.1.0.0/16"}}), 400, validation, "/24 through /32"},
		{"IP range sender", "New-InboundConnector", base(map[string]any{"SenderIPAddresses": []string{"10.1.0.1-10.1.0.9"}}), 400, validation, "SenderIPAddresses"},
		{"embedded wildcard", "New-InboundConnector", base(map[string]any{"SenderDomains": []string{"domain.*.contoso.com"}}), 400, validation, "SenderDomains"},
		{"embedded wildcard cert", "New-InboundConnector", base(map[string]any{"TlsSenderCertificateName": "mail.*.fabrikam.com"}), 400, validation, "TlsSenderCertificateName"},
		{"bad domain", "New-InboundConnector", base(map[string]any{"SenderDomains": []string{"not a domain"}}), 400, validation, "SenderDomains"},
		{"bad enum", "New-InboundConnector", base(map[string]any{"ConnectorType": "Internal"}), 400, binding, "ConnectorType"},
		{"bad source", "New-InboundConnector", base(map[string]any{"ConnectorSource": "Manual"}), 400, binding, "ConnectorSource"},
		{"string boolean", "New-InboundConnector", base(map[string]any{"RequireTls": "true"}), 400, binding, "RequireTls"},
		{"unknown param", "New-InboundConnector", base(map[string]any{"Frobnicate": true}), 400, binding, "Frobnicate"},
		{"on-premises only param", "New-InboundConnector", base(map[string]any{"DomainController": "dc1"}), 400, binding, "DomainController"},
		{"missing SenderDomains", "New-InboundConnector", base(map[string]any{"SenderDomains": nil}), 400, binding, "SenderDomains"},
		{"empty SenderDomains", "New-InboundConnector", base(map[string]any{"SenderDomains": []string{}}), 400, binding, "SenderDomains"},
		{"missing Name", "New-InboundConnector", base(map[string]any{"Name": nil}), 400, binding, "Name"},
		{"duplicate name", "New-InboundConnector", base(map[string]any{"Name": "legacy SCANNER relay"}), 400, exists, "already exists"},
		{"name too long", "New-InboundConnector", base(map[string]any{"Name": strings.Repeat("x", 65)}), 400, validation, "maximum length is 64"},
		{"duplicate domain", "New-InboundConnector", base(map[string]any{"SenderDomains": []string{"a.com", "A.com"}}), 400, validation, "SenderDomains"},
		{"not an accepted domain", "New-InboundConnector", base(map[string]any{"AssociatedAcceptedDomains": []string{"fabrikam.com"}}), 400, validation, "AssociatedAcceptedDomains"},
		{"bad EF range", "New-InboundConnector", base(map[string]any{"EFSkipIPs": []string{"10.0.0.9-10.0.0.1"}}), 400, validation, "EFSkipIPs"},
		{"bad EF user", "New-InboundConnector", base(map[string]any{"EFUsers": []string{"nobody"}}), 400, validation, "EFUsers"},
		{"set unknown", "Set-InboundConnector", map[string]any{"Identity": "No such connector", "Enabled": false}, 404, notFound, "No such connector"},
		{"set rename to existing", "Set-InboundConnector", map[string]any{"Identity": "Legacy scanner relay", "Name": "Partner Fabrikam TLS"}, 400, exists, "already exists"},
		{"set clears SenderDomains", "Set-InboundConnector", map[string]any{"Identity": "Legacy scanner relay", "SenderDomains": nil}, 400, validation, "SenderDomains"},
		{"set without identity", "Set-InboundConnector", map[string]any{"Enabled": false}, 400, binding, "Identity"},
		{"get ResultSize zero", "Get-InboundConnector", map[string]any{"ResultSize": 0}, 400, binding, "ResultSize"},
		{"remove unknown", "Remove-InboundConnector", map[string]any{"Identity": "Nope", "Confirm": false}, 404, notFound, "Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.invoke(tt.cmdlet, tt.params)
			if r.status != tt.wantStatus {
				t.Fatalf("%s %v: status %d, want %d; body %s", tt.cmdlet, tt.params, r.status, tt.wantStatus, r.body)
			}
			_, typ, detail := exceptionOf(t, r.body)
			if typ != tt.wantType || !strings.Contains(detail, tt.wantText) {
				t.Errorf("%s %v: detail %q, want type %s mentioning %q", tt.cmdlet, tt.params, detail, tt.wantType, tt.wantText)
			}
		})
	}
	// Nothing above may have changed the tenant.
	if diff := cmp.Diff([]string{"Legacy scanner relay", "Partner fabrikam TLS"}, names(c.mustInvoke("Get-InboundConnector", nil).Value)); diff != "" {
		t.Errorf("connectors after failed calls mismatch (-want +got):\n%s", diff)
	}
}

func TestInboundConnector_Accepts(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	tests := []struct {
		name   string
		params map[string]any
		check  func(map[string]any) bool
	}{
		{"star domain", map[string]any{"SenderDomains": "*"}, func(o map[string]any) bool { return cmp.Equal(o["SenderDomains"], []any{"*"}) }},
		{"wildcard cert", map[string]any{"SenderDomains": []string{"contoso.com"}, "TlsSenderCertificateName": "*.contoso.com", "RestrictDomainsToCertificate": true},
			func(o map[string]any) bool { return o["TlsSenderCertificateName"] == "*.contoso.com" }},
		{"hybrid wizard default", map[string]any{"SenderDomains": []string{"contoso.com"}, "ConnectorSource": "hybridwizard"},
			func(o map[string]any) bool {
				return o["ConnectorSource"] == "HybridWizard" && o["CloudServicesMailEnabled"] == true
			}},
		{"EF entries", map[string]any{"SenderDomains": []string{"contoso.com"}, "EFSkipIPs": []string{"192.168.1.1", "192.168.0.1-192.168.0.254", "192.168.3.1/24"}, "EFUsers": []string{"a@contoso.com"}},
			func(o map[string]any) bool { return len(o["EFSkipIPs"].([]any)) == 3 }},
		{"accepted domain", map[string]any{"SenderDomains": []string{"contoso.com"}, "AssociatedAcceptedDomains": []string{"contoso.com"}, "Enabled": false, "WhatIf": false},
			func(o map[string]any) bool { return o["Enabled"] == false }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.params["Name"] = "Accepts " + string(rune('A'+i))
			e := c.mustInvoke("New-InboundConnector", tt.params)
			if len(e.Value) != 1 || !tt.check(e.Value[0]) {
				t.Errorf("New-InboundConnector %v = %v", tt.params, e.Value)
			}
		})
	}
	t.Run("WhatIf writes nothing", func(t *testing.T) {
		c.mustInvoke("New-InboundConnector", map[string]any{"Name": "What if", "SenderDomains": "contoso.com", "WhatIf": true})
		if r := c.invoke("Get-InboundConnector", map[string]any{"Identity": "What if"}); r.status != http.StatusNotFound {
			t.Errorf("Get after New -WhatIf = %d, want 404", r.status)
		}
	})
}
