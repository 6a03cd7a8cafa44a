package exchange

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ruleFake answers Get-* cmdlets with hand-written output, decoded as the client decodes it
// (numbers as json.Number), and records every call.
type ruleFake struct {
	out   map[string]string // cmdlet -> JSON array of output objects
	errs  map[string][]string
	mu    sync.Mutex // the planner reads types concurrently
	calls []string
}

func (f *ruleFake) Invoke(_ context.Context, cmdlet string, params providers.Params) (*Result, error) {
	b, _ := json.Marshal(params)
	f.mu.Lock()
	f.calls = append(f.calls, cmdlet+" "+string(b))
	f.mu.Unlock()
	res := &Result{Errors: f.errs[cmdlet], Pages: 1}
	if raw, ok := f.out[cmdlet]; ok {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&res.Objects); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func readOne(t *testing.T, res providers.Resource) []providers.LiveObject {
	t.Helper()
	objs, err := res.ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// liveAttrs renders the non-null attributes of a live object for comparison.
func liveAttrs(lo providers.LiveObject) map[string]string {
	out := map[string]string{}
	for k, v := range lo.Value.AsValueMap() {
		if v.IsNull() {
			continue
		}
		switch {
		case v.Type() == cty.String:
			out[k] = v.AsString()
		case v.Type() == cty.Bool:
			out[k] = map[bool]string{true: "true", false: "false"}[v.True()]
		case v.Type() == cty.Number:
			out[k] = v.AsBigFloat().Text('f', -1)
		default:
			var parts []string
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				parts = append(parts, e.AsString())
			}
			out[k] = "[" + strings.Join(parts, " | ") + "]"
		}
	}
	return out
}

func TestTransportRuleLiveObjects(t *testing.T) {
	f := &ruleFake{out: map[string]string{"Get-TransportRule": `[
  {"Name":"Delete read receipts","Identity":"Delete read receipts","Guid":"0b9d1c6e-0000-4000-8000-000000000001",
   "State":"Enabled","Priority":0,"Mode":"Enforce","MessageTypeMatches":"ReadReceipt","DeleteMessage":true,
   "Comments":"Project mailboxes\n[managed-by exoform workspace=prod prevent_destroy]","SetSCL":null,
   "SenderIpRanges":"192.0.2.0/24, 198.51.100.7","SubjectContainsWords":["a, b","c"],"From":[],"Quarantine":false,
   "Description":"If the message...","RuleVersion":"15.0.5.6","ExceptIfSenderDomainIs":["fabrikam.com"]},
  {"Name":"Legacy","State":"Disabled","Priority":"1","SetSCL":"5","Comments":"by hand","Mode":"audit",
   "RedirectMessageTo":"a@contoso.com,b@contoso.com","PrependSubject":""}
]`}}
	objs := readOne(t, &transportRule{c: f})
	if len(objs) != 2 {
		t.Fatalf("%d objects", len(objs))
	}
	got := []map[string]string{liveAttrs(objs[0]), liveAttrs(objs[1])}
	want := []map[string]string{
		{"name": "Delete read receipts", "enabled": "true", "priority": "0", "mode": "Enforce", "message_type_matches": "ReadReceipt",
			"delete_message": "true", "comments": "Project mailboxes", "sender_ip_ranges": "[192.0.2.0/24 | 198.51.100.7]",
			"subject_contains_words": "[a, b | c]", "from": "[]", "quarantine": "false", "except_if_sender_domain_is": "[fabrikam.com]",
			// every other set attribute reads as empty
		},
		{"name": "Legacy", "enabled": "false", "priority": "1", "set_scl": "5", "comments": "by hand", "mode": "Audit",
			"redirect_message_to": "[a@contoso.com | b@contoso.com]"},
	}
	for i := range got { // empty sets compare as unset, as plans compare them
		for k, v := range got[i] {
			if v == "[]" {
				delete(got[i], k)
			}
		}
		for k, v := range want[i] {
			if v == "[]" {
				delete(want[i], k)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if objs[0].Owner != "prod" || !objs[0].Protected || objs[0].ID != "0b9d1c6e-0000-4000-8000-000000000001" {
		t.Errorf("marker or id: %+v", objs[0])
	}
	if objs[1].Owner != "" {
		t.Errorf("unmarked rule has owner %q", objs[1].Owner)
	}
	if diff := cmp.Diff([]string{`Get-TransportRule {"ResultSize":"Unlimited"}`}, f.calls); diff != "" {
		t.Errorf("reads (-want +got)\n%s", diff)
	}
}

func TestRuleReadsRefusePartialLists(t *testing.T) {
	for _, res := range []providers.Resource{
		&transportRule{c: &ruleFake{errs: map[string][]string{"Get-TransportRule": {"x"}}}},
		&servicePrincipal{c: &ruleFake{errs: map[string][]string{"Get-ServicePrincipal": {"x"}}}},
		&managementScope{c: &ruleFake{errs: map[string][]string{"Get-ManagementScope": {"x"}}}},
		&roleAssignment{c: &ruleFake{errs: map[string][]string{"Get-ManagementRoleAssignment": {"x"}}}},
		&appAccessPolicy{c: &ruleFake{errs: map[string][]string{"Get-ApplicationAccessPolicy": {"x"}}}},
	} {
		if objs, err := res.ReadAll(context.Background()); err == nil || !strings.Contains(err.Error(), "may be incomplete") {
			t.Errorf("%s: %d objects, err %v", res.Type().Name, len(objs), err)
		}
	}
}

func TestAppResourcesLiveObjects(t *testing.T) {
	f := &ruleFake{out: map[string]string{
		"Get-ServicePrincipal": `[{"AppId":"3F2C1A7E-5B8D-4C6F-9A0E-1D2B3C4D5E6F","ObjectId":"8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6",
			"DisplayName":"Contoso ERP","Identity":"8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6","Name":"8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"}]`,
		"Get-ManagementScope": `[{"Name":"ERP mailboxes","RecipientFilter":"CustomAttribute1 -eq 'erp'","ScopeRestrictionType":"RecipientScope"},
			{"Name":"Board","RecipientFilter":"Department -eq 'Board'","Exclusive":true}]`,
		"Get-ManagementRoleAssignment": `[{"Name":"Organization Management-Mail Recipients","Role":"Mail Recipients","RoleAssignee":"Organization Management","RoleAssigneeType":"RoleGroup"},
			{"Name":"ERP send","Role":"Application Mail.Send","RoleAssignee":"8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6","RoleAssigneeType":"ServicePrincipal","CustomResourceScope":"ERP mailboxes"},
			{"Name":"Old style","Role":"Application Mail.Read","RoleAssignee":"Contoso ERP"}]`,
		"Get-ApplicationAccessPolicy": `[{"ScopeName":"ERP Mailboxes","ScopeIdentity":"ERP Mailboxes20250209121934",
			"Identity":"t\\3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f:S-1-5-21-1;4f1c2b3a-0000-4000-8000-00000000abcd",
			"AppId":"3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f, 11111111-2222-3333-4444-555555555555",
			"ScopeIdentityRaw":"S-1-5-21-1;4f1c2b3a-0000-4000-8000-00000000abcd",
			"Description":"legacy\n[managed-by exoform workspace=ws]","AccessRight":"DenyAccess"},
			{"ScopeName":"Sales","ScopeIdentity":"Sales","AppID":["22222222-2222-3333-4444-555555555555"],"Identity":"t\\x","Description":" ","AccessRight":"RestrictAccess"}]`,
	}}
	sps := readOne(t, &servicePrincipal{c: f})
	if diff := cmp.Diff(map[string]string{"app_id": "3F2C1A7E-5B8D-4C6F-9A0E-1D2B3C4D5E6F", "object_id": "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6", "display_name": "Contoso ERP"}, liveAttrs(sps[0])); diff != "" {
		t.Errorf("service principal (-want +got)\n%s", diff)
	}
	scopes := readOne(t, &managementScope{c: f})
	if diff := cmp.Diff([]map[string]string{
		{"name": "ERP mailboxes", "recipient_restriction_filter": "CustomAttribute1 -eq 'erp'", "exclusive": "false"},
		{"name": "Board", "recipient_restriction_filter": "Department -eq 'Board'", "exclusive": "true"},
	}, []map[string]string{liveAttrs(scopes[0]), liveAttrs(scopes[1])}); diff != "" {
		t.Errorf("scopes (-want +got)\n%s", diff)
	}
	ras := readOne(t, &roleAssignment{c: f})
	var got []map[string]string
	for _, o := range ras {
		got = append(got, liveAttrs(o))
	}
	if diff := cmp.Diff([]map[string]string{
		{"name": "ERP send", "role": "Application Mail.Send", "app": "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6", "custom_resource_scope": "ERP mailboxes"},
		{"name": "Old style", "role": "Application Mail.Read", "app": "Contoso ERP"},
	}, got); diff != "" {
		t.Errorf("role assignments: only app assignments (-want +got)\n%s", diff)
	}
	pols := readOne(t, &appAccessPolicy{c: f})
	got = nil
	var keys [][]string
	for _, o := range pols {
		got = append(got, liveAttrs(o))
		keys = append(keys, append(append([]string{o.Key, o.Owner}, o.Names...), o.Meta[appPolicyOtherApps]))
	}
	if diff := cmp.Diff([]map[string]string{
		{"app_id": "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f", "policy_scope_group_id": "ERP Mailboxes20250209121934", "access_right": "DenyAccess", "description": "legacy"},
		{"app_id": "11111111-2222-3333-4444-555555555555", "policy_scope_group_id": "ERP Mailboxes20250209121934", "access_right": "DenyAccess", "description": "legacy"},
		{"app_id": "22222222-2222-3333-4444-555555555555", "policy_scope_group_id": "Sales", "access_right": "RestrictAccess", "description": " "},
	}, got); diff != "" {
		t.Errorf("policies (-want +got)\n%s", diff)
	}
	// A policy of two apps is never exoform's, whatever its Description says: no owner, and each
	// entry records the other app (see ApplicationAccessPolicyType).
	if diff := cmp.Diff([][]string{
		{`3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f\ERP Mailboxes20250209121934`, "",
			`3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f\ERP Mailboxes`, `3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f\4f1c2b3a-0000-4000-8000-00000000abcd`, `3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f\S-1-5-21-1`,
			"11111111-2222-3333-4444-555555555555"},
		{`11111111-2222-3333-4444-555555555555\ERP Mailboxes20250209121934`, "",
			`11111111-2222-3333-4444-555555555555\ERP Mailboxes`, `11111111-2222-3333-4444-555555555555\4f1c2b3a-0000-4000-8000-00000000abcd`, `11111111-2222-3333-4444-555555555555\S-1-5-21-1`,
			"3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"},
		{`22222222-2222-3333-4444-555555555555\Sales`, "", ""},
	}, keys); diff != "" {
		t.Errorf("policy keys, owners and names (-want +got)\n%s", diff)
	}
}

// TestRulePlanWithFakeTenant drives the planner over hand-written tenant output: the read-
// receipt rule is adopted with its comment kept, a policy declared by its group's object id
// matches the live one, and an owned rule no longer declared is deleted while the admin's is
// not. Planning reads each type once.
func TestRulePlanWithFakeTenant(t *testing.T) {
	f := &ruleFake{out: map[string]string{
		"Get-TransportRule": `[{"Name":"Delete read receipts","State":"Disabled","Priority":1,"MessageTypeMatches":"ReadReceipt","DeleteMessage":false,"Comments":"made by hand"},
			{"Name":"Old exoform rule","State":"Enabled","Priority":0,"Comments":"[managed-by exoform workspace=ws]"},
			{"Name":"Admin rule","State":"Enabled","Priority":2}]`,
		"Get-ApplicationAccessPolicy": `[{"ScopeName":"ERP Mailboxes","ScopeIdentity":"ERP Mailboxes20250209121934","Identity":"t\\p",
			"AppId":"3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f","ScopeIdentityRaw":"S-1-5-21-1;4f1c2b3a-0000-4000-8000-00000000abcd",
			"Description":"[managed-by exoform workspace=ws]","AccessRight":"RestrictAccess"}]`,
	}}
	reg := providers.NewRegistry()
	registerRules(reg, f)
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(`exoform {
  workspace = "ws"
}
resource "exchange_transport_rule" "read_receipts" {
  name                 = "delete read receipts"
  message_type_matches = "ReadReceipt"
  delete_message       = true
  enabled              = true
}
resource "exchange_application_access_policy" "erp" {
  app_id                = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
  policy_scope_group_id = "4F1C2B3A-0000-4000-8000-00000000ABCD"
  access_right          = "RestrictAccess"
}
`)})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var got []string
	for _, c := range pl.Changes {
		line := c.Action.String() + " " + c.Addr
		for _, op := range c.Operations {
			b, _ := json.Marshal(op.Parameters)
			line += "\n  " + op.Cmdlet + " " + string(b)
		}
		got = append(got, line)
	}
	want := []string{
		"no-op exchange_application_access_policy.erp",
		// The planner applies the type's ApplyOrder: deletes first.
		"delete exchange_transport_rule[\"Old exoform rule\"]\n  Remove-TransportRule {\"Identity\":\"Old exoform rule\",\"Confirm\":false}",
		"adopt exchange_transport_rule.read_receipts" +
			"\n  Set-TransportRule {\"Identity\":\"Delete read receipts\",\"DeleteMessage\":true,\"Comments\":\"made by hand\\n[managed-by exoform workspace=ws]\"}" +
			"\n  Enable-TransportRule {\"Identity\":\"Delete read receipts\",\"Confirm\":false}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	saved := &plan.Plan{Workspace: pl.Workspace}
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			saved.Changes = append(saved.Changes, c)
		}
	}
	if err := p.Verify(saved); err != nil {
		t.Errorf("verify: %v", err)
	}
	reads := map[string]int{}
	for _, c := range f.calls {
		reads[strings.Fields(c)[0]]++
	}
	if diff := cmp.Diff(map[string]int{"Get-TransportRule": 1, "Get-ApplicationAccessPolicy": 1}, reads); diff != "" {
		t.Errorf("reads (-want +got)\n%s", diff)
	}
}
