package sim

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const seededRule = "Block executable attachments (legacy)"

// ruleOrder returns "priority:name" for every rule, in Get-TransportRule's
// order.
func ruleOrder(t *testing.T, c *simClient) []string {
	t.Helper()
	var out []string
	for _, o := range c.mustInvoke("Get-TransportRule", nil).Value {
		p, _ := o["Priority"].(float64)
		out = append(out, strconv.Itoa(int(p))+":"+o["Name"].(string))
	}
	return out
}

func TestTransportRule_CRUD(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)

	seeded := c.mustInvoke("Get-TransportRule", nil).Value
	if len(seeded) != 1 || seeded[0]["Name"] != seededRule || seeded[0]["Priority"] != 0.0 || seeded[0]["State"] != "Enabled" {
		t.Fatalf("seeded rules = %v, want %q at priority 0, Enabled", seeded, seededRule)
	}
	if strings.Contains(strings.ToLower(seeded[0]["Comments"].(string)), "exoform") {
		t.Errorf("seeded rule carries an exoform marker: %q", seeded[0]["Comments"])
	}

	created := c.mustInvoke("New-TransportRule", map[string]any{
		"name":                        "Tag external mail", // names are case-insensitive
		"FromScope":                   "notinorganization",
		"SentToScope":                 "InOrganization",
		"PrependSubject":              "[EXTERNAL] ",
		"SetHeaderName":               "X-Exoform-External",
		"SetHeaderValue":              "1",
		"ExceptIfSenderDomainIs":      []string{"fabrikam.com"},
		"SenderIpRanges":              []string{"192.0.2.0/24", "198.51.100.1-198.51.100.9"},
		"HeaderContainsMessageHeader": "X-Mailer",
		"HeaderContainsWords":         []string{"BulkMailer"},
		"Comments":                    "managed by exoform workspace prod",
		"MessageSizeOver":             "10 MB",
		"Mode":                        "AuditAndNotify",
	})
	if len(created.Value) != 1 {
		t.Fatalf("New-TransportRule value = %v, want the new rule", created.Value)
	}
	obj := created.Value[0]
	want := map[string]any{
		"Name": "Tag external mail", "Identity": "Tag external mail", "Id": "Tag external mail",
		"Priority": 1.0, "State": "Enabled", "Mode": "AuditAndNotify", "RuleErrorAction": "Ignore",
		"SenderAddressLocation": "Header", "FromScope": "NotInOrganization", "SentToScope": "InOrganization",
		"PrependSubject": "[EXTERNAL] ", "SetHeaderName": "X-Exoform-External", "SetHeaderValue": "1",
		"ExceptIfSenderDomainIs":            []any{"fabrikam.com"},
		"ExceptIfSenderDomainIs@odata.type": "#Collection(String)",
		"SenderIpRanges":                    []any{"192.0.2.0/24", "198.51.100.1-198.51.100.9"},
		"HeaderContainsMessageHeader":       "X-Mailer",
		"HeaderContainsWords":               []any{"BulkMailer"},
		"MessageSizeOver":                   "10 MB (10,485,760 bytes)",
		"Comments":                          "managed by exoform workspace prod",
		"ActivationDate":                    nil,
		"SetSCL":                            nil, // unset single values are null
		"SentTo":                            []any{},
		"DeleteMessage":                     false, // unset Booleans are false
		"StopRuleProcessing":                false,
		"Conditions":                        []any{"Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate", "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.HeaderContainsPredicate", "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.MessageSizeOverPredicate", "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate", "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SentToScopePredicate"},
		"Exceptions":                        []any{"Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderDomainIsPredicate"},
		"Actions":                           []any{"Microsoft.Exchange.MessagingPolicies.Rules.Tasks.PrependSubjectAction", "Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetHeaderAction"},
		"Enabled":                           nil, // absent: State, not a Boolean Enabled
		"Guid@data.type":                    "System.Guid",
		"IsValid":                           true,
	}
	for k, v := range want {
		if diff := cmp.Diff(v, obj[k]); diff != "" {
			t.Errorf("New-TransportRule output %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if _, ok := obj["Enabled"]; ok {
		t.Errorf("output has an Enabled property; Get-TransportRule returns State")
	}
	if d, _ := obj["Description"].(string); !strings.Contains(d, "If the message:") || !strings.Contains(d, "Except if the message:") {
		t.Errorf("Description = %q, want the generated If/Except text", d)
	}
	guid := obj["Guid"].(string)

	for _, id := range []string{"TAG EXTERNAL MAIL", strings.ToUpper(guid)} {
		got := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": id})
		if diff := cmp.Diff([]string{"Tag external mail"}, names(got.Value)); diff != "" {
			t.Errorf("Get-TransportRule -Identity %q mismatch (-want +got):\n%s", id, diff)
		}
	}

	c.mustInvoke("Set-TransportRule", map[string]any{
		"Identity": guid, "Name": "Tag external mail 2", "PrependSubject": nil, "SetSCL": 5,
		"HeaderContainsMessageHeader": nil, "HeaderContainsWords": nil, "Comments": "",
	})
	got := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": guid}).Value[0]
	if diff := cmp.Diff(map[string]any{"Name": "Tag external mail 2", "PrependSubject": nil, "SetSCL": 5.0, "HeaderContainsWords": []any{}, "Comments": nil, "Priority": 1.0},
		map[string]any{"Name": got["Name"], "PrependSubject": got["PrependSubject"], "SetSCL": got["SetSCL"], "HeaderContainsWords": got["HeaderContainsWords"], "Comments": got["Comments"], "Priority": got["Priority"]}); diff != "" {
		t.Errorf("after Set-TransportRule mismatch (-want +got):\n%s", diff)
	}

	noop := c.mustInvoke("Set-TransportRule", map[string]any{"Identity": guid, "SetSCL": "5"})
	if len(noop.Warnings) != 1 || !strings.Contains(noop.Warnings[0], "no settings of 'Tag external mail 2' have been modified") {
		t.Errorf("no-op Set warnings = %q", noop.Warnings)
	}

	excl := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": guid, "ExcludeConditionActionDetails": true}).Value[0]
	if excl["Description"] != nil || excl["SetSCL"] != nil || !cmp.Equal(excl["Actions"], []any{}) || excl["Name"] != "Tag external mail 2" {
		t.Errorf("ExcludeConditionActionDetails output = Description %v, SetSCL %v, Actions %v", excl["Description"], excl["SetSCL"], excl["Actions"])
	}
	if got := names(c.mustInvoke("Get-TransportRule", map[string]any{"Filter": "Description -like '*SCL*'"}).Value); !cmp.Equal(got, []string{"Tag external mail 2"}) {
		t.Errorf("Get -Filter on Description = %v", got)
	}

	c.mustInvoke("Remove-TransportRule", map[string]any{"Identity": "tag external mail 2", "Confirm": false})
	r := c.invoke("Get-TransportRule", map[string]any{"Identity": guid})
	if code, typ, _ := exceptionOf(t, r.body); r.status != http.StatusNotFound || code != "NotFound" || typ != excNotFound {
		t.Errorf("Get after Remove = %d %s, want 404 ManagementObjectNotFoundException", r.status, r.body)
	}
	if r := c.invoke("Remove-TransportRule", map[string]any{"Identity": guid}); r.status != http.StatusNotFound {
		t.Errorf("second Remove = %d, want 404", r.status)
	}
}

func TestTransportRule_Priority(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	rule := func(name string, extra map[string]any) map[string]any {
		p := map[string]any{"Name": name, "StopRuleProcessing": true}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	steps := []struct {
		name   string
		cmdlet string
		params map[string]any
		want   []string // priority:name after the step
	}{
		{"new defaults to N", "New-TransportRule", rule("A", nil), []string{"0:" + seededRule, "1:A"}},
		{"new at N explicitly", "New-TransportRule", rule("B", map[string]any{"Priority": 2}), []string{"0:" + seededRule, "1:A", "2:B"}},
		{"new at a used priority shifts it and all below", "New-TransportRule", rule("C", map[string]any{"Priority": 0}), []string{"0:C", "1:" + seededRule, "2:A", "3:B"}},
		{"set moves a rule up", "Set-TransportRule", map[string]any{"Identity": "B", "Priority": 1}, []string{"0:C", "1:B", "2:" + seededRule, "3:A"}},
		{"set moves a rule down", "Set-TransportRule", map[string]any{"Identity": "C", "Priority": "3"}, []string{"0:B", "1:" + seededRule, "2:A", "3:C"}},
		{"remove closes the gap", "Remove-TransportRule", map[string]any{"Identity": seededRule}, []string{"0:B", "1:A", "2:C"}},
		{"disable keeps the priority", "Disable-TransportRule", map[string]any{"Identity": "A"}, []string{"0:B", "1:A", "2:C"}},
	}
	for _, st := range steps {
		c.mustInvoke(st.cmdlet, st.params)
		if diff := cmp.Diff(st.want, ruleOrder(t, c)); diff != "" {
			t.Fatalf("%s: order mismatch (-want +got):\n%s", st.name, diff)
		}
	}
	for _, bad := range []struct {
		cmdlet string
		params map[string]any
	}{
		{"New-TransportRule", rule("D", map[string]any{"Priority": 4})},         // 3 rules: 0..3
		{"New-TransportRule", rule("D", map[string]any{"Priority": -1})},        // negative
		{"Set-TransportRule", map[string]any{"Identity": "A", "Priority": 3}},   // 3 rules: 0..2
		{"Set-TransportRule", map[string]any{"Identity": "A", "Priority": "x"}}, // not a number
	} {
		r := c.invoke(bad.cmdlet, bad.params)
		if _, _, detail := exceptionOf(t, r.body); r.status != http.StatusBadRequest || !strings.Contains(detail, "Priority") {
			t.Errorf("%s %v = %d %s, want 400 naming Priority", bad.cmdlet, bad.params, r.status, r.body)
		}
	}
	if diff := cmp.Diff([]string{"0:B", "1:A", "2:C"}, ruleOrder(t, c)); diff != "" {
		t.Errorf("order after refused calls mismatch (-want +got):\n%s", diff)
	}
}

func TestTransportRule_EnableDisable(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	state := func(name string) (string, string) {
		o := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": name}).Value[0]
		return o["State"].(string), o["Mode"].(string)
	}
	c.mustInvoke("New-TransportRule", map[string]any{"Name": "Off at birth", "Enabled": false, "Quarantine": true})
	if st, _ := state("Off at birth"); st != "Disabled" {
		t.Errorf("New -Enabled $false: State = %s, want Disabled", st)
	}
	c.mustInvoke("Disable-TransportRule", map[string]any{"Identity": seededRule, "Confirm": false})
	if st, _ := state(seededRule); st != "Disabled" {
		t.Errorf("after Disable: State = %s", st)
	}
	if got := names(c.mustInvoke("Get-TransportRule", map[string]any{"State": "disabled"}).Value); !cmp.Equal(got, []string{seededRule, "Off at birth"}) {
		t.Errorf("Get -State Disabled = %v", got)
	}
	c.mustInvoke("Enable-TransportRule", map[string]any{"Identity": seededRule, "Mode": "Audit"})
	if st, mode := state(seededRule); st != "Enabled" || mode != "Audit" {
		t.Errorf("after Enable -Mode Audit: State %s, Mode %s", st, mode)
	}
	r := c.invoke("Set-TransportRule", map[string]any{"Identity": seededRule, "Enabled": false})
	if _, typ, detail := exceptionOf(t, r.body); r.status != http.StatusBadRequest || typ != excParameter || !strings.Contains(detail, "'Enabled'") {
		t.Errorf("Set-TransportRule -Enabled = %d %s, want 400 naming Enabled", r.status, r.body)
	}
	r = c.invoke("Disable-TransportRule", map[string]any{"Identity": seededRule, "Mode": "Enforce"})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "'Mode'") {
		t.Errorf("Disable-TransportRule -Mode = %d %s, want 400 naming Mode", r.status, r.body)
	}
}

func TestTransportRule_ReadReceiptDelete(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	c.mustInvoke("New-TransportRule", map[string]any{"Name": "Drop read receipts", "MessageTypeMatches": "ReadReceipt", "DeleteMessage": true})
	o := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": "Drop read receipts"}).Value[0]
	if diff := cmp.Diff(map[string]any{
		"MessageTypeMatches": "ReadReceipt", "DeleteMessage": true, "ExceptIfMessageTypeMatches": nil,
		"Conditions": []any{"Microsoft.Exchange.MessagingPolicies.Rules.Tasks.MessageTypeMatchesPredicate"},
		"Actions":    []any{"Microsoft.Exchange.MessagingPolicies.Rules.Tasks.DeleteMessageAction"},
	}, map[string]any{
		"MessageTypeMatches": o["MessageTypeMatches"], "DeleteMessage": o["DeleteMessage"], "ExceptIfMessageTypeMatches": o["ExceptIfMessageTypeMatches"],
		"Conditions": o["Conditions"], "Actions": o["Actions"],
	}); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	// Setting the only action to $false leaves a rule without action.
	r := c.invoke("Set-TransportRule", map[string]any{"Identity": "Drop read receipts", "DeleteMessage": false})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "at least one action") {
		t.Errorf("removing the only action = %d %s, want 400", r.status, r.body)
	}
}

func TestTransportRule_Validation(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	base := func(extra map[string]any) map[string]any {
		p := map[string]any{"Name": "Validation rule", "DeleteMessage": true}
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
		name     string
		cmdlet   string
		params   map[string]any
		wantType string
		wantText string
	}{
		{"SetSCL 10", "New-TransportRule", base(map[string]any{"SetSCL": 10}), excValidation, "SetSCL"},
		{"SetSCL -2", "New-TransportRule", base(map[string]any{"SetSCL": -2}), excValidation, "SetSCL"},
		{"SCLOver text", "New-TransportRule", base(map[string]any{"SCLOver": "high"}), excValidation, "SCLOver"},
		{"bad status code", "New-TransportRule", base(map[string]any{"RejectMessageEnhancedStatusCode": "5.7.2"}), excValidation, "5.7.900"},
		{"status code 5.7.1000", "New-TransportRule", base(map[string]any{"RejectMessageEnhancedStatusCode": "5.7.1000"}), excValidation, "RejectMessageEnhancedStatusCode"},
		{"reason too long", "New-TransportRule", base(map[string]any{"RejectMessageReasonText": strings.Repeat("r", 1025)}), excValidation, "1024"},
		{"name too long", "New-TransportRule", base(map[string]any{"Name": strings.Repeat("n", 65)}), excValidation, "maximum length is 64"},
		{"comments too long", "New-TransportRule", base(map[string]any{"Comments": strings.Repeat("c", 1025)}), excValidation, "1024"},
		{"unknown enum", "New-TransportRule", base(map[string]any{"MessageTypeMatches": "Spam"}), excParameter, "ReadReceipt"},
		{"on-premises scope", "New-TransportRule", base(map[string]any{"SentToScope": "ExternalPartner"}), excValidation, "on-premises"},
		{"bad mode", "New-TransportRule", base(map[string]any{"Mode": "Test"}), excParameter, "Mode"},
		{"no action", "New-TransportRule", base(map[string]any{"DeleteMessage": nil, "SubjectContainsWords": "x"}), excValidation, "at least one action"},
		{"header name without value", "New-TransportRule", base(map[string]any{"SetHeaderName": "X-A"}), excValidation, "SetHeaderValue"},
		{"exception words without header", "New-TransportRule", base(map[string]any{"ExceptIfHeaderContainsWords": "x"}), excValidation, "ExceptIfHeaderContainsMessageHeader"},
		{"bad header name", "New-TransportRule", base(map[string]any{"RemoveHeader": "X Bad:"}), excValidation, "RemoveHeader"},
		{"bad ip range", "New-TransportRule", base(map[string]any{"SenderIpRanges": "300.1.1.1"}), excValidation, "SenderIpRanges"},
		{"bad domain", "New-TransportRule", base(map[string]any{"RecipientDomainIs": "not a domain"}), excValidation, "RecipientDomainIs"},
		{"duplicate word", "New-TransportRule", base(map[string]any{"SubjectContainsWords": []string{"a", "A"}}), excValidation, "SubjectContainsWords"},
		{"subject word too long", "New-TransportRule", base(map[string]any{"SubjectContainsWords": strings.Repeat("w", 129)}), excValidation, "128"},
		{"bad size", "New-TransportRule", base(map[string]any{"MessageSizeOver": "big"}), excValidation, "MessageSizeOver"},
		{"bad date", "New-TransportRule", base(map[string]any{"ActivationDate": "someday"}), excParameter, "ActivationDate"},
		{"expiry before activation", "New-TransportRule", base(map[string]any{"ActivationDate": "2030-01-02", "ExpiryDate": "2030-01-01"}), excValidation, "ExpiryDate"},
		{"duplicate name", "New-TransportRule", base(map[string]any{"Name": strings.ToUpper(seededRule)}), excAlreadyExists, "already exists"},
		{"string Boolean", "New-TransportRule", base(map[string]any{"DeleteMessage": "true"}), excParameter, "DeleteMessage"},
		{"unknown parameter", "New-TransportRule", base(map[string]any{"Frobnicate": 1}), excParameter, "'Frobnicate'"},
		{"on-premises parameter", "New-TransportRule", base(map[string]any{"DomainController": "dc1"}), excParameter, "'DomainController'"},
		{"UseLegacyRegex on Set", "Set-TransportRule", map[string]any{"Identity": seededRule, "UseLegacyRegex": true}, excParameter, "'UseLegacyRegex'"},
		{"missing Name", "New-TransportRule", base(map[string]any{"Name": nil}), excParameter, "Name"},
		{"set unknown rule", "Set-TransportRule", map[string]any{"Identity": "Nope", "SetSCL": 1}, excNotFound, "Nope"},
		{"bad filter", "Get-TransportRule", map[string]any{"Filter": "Description -like '*x"}, excParameter, "Filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.invoke(tt.cmdlet, tt.params)
			want := http.StatusBadRequest
			if tt.wantType == excNotFound {
				want = http.StatusNotFound
			}
			if r.status != want {
				t.Fatalf("%s %v: status %d, want %d; body %s", tt.cmdlet, tt.params, r.status, want, r.body)
			}
			if _, typ, detail := exceptionOf(t, r.body); typ != tt.wantType || !strings.Contains(detail, tt.wantText) {
				t.Errorf("%s: detail %q, want type %s mentioning %q", tt.name, detail, tt.wantType, tt.wantText)
			}
		})
	}
	if got := names(c.mustInvoke("Get-TransportRule", nil).Value); !cmp.Equal(got, []string{seededRule}) {
		t.Errorf("rules after refused calls = %v, want only the seeded rule", got)
	}
}

func TestTransportRule_HashTableAddRemove(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	c.mustInvoke("New-TransportRule", map[string]any{"Name": "Partner copy", "SenderDomainIs": []string{"a.example", "b.example"}, "BlindCopyTo": "audit@contoso.com"})
	c.mustInvoke("Set-TransportRule", map[string]any{
		"Identity":       "Partner copy",
		"SenderDomainIs": map[string]any{"@odata.type": "#Exchange.GenericHashTable", "add": []string{"c.example", "B.example"}, "Remove": []string{"a.example"}},
		"BlindCopyTo":    map[string]any{"ADD": "legal@contoso.com"},
	})
	o := c.mustInvoke("Get-TransportRule", map[string]any{"Identity": "Partner copy"}).Value[0]
	if diff := cmp.Diff([]any{"b.example", "c.example"}, o["SenderDomainIs"]); diff != "" {
		t.Errorf("SenderDomainIs after add/remove mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"audit@contoso.com", "legal@contoso.com"}, o["BlindCopyTo"]); diff != "" {
		t.Errorf("BlindCopyTo after add mismatch (-want +got):\n%s", diff)
	}
	r := c.invoke("Set-TransportRule", map[string]any{"Identity": "Partner copy", "SenderDomainIs": map[string]any{"replace": []string{"x.example"}}})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "SenderDomainIs") {
		t.Errorf("hashtable with an unknown key = %d %s, want 400", r.status, r.body)
	}
}

func TestTransportRule_LagAndShift(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	const lag = 10 * time.Second
	s := startSim(t, Options{Lag: lag, Seed: 3, now: clk.Now})
	c := newClient(t, s)
	c.mustInvoke("New-TransportRule", map[string]any{"Name": "First", "Priority": 0, "Quarantine": true})
	if r := c.invoke("Get-TransportRule", map[string]any{"Identity": "First"}); r.status != http.StatusNotFound {
		t.Errorf("Get right after New = %d, want 404 while replicating", r.status)
	}
	// Readers see the old order, without the new rule, until the whole
	// reordering has replicated.
	if diff := cmp.Diff([]string{"0:" + seededRule}, ruleOrder(t, c)); diff != "" {
		t.Errorf("order while replicating mismatch (-want +got):\n%s", diff)
	}
	clk.Advance(lag)
	if diff := cmp.Diff([]string{"0:First", "1:" + seededRule}, ruleOrder(t, c)); diff != "" {
		t.Errorf("order after the lag mismatch (-want +got):\n%s", diff)
	}
}

// TestRuleCmdlets_Registered makes sure the rule- and app-side cmdlets are
// simulated, so the fidelity tests (which walk cmdletNames) check each of
// their parameters against the reference.
func TestRuleCmdlets_Registered(t *testing.T) {
	want := []string{
		"Get-TransportRule", "New-TransportRule", "Set-TransportRule", "Remove-TransportRule", "Enable-TransportRule", "Disable-TransportRule",
		"Get-ServicePrincipal", "New-ServicePrincipal", "Set-ServicePrincipal", "Remove-ServicePrincipal", "Test-ServicePrincipalAuthorization",
		"Get-ManagementScope", "New-ManagementScope", "Set-ManagementScope", "Remove-ManagementScope",
		"Get-ManagementRoleAssignment", "New-ManagementRoleAssignment", "Set-ManagementRoleAssignment", "Remove-ManagementRoleAssignment",
		"Get-ApplicationAccessPolicy", "New-ApplicationAccessPolicy", "Set-ApplicationAccessPolicy", "Remove-ApplicationAccessPolicy", "Test-ApplicationAccessPolicy",
	}
	for _, name := range want {
		c := lookupCmdlet(name)
		if c == nil {
			t.Errorf("%s is not simulated", name)
			continue
		}
		if c.write != (!strings.HasPrefix(name, "Get-") && !strings.HasPrefix(name, "Test-")) {
			t.Errorf("%s: write = %v", name, c.write)
		}
	}
}

// TestRuleSide_Persisted checks that the rule side lives in the state file:
// a second server on the same file sees every kind of object.
func TestRuleSide_Persisted(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	c.mustInvoke("New-TransportRule", map[string]any{"Name": "Persisted", "Priority": 0, "SetSCL": -1})
	c.mustInvoke("New-ServicePrincipal", map[string]any{"AppId": testAppID, "ObjectId": testObjectID})
	c.mustInvoke("New-ManagementScope", map[string]any{"Name": "Persisted scope", "RecipientRestrictionFilter": "Alias -like 'a*'"})
	c.mustInvoke("New-ManagementRoleAssignment", map[string]any{"App": testObjectID, "Role": "Application Mail.Send", "CustomResourceScope": "Persisted scope"})
	c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "x@contoso.com", "AccessRight": "DenyAccess"})

	c2 := newClient(t, startSim(t, Options{StatePath: s.opts.StatePath}))
	if diff := cmp.Diff([]string{"0:Persisted", "1:" + seededRule}, ruleOrder(t, c2)); diff != "" {
		t.Errorf("rules on the second server mismatch (-want +got):\n%s", diff)
	}
	if got := c2.mustInvoke("Get-TransportRule", map[string]any{"Identity": "Persisted"}).Value[0]["SetSCL"]; got != -1.0 {
		t.Errorf("SetSCL on the second server = %v, want -1", got)
	}
	for cmd, n := range map[string]int{"Get-ServicePrincipal": 1, "Get-ManagementScope": 1, "Get-ManagementRoleAssignment": 1, "Get-ApplicationAccessPolicy": 1} {
		if e := c2.mustInvoke(cmd, nil); len(e.Value) != n {
			t.Errorf("%s on the second server = %d objects, want %d", cmd, len(e.Value), n)
		}
	}
}
