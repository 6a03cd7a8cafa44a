package exchange_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// Test helpers for the transport-rule and application-scoping resources.

// ruleDesired evaluates one resource block of a type and returns its value.
func ruleDesired(t *testing.T, typ, body string) cty.Value {
	t.Helper()
	ev, ds := evaluate("exoform {\n  workspace = \"ws\"\n}\nresource \"" + typ + "\" \"x\" {\n" + body + "\n}\n")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ev.Instances[0].Value
}

// ruleType returns a registered resource type.
func ruleType(t *testing.T, typ string) *schema.ResourceType {
	t.Helper()
	rt, ok := offlineRegistry().ResourceType(typ)
	if !ok {
		t.Fatalf("no %s", typ)
	}
	return rt
}

// ruleResource returns a registered resource.
func ruleResource(t *testing.T, typ string) providers.Resource {
	t.Helper()
	res, ok := offlineRegistry().Resource(typ)
	if !ok {
		t.Fatalf("no %s", typ)
	}
	return res
}

// ruleLiveObject builds a live object of a type: every attribute null except those given.
func ruleLiveObject(t *testing.T, typ, key, id, owner string, attrs map[string]cty.Value) *providers.LiveObject {
	t.Helper()
	rt := ruleType(t, typ)
	all := map[string]cty.Value{}
	for _, a := range rt.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	for k, v := range attrs {
		if rt.Attribute(k) == nil {
			t.Fatalf("%s has no attribute %s", typ, k)
		}
		all[k] = v
	}
	return &providers.LiveObject{Key: key, ID: id, Owner: owner, Value: cty.ObjectVal(all)}
}

// A ruleCompileCase is one change compiled for a golden file.
type ruleCompileCase struct {
	name   string
	change providers.Change
}

// assertCompileGolden compiles every case and compares the operations (or the error) with
// testdata/rules/<file>.golden. Every operation is also checked against the cmdlet reference.
func assertCompileGolden(t *testing.T, typ, file string, cases []ruleCompileCase) {
	t.Helper()
	res := ruleResource(t, typ)
	ref, haveRef := tryReference()
	var b strings.Builder
	for _, tc := range cases {
		b.WriteString("## " + tc.name + "\n")
		ops, err := res.Compile(tc.change)
		if err != nil {
			b.WriteString("error: " + err.Error() + "\n\n")
			continue
		}
		again, _ := res.Compile(tc.change)
		if opsJSON(t, ops) != opsJSON(t, again) {
			t.Errorf("%s: compiling twice gave different operations", tc.name)
		}
		out, err := json.MarshalIndent(ops, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
		b.WriteString("\n\n")
		if haveRef {
			for _, op := range ops {
				checkOperation(t, ref, op)
			}
		}
	}
	golden.Assert(t, filepath.Join("testdata", "rules", file+".golden"), b.String())
}

func tryReference() (cmdletReference, bool) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "exchange-cmdlets.json"))
	if err != nil {
		return cmdletReference{}, false
	}
	var ref cmdletReference
	if json.Unmarshal(b, &ref) != nil {
		return cmdletReference{}, false
	}
	return ref, true
}

// TestValidateRuleResources runs each testdata/rules/validate/*.exo.hcl and compares the
// diagnostics, with their positions, with the .golden beside it. Files named ok_* must be valid.
func TestValidateRuleResources(t *testing.T) {
	runValidateGoldens(t, "testdata/rules/validate/*.exo.hcl")
}

// TestRuleOperationsExistInReference compiles, for every type of this family, a create and an
// update with every attribute set (and a delete for the owned types), and checks each cmdlet
// and parameter against Microsoft's reference, with the bulk reads.
func TestRuleOperationsExistInReference(t *testing.T) {
	ref := loadReference(t)
	m := providers.Marker{Workspace: "ws"}
	cases := []struct {
		typ, body string
		owned     bool
	}{
		{"exchange_transport_rule", fullTransportRule, true},
		{"exchange_service_principal", `app_id = "11111111-2222-3333-4444-555555555555"
object_id = "66666666-7777-8888-9999-000000000000"
display_name = "ERP"`, false},
		{"exchange_management_scope", `name = "Sales"
recipient_restriction_filter = "Department -eq 'Sales'"
exclusive = true`, false},
		{"exchange_management_role_assignment", `name = "ERP send"
role = "Application Mail.Send"
app = "11111111-2222-3333-4444-555555555555"
custom_resource_scope = "Sales"`, false},
		{"exchange_application_access_policy", `app_id = "11111111-2222-3333-4444-555555555555"
policy_scope_group_id = "Sales Team"
access_right = "RestrictAccess"
description = "d"`, true},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			rt := ruleType(t, tc.typ)
			res := ruleResource(t, tc.typ)
			full := ruleDesired(t, tc.typ, tc.body)
			var set []string
			for _, a := range rt.Attributes {
				if full.GetAttr(a.Name).IsNull() {
					t.Fatalf("the test configuration leaves %s unset", a.Name)
				}
				if !rt.IsKey(a.Name) {
					set = append(set, a.Name)
				}
			}
			prior := ruleLiveObject(t, tc.typ, rt.KeyOf(full), "id", "ws", nil)
			changes := []providers.Change{
				{Kind: providers.Create, Desired: full, Marker: m},
				{Kind: providers.Update, Desired: full, Prior: prior, Set: set, WriteMarker: tc.owned, Marker: m},
			}
			if tc.typ == "exchange_service_principal" || tc.typ == "exchange_management_scope" {
				// object_id and exclusive cannot change; check the rest.
				changes[1].Set = []string{"display_name", "recipient_restriction_filter"}
			}
			if tc.typ == "exchange_management_role_assignment" {
				// Another app's assignment is refused; a role change replaces it (Remove, New).
				changes[1].Set = []string{"role", "custom_resource_scope"}
				changes = append(changes, providers.Change{Kind: providers.Update, Desired: full, Prior: prior, Set: []string{"custom_resource_scope"}, Marker: m})
			}
			if tc.owned {
				changes = append(changes, providers.Change{Kind: providers.Delete, Prior: prior, Marker: m})
			}
			n := 0
			for _, c := range changes {
				ops, err := res.Compile(c)
				if err != nil {
					t.Fatal(err)
				}
				for _, op := range ops {
					checkOperation(t, ref, op)
					n++
				}
			}
			if n == 0 {
				t.Fatal("nothing compiled")
			}
		})
	}
	// Enabling and disabling a rule are their own cmdlets.
	rt := ruleType(t, "exchange_transport_rule")
	res := ruleResource(t, "exchange_transport_rule")
	for _, on := range []bool{true, false} {
		ops, err := res.Compile(providers.Change{Kind: providers.Update, Set: []string{"enabled"}, Marker: m,
			Desired: ruleDesired(t, rt.Name, `name = "R"`+"\nenabled = "+map[bool]string{true: "true", false: "false"}[on]),
			Prior:   ruleLiveObject(t, rt.Name, "R", "", "ws", map[string]cty.Value{"name": cty.StringVal("R"), "enabled": cty.BoolVal(!on)})})
		if err != nil || len(ops) != 1 {
			t.Fatalf("%v %v", ops, err)
		}
		checkOperation(t, ref, ops[0])
	}
	for _, read := range []providers.Operation{
		{Service: providers.Exchange, Cmdlet: "Get-TransportRule", Parameters: providers.Params{{Name: "ResultSize", Value: "Unlimited"}}},
		{Service: providers.Exchange, Cmdlet: "Get-ServicePrincipal"},
		{Service: providers.Exchange, Cmdlet: "Get-ManagementScope"},
		{Service: providers.Exchange, Cmdlet: "Get-ManagementRoleAssignment"},
		{Service: providers.Exchange, Cmdlet: "Get-ApplicationAccessPolicy"},
	} {
		checkOperation(t, ref, read)
	}
}
