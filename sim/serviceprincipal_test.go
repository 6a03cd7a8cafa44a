package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testAppID    = "ca73fffa-cedb-4b84-860f-d7fb8aa8a6c1"
	testObjectID = "7c7599b2-23af-45e3-99ff-0025d148e929"
)

// TestRBACForApplications_Chain walks the RBAC for Applications chain:
// service principal, management scope, role assignment, the test cmdlet, and
// the refusals along the way.
func TestRBACForApplications_Chain(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	for _, cmd := range []string{"Get-ServicePrincipal", "Get-ManagementScope", "Get-ManagementRoleAssignment", "Get-ApplicationAccessPolicy"} {
		if e := c.mustInvoke(cmd, nil); len(e.Value) != 0 {
			t.Errorf("%s on the seeded tenant = %v, want nothing", cmd, e.Value)
		}
	}

	// Service principal.
	sp := c.mustInvoke("New-ServicePrincipal", map[string]any{"AppId": strings.ToUpper(testAppID), "ObjectId": testObjectID, "DisplayName": "Mailer app"}).Value[0]
	if diff := cmp.Diff(map[string]any{"AppId": testAppID, "ObjectId": testObjectID, "DisplayName": "Mailer app", "Identity": testObjectID, "Id": testObjectID, "Name": testObjectID},
		map[string]any{"AppId": sp["AppId"], "ObjectId": sp["ObjectId"], "DisplayName": sp["DisplayName"], "Identity": sp["Identity"], "Id": sp["Id"], "Name": sp["Name"]}); diff != "" {
		t.Errorf("New-ServicePrincipal output mismatch (-want +got):\n%s", diff)
	}
	for _, id := range []string{testAppID, strings.ToUpper(testObjectID), "mailer APP", sp["Guid"].(string)} {
		if e := c.mustInvoke("Get-ServicePrincipal", map[string]any{"Identity": id}); len(e.Value) != 1 || e.Value[0]["AppId"] != testAppID {
			t.Errorf("Get-ServicePrincipal -Identity %q = %v", id, e.Value)
		}
	}
	for _, bad := range []struct {
		params   map[string]any
		status   int
		wantText string
	}{
		{map[string]any{"AppId": testAppID, "ObjectId": "11111111-1111-1111-1111-111111111111"}, 400, "already exists"},
		{map[string]any{"AppId": "not-a-guid", "ObjectId": testObjectID}, 400, "AppId"},
		{map[string]any{"AppId": "22222222-2222-2222-2222-222222222222"}, 400, "ObjectId"},
		{map[string]any{"AppId": "22222222-2222-2222-2222-222222222222", "ObjectId": "33333333-3333-3333-3333-333333333333", "ServiceId": "44444444-4444-4444-4444-444444444444"}, 400, "ServiceId"},
	} {
		if r := c.invoke("New-ServicePrincipal", bad.params); r.status != bad.status || !strings.Contains(string(r.body), bad.wantText) {
			t.Errorf("New-ServicePrincipal %v = %d %s, want %d mentioning %q", bad.params, r.status, r.body, bad.status, bad.wantText)
		}
	}
	// The deprecated ServiceId stands in for ObjectId.
	legacy := c.mustInvoke("New-ServicePrincipal", map[string]any{"AppId": "55555555-5555-5555-5555-555555555555", "ServiceId": "66666666-6666-6666-6666-666666666666"}).Value[0]
	if legacy["ObjectId"] != "66666666-6666-6666-6666-666666666666" || legacy["DisplayName"] != nil {
		t.Errorf("New-ServicePrincipal -ServiceId = %v", legacy)
	}

	// Management scope.
	scope := c.mustInvoke("New-ManagementScope", map[string]any{"Name": "Sales mailboxes", "RecipientRestrictionFilter": "Department -eq 'Sales' -or (PrimarySmtpAddress -like 'sales-*@contoso.com' -and -not (Alias -eq $null))"}).Value[0]
	if scope["ScopeRestrictionType"] != "RecipientScope" || scope["Exclusive"] != false || !strings.HasPrefix(scope["RecipientFilter"].(string), "Department -eq 'Sales'") {
		t.Errorf("New-ManagementScope output = %v", scope)
	}
	for _, f := range []string{"Department -eq 'Sales", "(Department -eq 'Sales'", "Department -gt 3", "Department 'Sales'", "-and Department -eq 'x'", ""} {
		r := c.invoke("New-ManagementScope", map[string]any{"Name": "Bad scope", "RecipientRestrictionFilter": f})
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "RecipientRestrictionFilter") {
			t.Errorf("filter %q = %d %s, want 400 naming RecipientRestrictionFilter", f, r.status, r.body)
		}
	}
	if r := c.invoke("New-ManagementScope", map[string]any{"Name": "SALES mailboxes", "RecipientRestrictionFilter": "Department -eq 'x'"}); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "already exists") {
		t.Errorf("duplicate scope = %d %s", r.status, r.body)
	}

	// Role assignment.
	a := c.mustInvoke("New-ManagementRoleAssignment", map[string]any{"App": testObjectID, "Role": "application mail.read", "CustomResourceScope": "Sales mailboxes"}).Value[0]
	if diff := cmp.Diff(map[string]any{
		"Name": "Application Mail.Read-Mailer app", "Role": "Application Mail.Read", "RoleAssignee": testObjectID, "RoleAssigneeName": "Mailer app",
		"RoleAssigneeType": "ServicePrincipal", "CustomResourceScope": "Sales mailboxes", "RecipientWriteScope": "CustomRecipientScope",
		"RecipientRelativeWriteScope": "CustomRecipientScope", "Enabled": true, "Identity": "Application Mail.Read-Mailer app",
	}, map[string]any{
		"Name": a["Name"], "Role": a["Role"], "RoleAssignee": a["RoleAssignee"], "RoleAssigneeName": a["RoleAssigneeName"],
		"RoleAssigneeType": a["RoleAssigneeType"], "CustomResourceScope": a["CustomResourceScope"], "RecipientWriteScope": a["RecipientWriteScope"],
		"RecipientRelativeWriteScope": a["RecipientRelativeWriteScope"], "Enabled": a["Enabled"], "Identity": a["Identity"],
	}); diff != "" {
		t.Errorf("New-ManagementRoleAssignment output mismatch (-want +got):\n%s", diff)
	}
	org := c.mustInvoke("New-ManagementRoleAssignment", map[string]any{"Name": "Mailer sends", "App": "Mailer app", "Role": "Application Mail.Send"}).Value[0]
	if org["RecipientWriteScope"] != "Organization" || org["CustomResourceScope"] != nil {
		t.Errorf("unscoped assignment = %v", org)
	}
	for _, bad := range []struct {
		params   map[string]any
		status   int
		wantText string
	}{
		{map[string]any{"App": testObjectID, "Role": "Application Mail.Frobnicate"}, 404, "couldn't be found"},
		{map[string]any{"App": "99999999-9999-9999-9999-999999999999", "Role": "Application Mail.Read"}, 404, "99999999"},
		{map[string]any{"App": testObjectID, "Role": "Application Mail.Read", "CustomResourceScope": "No such scope"}, 404, "No such scope"},
		{map[string]any{"User": "admin@contoso.com", "Role": "Application Mail.Read"}, 400, "service principal"},
		{map[string]any{"Role": "Application Mail.Read"}, 400, "Parameter set cannot be resolved"},
		{map[string]any{"App": testObjectID, "Role": "Application Mail.Read", "CustomRecipientWriteScope": "Sales mailboxes"}, 400, "CustomRecipientWriteScope"},
		{map[string]any{"App": testObjectID, "Role": "Application Mail.Read", "CustomResourceScope": "Sales mailboxes", "RecipientGroupScope": "Sales"}, 400, "only one"},
		{map[string]any{"Name": "Mailer sends", "App": testObjectID, "Role": "Application Mail.Read"}, 400, "already exists"},
		{map[string]any{"Name": strings.Repeat("x", 65), "App": testObjectID, "Role": "Application Mail.Read"}, 400, "64"},
	} {
		if r := c.invoke("New-ManagementRoleAssignment", bad.params); r.status != bad.status || !strings.Contains(string(r.body), bad.wantText) {
			t.Errorf("New-ManagementRoleAssignment %v = %d %s, want %d mentioning %q", bad.params, r.status, r.body, bad.status, bad.wantText)
		}
	}
	if got := names(c.mustInvoke("Get-ManagementRoleAssignment", map[string]any{"RoleAssignee": testAppID, "RecipientWriteScope": "CustomRecipientScope"}).Value); !cmp.Equal(got, []string{"Application Mail.Read-Mailer app"}) {
		t.Errorf("Get-ManagementRoleAssignment filtered = %v", got)
	}

	// Test-ServicePrincipalAuthorization evaluates the scope's filter.
	auth := func(resource string) map[string]string {
		p := map[string]any{"Identity": testAppID}
		if resource != "" {
			p["Resource"] = resource
		}
		out := map[string]string{}
		for _, o := range c.mustInvoke("Test-ServicePrincipalAuthorization", p).Value {
			out[o["RoleName"].(string)] = o["ScopeType"].(string) + "/" + o["AllowedResourceScope"].(string) + "/" + o["InScope"].(string)
		}
		return out
	}
	for _, tt := range []struct {
		resource string
		want     map[string]string
	}{
		{"", map[string]string{"Application Mail.Read": "CustomRecipientScope/Sales mailboxes/Not Run", "Application Mail.Send": "Organization/Organization/Not Run"}},
		{"sales-emea@contoso.com", map[string]string{"Application Mail.Read": "CustomRecipientScope/Sales mailboxes/True", "Application Mail.Send": "Organization/Organization/True"}},
		{"ceo@contoso.com", map[string]string{"Application Mail.Read": "CustomRecipientScope/Sales mailboxes/False", "Application Mail.Send": "Organization/Organization/True"}},
	} {
		if diff := cmp.Diff(tt.want, auth(tt.resource)); diff != "" {
			t.Errorf("Test-ServicePrincipalAuthorization -Resource %q mismatch (-want +got):\n%s", tt.resource, diff)
		}
	}

	// The scope can't go while an assignment uses it.
	r := c.invoke("Remove-ManagementScope", map[string]any{"Identity": "Sales mailboxes", "Confirm": false})
	if _, typ, detail := exceptionOf(t, r.body); r.status != http.StatusBadRequest || typ != excValidation || !strings.Contains(detail, "Application Mail.Read-Mailer app") {
		t.Errorf("Remove-ManagementScope while assigned = %d %s, want 400 naming the assignment", r.status, r.body)
	}
	if got := names(c.mustInvoke("Get-ManagementScope", map[string]any{"Orphan": true}).Value); len(got) != 0 {
		t.Errorf("Get-ManagementScope -Orphan = %v, want none", got)
	}

	// Set: disable, rescope to the organization, rename the principal.
	c.mustInvoke("Set-ManagementRoleAssignment", map[string]any{"Identity": "Application Mail.Read-Mailer app", "Enabled": false, "CustomResourceScope": nil})
	got := c.mustInvoke("Get-ManagementRoleAssignment", map[string]any{"Identity": "application mail.read-mailer app"}).Value[0]
	if got["Enabled"] != false || got["CustomResourceScope"] != nil || got["RecipientWriteScope"] != "Organization" {
		t.Errorf("after Set-ManagementRoleAssignment: %v", got)
	}
	if r := c.invoke("Set-ManagementRoleAssignment", map[string]any{"Identity": "Mailer sends", "RecipientRelativeWriteScope": "MyGAL"}); r.status != http.StatusBadRequest {
		t.Errorf("Set-ManagementRoleAssignment -RecipientRelativeWriteScope on an App assignment = %d, want 400", r.status)
	}
	c.mustInvoke("Set-ServicePrincipal", map[string]any{"Identity": testObjectID, "DisplayName": "Mailer app v2"})
	if got := c.mustInvoke("Get-ManagementRoleAssignment", map[string]any{"Identity": "Mailer sends"}).Value[0]["RoleAssigneeName"]; got != "Mailer app v2" {
		t.Errorf("RoleAssigneeName after rename = %v", got)
	}
	if noop := c.mustInvoke("Set-ServicePrincipal", map[string]any{"Identity": testObjectID, "DisplayName": "Mailer app v2"}); len(noop.Warnings) != 1 {
		t.Errorf("no-op Set-ServicePrincipal warnings = %q", noop.Warnings)
	}

	// Now unused, the scope goes; removing the principal removes its
	// remaining assignments.
	c.mustInvoke("Remove-ManagementScope", map[string]any{"Identity": "Sales mailboxes", "Confirm": false})
	c.mustInvoke("Remove-ServicePrincipal", map[string]any{"Identity": testAppID, "Confirm": false})
	if e := c.mustInvoke("Get-ManagementRoleAssignment", nil); len(e.Value) != 0 {
		t.Errorf("assignments after Remove-ServicePrincipal = %v", names(e.Value))
	}
	for _, cmd := range []string{"Get-ServicePrincipal", "Get-ManagementScope", "Get-ManagementRoleAssignment"} {
		id := map[string]string{"Get-ServicePrincipal": testObjectID, "Get-ManagementScope": "Sales mailboxes", "Get-ManagementRoleAssignment": "Mailer sends"}[cmd]
		if r := c.invoke(cmd, map[string]any{"Identity": id}); r.status != http.StatusNotFound {
			t.Errorf("%s -Identity %q after removal = %d, want 404", cmd, id, r.status)
		}
	}
}

// TestRBACForApplications_SeededMailbox checks that scope filters see the
// properties of the recipient side's mailboxes.
func TestRBACForApplications_SeededMailbox(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	c.mustInvoke("New-ServicePrincipal", map[string]any{"AppId": testAppID, "ObjectId": testObjectID})
	c.mustInvoke("New-ManagementScope", map[string]any{"Name": "Adele only", "RecipientRestrictionFilter": "Alias -eq 'adele' -and RecipientTypeDetails -eq 'UserMailbox'"})
	a := c.mustInvoke("New-ManagementRoleAssignment", map[string]any{"App": testAppID, "Role": "Application Calendars.Read", "CustomResourceScope": "Adele only"}).Value[0]
	if a["Name"] != "Application Calendars.Read-"+testObjectID || a["RoleAssigneeName"] != testObjectID {
		t.Errorf("assignment to a principal without display name = %v", a)
	}
	for resource, want := range map[string]string{"Adele Vance": "True", "adele@contoso.com": "True", "alexw@contoso.com": "False", "info": "False"} {
		got := c.mustInvoke("Test-ServicePrincipalAuthorization", map[string]any{"Identity": testObjectID, "Resource": resource}).Value
		if len(got) != 1 || got[0]["InScope"] != want || got[0]["GrantedPermissions"] != "Calendars.Read" {
			t.Errorf("Test-ServicePrincipalAuthorization -Resource %q = %v, want InScope %s", resource, got, want)
		}
	}
	if got := names(c.mustInvoke("Get-ManagementRoleAssignment", map[string]any{"WritableRecipient": "adele"}).Value); len(got) != 1 {
		t.Errorf("Get-ManagementRoleAssignment -WritableRecipient adele = %v, want the assignment", got)
	}
	if got := names(c.mustInvoke("Get-ManagementRoleAssignment", map[string]any{"WritableRecipient": "meganb"}).Value); len(got) != 0 {
		t.Errorf("Get-ManagementRoleAssignment -WritableRecipient meganb = %v, want none", got)
	}
}
