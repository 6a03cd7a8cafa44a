package exchange_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

func TestCompileManagementRoleAssignment(t *testing.T) {
	const typ = "exchange_management_role_assignment"
	m := providers.Marker{Workspace: "ws"}
	desired := ruleDesired(t, typ, `name = "ERP send as app"
role = "application smtp.sendasapp"
app = "`+erpObjectID+`"
custom_resource_scope = "ERP mailboxes"`)
	orgWide := ruleDesired(t, typ, `name = "ERP send as app"
role = "Application SMTP.SendAsApp"
app = "`+erpObjectID+`"
custom_resource_scope = ""`)
	live := ruleLiveObject(t, typ, "ERP send as app", "", "", map[string]cty.Value{
		"name": cty.StringVal("ERP send as app"), "role": cty.StringVal("Application Mail.Send"),
		"app": cty.StringVal(erpObjectID), "custom_resource_scope": cty.StringVal("Old scope")})
	otherApp := ruleLiveObject(t, typ, "ERP send as app", "", "", map[string]cty.Value{
		"name": cty.StringVal("ERP send as app"), "role": cty.StringVal("Application Mail.Send"),
		"app": cty.StringVal("99999999-1111-4222-8333-444444444444"), "custom_resource_scope": cty.StringVal("ERP mailboxes")})
	assertCompileGolden(t, typ, "management_role_assignment", []ruleCompileCase{
		{"create: role name in canonical case", providers.Change{Kind: providers.Create, Desired: desired, Marker: m}},
		{"create: organization-wide", providers.Change{Kind: providers.Create, Desired: orgWide, Marker: m}},
		{"update: scope in place", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live, Set: []string{"custom_resource_scope"}}},
		{"update: scope removed", providers.Change{Kind: providers.Update, Desired: orgWide, Marker: m, Prior: live, Set: []string{"custom_resource_scope"}}},
		{"update: a role change replaces the declared assignment", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live, Set: []string{"role", "custom_resource_scope"}}},
		{"update: an assignment of another app is refused, never replaced", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: otherApp, Set: []string{"app"}}},
		{"update: another app and a role change are refused too", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: otherApp, Set: []string{"role", "app"}}},
		{"delete is never compiled", providers.Change{Kind: providers.Delete, Prior: live, Marker: m}},
	})
}

// TestRoleAssignmentResolve: app may name the service principal by app id, object id or display
// name; it compares as the identity the live assignment reports, and a new assignment names the
// service principal by object id.
func TestRoleAssignmentResolve(t *testing.T) {
	const typ = "exchange_management_role_assignment"
	res := ruleResource(t, typ).(providers.Resolver)
	sp := *ruleLiveObject(t, "exchange_service_principal", erpAppID, erpObjectID, "", map[string]cty.Value{
		"app_id": cty.StringVal(erpAppID), "object_id": cty.StringVal(erpObjectID), "display_name": cty.StringVal("Contoso ERP")})
	other := *ruleLiveObject(t, "exchange_service_principal", "00000000-1111-4222-8333-444444444444", "", "", map[string]cty.Value{
		"app_id": cty.StringVal("00000000-1111-4222-8333-444444444444"), "object_id": cty.StringVal("99999999-1111-4222-8333-444444444444"), "display_name": cty.StringVal("Other")})
	assignment := func(app string) providers.LiveObject {
		return *ruleLiveObject(t, typ, "ERP", "", "", map[string]cty.Value{"name": cty.StringVal("ERP"), "role": cty.StringVal("Application Mail.Send"), "app": cty.StringVal(app)})
	}
	tests := []struct {
		name, app string
		live      []providers.LiveObject
		want      string
	}{
		{"app id, live reports the display name", erpAppID, []providers.LiveObject{assignment("Contoso ERP")}, "Contoso ERP"},
		{"display name, live reports the object id", "contoso erp", []providers.LiveObject{assignment(erpObjectID)}, erpObjectID},
		{"new assignment: object id", erpAppID, nil, erpObjectID},
		{"assignment of another app: object id, so the plan shows the change", erpAppID, []providers.LiveObject{assignment("Other")}, erpObjectID},
		{"unknown app: kept as written", "11111111-0000-4000-8000-000000000000", []providers.LiveObject{assignment(erpObjectID)}, "11111111-0000-4000-8000-000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := ruleDesired(t, typ, `name = "ERP"
role = "Application Mail.Send"
app = "`+tc.app+`"`)
			got, err := res.Resolve(d, map[string][]providers.LiveObject{"exchange_service_principal": {sp, other}, typ: tc.live})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.GetAttr("app").AsString()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
