package exchange_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

func TestCompileManagementScope(t *testing.T) {
	const typ = "exchange_management_scope"
	m := providers.Marker{Workspace: "ws"}
	desired := ruleDesired(t, typ, `name = "ERP mailboxes"
recipient_restriction_filter = "CustomAttribute1 -eq 'erp'"`)
	exclusive := ruleDesired(t, typ, `name = "ERP mailboxes"
recipient_restriction_filter = "CustomAttribute1 -eq 'erp'"
exclusive = true`)
	live := ruleLiveObject(t, typ, "ERP mailboxes", "", "", map[string]cty.Value{
		"name": cty.StringVal("ERP mailboxes"), "recipient_restriction_filter": cty.StringVal("Department -eq 'ERP'"), "exclusive": cty.False})
	assertCompileGolden(t, typ, "management_scope", []ruleCompileCase{
		{"create", providers.Change{Kind: providers.Create, Desired: desired, Marker: m}},
		{"create exclusive", providers.Change{Kind: providers.Create, Desired: exclusive, Marker: m}},
		{"update: filter", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live, Set: []string{"recipient_restriction_filter"}}},
		{"update: exclusive cannot change", providers.Change{Kind: providers.Update, Desired: exclusive, Marker: m, Prior: live, Set: []string{"exclusive"}}},
		{"delete is never compiled", providers.Change{Kind: providers.Delete, Prior: live, Marker: m}},
	})
}

// TestManagementScopeResolve: a filter that Exchange stores with other spacing, case or
// parentheses compares equal, by taking the live spelling; a different filter stays.
func TestManagementScopeResolve(t *testing.T) {
	const typ = "exchange_management_scope"
	res := ruleResource(t, typ).(providers.Resolver)
	live := map[string][]providers.LiveObject{typ: {*ruleLiveObject(t, typ, "ERP mailboxes", "", "", map[string]cty.Value{
		"name": cty.StringVal("ERP mailboxes"), "recipient_restriction_filter": cty.StringVal("((CustomAttribute1 -eq 'erp') -and (Department -ne 'X Y'))")})}}
	tests := []struct{ filter, want string }{
		{"CustomAttribute1 -eq 'erp' -and Department -ne 'X Y'", "CustomAttribute1 -eq 'erp' -and Department -ne 'X Y'"},
		{"(customattribute1 -EQ 'erp') -and (Department  -ne 'X Y')", "((CustomAttribute1 -eq 'erp') -and (Department -ne 'X Y'))"},
		{"((CustomAttribute1 -eq 'erp') -and (Department -ne 'XY'))", "((CustomAttribute1 -eq 'erp') -and (Department -ne 'XY'))"},
	}
	for _, tc := range tests {
		d := ruleDesired(t, typ, `name = "erp mailboxes"
recipient_restriction_filter = "`+tc.filter+`"`)
		got, err := res.Resolve(d, live)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got.GetAttr("recipient_restriction_filter").AsString()); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.filter, diff)
		}
	}
}
