package plan

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	pt "github.com/exoform/exoform/providers/providertest"
)

// TestEqualAttrBlocks: a repeatable block is a set of objects; two sets are equal when their
// elements are, whatever their order, each nested attribute compared by its own rules.
func TestEqualAttrBlocks(t *testing.T) {
	grant := pt.AppType.Attribute("grant")
	set := func(vs ...cty.Value) cty.Value {
		if len(vs) == 0 {
			return cty.SetValEmpty(grant.Type.ElementType())
		}
		return cty.SetVal(vs)
	}
	g := pt.Grant
	tests := []struct {
		name  string
		x, y  cty.Value
		equal bool
	}{
		{"same", set(g("Graph", "Delegated", "Mail.Send")), set(g("Graph", "Delegated", "Mail.Send")), true},
		{"order of blocks", set(g("Graph", "Delegated", "Mail.Send"), g("Exchange", "Application", "full_access_as_app")),
			set(g("Exchange", "Application", "full_access_as_app"), g("Graph", "Delegated", "Mail.Send")), true},
		{"order within a nested set", set(g("Graph", "", "Mail.Send", "User.Read")), set(g("Graph", "", "User.Read", "Mail.Send")), true},
		{"FoldCase string", set(g("Graph", "", "Mail.Send")), set(g("GRAPH", "", "Mail.Send")), true},
		{"FoldCase nested set", set(g("Graph", "", "Mail.Send")), set(g("Graph", "", "mail.send")), true},
		{"case matters where the service keeps it", set(g("Graph", "Delegated")), set(g("Graph", "delegated")), false},
		{"a nested value changed", set(g("Graph", "Delegated", "Mail.Send")), set(g("Graph", "Delegated", "Mail.Read")), false},
		{"a nested value added", set(g("Graph", "", "Mail.Send")), set(g("Graph", "", "Mail.Send", "Mail.Read")), false},
		{"a nested value set", set(g("Graph", "")), set(g("Graph", "Delegated")), false},
		{"a block added", set(g("Graph", "")), set(g("Graph", ""), g("Exchange", "")), false},
		{"a block replaced", set(g("Graph", ""), g("Exchange", "")), set(g("Graph", ""), g("SharePoint", "")), false},
		{"null and empty are the same", cty.NullVal(grant.Type), set(), true},
		{"null and a block", cty.NullVal(grant.Type), set(g("Graph", "")), false},
		// As at the top level: a block written without scopes equals one read back with [].
		{"null and empty nested sets are the same", set(g("Graph", "")), set(g("Graph", "", []string{}...)), true},
		{"an empty nested set is not a value", set(g("Graph", "", []string{}...)), set(g("Graph", "", "Mail.Send")), false},
		{"an empty string is null", set(cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal("Graph"), "kind": cty.StringVal(""), "scopes": cty.NullVal(cty.Set(cty.String))})),
			set(g("Graph", "")), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := equalAttr(grant, tc.x, tc.y); got != tc.equal {
				t.Errorf("equalAttr(%s, %s) = %v", Display(tc.x), Display(tc.y), got)
			}
			if got := equalAttr(grant, tc.y, tc.x); got != tc.equal {
				t.Errorf("equalAttr(%s, %s) = %v (reversed)", Display(tc.y), Display(tc.x), got)
			}
		})
	}
}
