package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApplicationAccessPolicy_CRUD(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	tenant := s.Cloud().TenantID
	const otherApp = "0b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

	pol := c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{
		"AppId": strings.ToUpper(testAppID), "policyScopeGroupId": "EvenUsers@contoso.com", "AccessRight": "restrictaccess",
		"Description": "Restrict this app to members of distribution group EvenUsers.",
	}).Value[0]
	identity, _ := pol["Identity"].(string)
	if !strings.HasPrefix(identity, tenant+`\`+testAppID+":") {
		t.Errorf("Identity = %q, want <tenant>\\<AppId>:<scope object id>", identity)
	}
	want := map[string]any{
		"AppId": []any{testAppID}, "AppId@odata.type": "#Collection(String)", "ScopeName": "EvenUsers@contoso.com",
		"ScopeIdentity": "EvenUsers@contoso.com", "AccessRight": "RestrictAccess",
		"Description": "Restrict this app to members of distribution group EvenUsers.", "IsValid": true,
		"ScopeIdentityRaw": strings.TrimPrefix(identity, tenant+`\`+testAppID+":"),
	}
	for k, v := range want {
		if diff := cmp.Diff(v, pol[k]); diff != "" {
			t.Errorf("New-ApplicationAccessPolicy output %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if got := c.mustInvoke("Get-ApplicationAccessPolicy", map[string]any{"Identity": strings.ToUpper(identity)}).Value; len(got) != 1 {
		t.Errorf("Get-ApplicationAccessPolicy -Identity = %v", got)
	}
	c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{"AppId": []string{testAppID, otherApp}, "PolicyScopeGroupID": "ceo@contoso.com", "AccessRight": "DenyAccess"})
	if e := c.mustInvoke("Get-ApplicationAccessPolicy", nil); len(e.Value) != 2 {
		t.Errorf("Get-ApplicationAccessPolicy = %d policies, want 2", len(e.Value))
	}

	// Deny beats restrict; a restricted app reaches only the scope.
	for _, tt := range []struct{ mailbox, app, want string }{
		{"EvenUsers@contoso.com", testAppID, "Granted"},
		{"ceo@contoso.com", testAppID, "Denied"},
		{"someone@contoso.com", testAppID, "Denied"},
		{"someone@contoso.com", otherApp, "Granted"},
		{"ceo@contoso.com", otherApp, "Denied"},
		{"ceo@contoso.com", "77777777-7777-7777-7777-777777777777", "Granted"},
	} {
		o := c.mustInvoke("Test-ApplicationAccessPolicy", map[string]any{"Identity": tt.mailbox, "AppId": tt.app}).Value[0]
		if o["AccessCheckResult"] != tt.want || o["Mailbox"] != tt.mailbox {
			t.Errorf("Test-ApplicationAccessPolicy %s %s = %v, want %s", tt.mailbox, tt.app, o, tt.want)
		}
	}

	// A policy scoped to a simulated mailbox names it and matches any of
	// its identities.
	const thirdApp = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	adele := c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{"AppId": thirdApp, "PolicyScopeGroupId": "adele@contoso.com", "AccessRight": "RestrictAccess"}).Value[0]
	if adele["ScopeName"] != "Adele Vance" || adele["ScopeIdentity"] != "Adele Vance" {
		t.Errorf("policy scoped to a mailbox: ScopeName %v, ScopeIdentity %v", adele["ScopeName"], adele["ScopeIdentity"])
	}
	for mailbox, want := range map[string]string{"Adele Vance": "Granted", "ADELE": "Granted", "alexw@contoso.com": "Denied"} {
		o := c.mustInvoke("Test-ApplicationAccessPolicy", map[string]any{"Identity": mailbox, "AppId": thirdApp}).Value[0]
		if o["AccessCheckResult"] != want {
			t.Errorf("Test-ApplicationAccessPolicy %s = %v, want %s", mailbox, o, want)
		}
	}

	for _, bad := range []struct {
		cmdlet   string
		params   map[string]any
		status   int
		wantText string
	}{
		{"New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "evenusers@contoso.com", "AccessRight": "RestrictAccess"}, 400, "already exists"},
		{"New-ApplicationAccessPolicy", map[string]any{"AppId": "nope", "PolicyScopeGroupId": "x@contoso.com", "AccessRight": "RestrictAccess"}, 400, "AppId"},
		{"New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "x@contoso.com", "AccessRight": "AllowAccess"}, 400, "AccessRight"},
		{"New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "AccessRight": "RestrictAccess"}, 400, "PolicyScopeGroupID"},
		{"Set-ApplicationAccessPolicy", map[string]any{"Identity": identity}, 400, "Description"},
		{"Set-ApplicationAccessPolicy", map[string]any{"Identity": "nope", "Description": "x"}, 404, "nope"},
		{"Test-ApplicationAccessPolicy", map[string]any{"Identity": "ceo@contoso.com"}, 400, "AppId"},
	} {
		if r := c.invoke(bad.cmdlet, bad.params); r.status != bad.status || !strings.Contains(string(r.body), bad.wantText) {
			t.Errorf("%s %v = %d %s, want %d mentioning %q", bad.cmdlet, bad.params, r.status, r.body, bad.status, bad.wantText)
		}
	}

	c.mustInvoke("Set-ApplicationAccessPolicy", map[string]any{"Identity": identity, "Description": "v2"})
	if got := c.mustInvoke("Get-ApplicationAccessPolicy", map[string]any{"Identity": identity}).Value[0]["Description"]; got != "v2" {
		t.Errorf("Description after Set = %v", got)
	}
	c.mustInvoke("Remove-ApplicationAccessPolicy", map[string]any{"Identity": identity, "Confirm": false})
	if r := c.invoke("Get-ApplicationAccessPolicy", map[string]any{"Identity": identity}); r.status != http.StatusNotFound {
		t.Errorf("Get after Remove = %d, want 404", r.status)
	}
}

func TestApplicationAccessPolicy_SizeLimit(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	// One policy with a huge description nearly fills the budget; the next
	// one does not fit, and neither does growing the first.
	c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "a@contoso.com", "AccessRight": "DenyAccess", "Description": strings.Repeat("d", aapBudget-aapBaseCost-aapAppCost-150)})
	r := c.invoke("New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "b@contoso.com", "AccessRight": "DenyAccess", "Description": strings.Repeat("d", 60)})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "The total size of App Access Policies exceeded the limit.") {
		t.Errorf("policy over the limit = %d %s, want 400 with the limit message", r.status, r.body)
	}
	c.mustInvoke("New-ApplicationAccessPolicy", map[string]any{"AppId": testAppID, "PolicyScopeGroupId": "b@contoso.com", "AccessRight": "DenyAccess", "Description": " "})
	if e := c.mustInvoke("Get-ApplicationAccessPolicy", nil); len(e.Value) != 2 {
		t.Errorf("policies = %d, want 2", len(e.Value))
	}
}
