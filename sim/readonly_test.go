package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"
)

// graphFixture is what the Graph write cases act on, made by the admin caller.
type graphFixture struct {
	appObj, appID, spID, graphSP, exoSP string
	keyID, ficID, ownerID, userID       string
	assignID, grantID                   string
}

func newGraphFixture(t *testing.T, c *graphClient) graphFixture {
	t.Helper()
	var f graphFixture
	app := c.must(201, "POST", "/applications", map[string]any{"displayName": "Read-only fixture"})
	f.appObj, f.appID = app.obj["id"].(string), app.obj["appId"].(string)
	f.spID = c.must(201, "POST", "/servicePrincipals", map[string]any{"appId": f.appID}).obj["id"].(string)
	f.graphSP = c.must(200, "GET", "/servicePrincipals(appId='"+graphResourceApp+"')", nil).obj["id"].(string)
	f.exoSP = c.must(200, "GET", "/servicePrincipals(appId='"+exchangeResourceApp+"')", nil).obj["id"].(string)
	f.keyID = c.must(200, "POST", "/applications/"+f.appObj+"/addPassword", map[string]any{}).obj["keyId"].(string)
	f.ficID = c.must(201, "POST", "/applications/"+f.appObj+"/federatedIdentityCredentials", map[string]any{
		"name": "fixture", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/a:ref:refs/heads/main",
		"audiences": []string{"api://AzureADTokenExchange"}}).obj["id"].(string)
	users := values(c.must(200, "GET", "/users", nil))
	if len(users) < 2 {
		t.Fatalf("users: %v", users)
	}
	f.ownerID, f.userID = users[0]["id"].(string), users[1]["id"].(string)
	c.must(204, "POST", "/applications/"+f.appObj+"/owners/$ref", map[string]any{"@odata.id": c.cloud.GraphURL + "/v1.0/directoryObjects/" + f.ownerID})
	f.assignID = c.must(201, "POST", "/servicePrincipals/"+f.exoSP+"/appRoleAssignedTo", map[string]any{
		"principalId": f.spID, "resourceId": f.exoSP, "appRoleId": "dc890d15-9560-4a4c-9b7f-a736ec74ec40"}).obj["id"].(string)
	f.grantID = c.must(201, "POST", "/oauth2PermissionGrants", map[string]any{
		"clientId": f.spID, "consentType": "AllPrincipals", "resourceId": f.exoSP, "scope": "SMTP.Send"}).obj["id"].(string)
	return f
}

// graphCall is one request of the read-only tests and what it does.
type graphCall struct {
	name         string
	method, path string
	body         any
	admin        int  // the status the admin caller gets
	write        bool // a write: refused to the read-only caller
}

// graphCalls are every write endpoint the sim serves (what exoform's apply sends) and the reads
// exoform's plan sends, in an order in which the admin's writes all succeed.
func graphCalls(f graphFixture, graphURL string) []graphCall {
	app, sp := "/applications/"+f.appObj, "/servicePrincipals/"+f.spID
	return []graphCall{
		{"list applications", "GET", "/applications?$select=id,appId,displayName,tags,passwordCredentials&$top=999", nil, 200, false},
		{"list service principals", "GET", "/servicePrincipals?$select=id,appId,displayName&$top=999", nil, 200, false},
		{"list grants", "GET", "/oauth2PermissionGrants?$top=999", nil, 200, false},
		{"list assignments on a resource", "GET", "/servicePrincipals/" + f.exoSP + "/appRoleAssignedTo?$top=999", nil, 200, false},
		{"list a principal's assignments", "GET", sp + "/appRoleAssignments", nil, 200, false},
		{"list federated credentials", "GET", app + "/federatedIdentityCredentials", nil, 200, false},
		{"list owners", "GET", app + "/owners?$select=id,userPrincipalName", nil, 200, false},
		{"read secrets metadata", "GET", "/applications(appId='" + f.appID + "')?$select=passwordCredentials", nil, 200, false},
		{"read security defaults", "GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil, 200, false},
		{"look up an owner", "GET", "/users/" + f.userID + "?$select=id", nil, 200, false},

		{"create application", "POST", "/applications", map[string]any{"displayName": "Refused"}, 201, true},
		{"update application", "PATCH", app, map[string]any{"notes": "changed"}, 204, true},
		{"add password", "POST", app + "/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "x"}}, 200, true},
		{"remove password", "POST", app + "/removePassword", map[string]any{"keyId": f.keyID}, 204, true},
		{"add federated credential", "POST", app + "/federatedIdentityCredentials", map[string]any{
			"name": "second", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:contoso/b:pull_request",
			"audiences": []string{"api://AzureADTokenExchange"}}, 201, true},
		{"update federated credential", "PATCH", app + "/federatedIdentityCredentials/" + f.ficID, map[string]any{"description": "d"}, 204, true},
		{"delete federated credential", "DELETE", app + "/federatedIdentityCredentials/" + f.ficID, nil, 204, true},
		{"add owner", "POST", app + "/owners/$ref", map[string]any{"@odata.id": graphURL + "/v1.0/directoryObjects/" + f.userID}, 204, true},
		{"remove owner", "DELETE", app + "/owners/" + f.ownerID + "/$ref", nil, 204, true},
		{"create service principal", "POST", "/servicePrincipals", map[string]any{"appId": vendorAppID}, 201, true},
		{"update service principal", "PATCH", sp, map[string]any{"notes": "changed"}, 204, true},
		{"add service principal password", "POST", sp + "/addPassword", map[string]any{}, 200, true},
		{"assign app role", "POST", "/servicePrincipals/" + f.graphSP + "/appRoleAssignedTo", map[string]any{
			"principalId": f.spID, "resourceId": f.graphSP, "appRoleId": "b633e1c5-b582-4048-a93e-9f11b44c7e96"}, 201, true},
		{"remove app role", "DELETE", "/servicePrincipals/" + f.exoSP + "/appRoleAssignedTo/" + f.assignID, nil, 204, true},
		{"create grant", "POST", "/oauth2PermissionGrants", map[string]any{
			"clientId": f.spID, "consentType": "AllPrincipals", "resourceId": f.graphSP, "scope": "offline_access"}, 201, true},
		{"update grant", "PATCH", "/oauth2PermissionGrants/" + f.grantID, map[string]any{"scope": "SMTP.Send IMAP.AccessAsUser.All"}, 204, true},
		{"delete grant", "DELETE", "/oauth2PermissionGrants/" + f.grantID, nil, 204, true},
		{"update security defaults", "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}, 204, true},
		{"delete service principal", "DELETE", sp, nil, 204, true},
		{"delete application", "DELETE", app, nil, 204, true},
	}
}

// TestReadOnly_Graph: every Graph write is refused to the read-only caller with Graph's 403 and
// leaves the tenant as it was, and allowed to the admin caller; the reads exoform's plan sends
// work for both. Stats counts each write and each refusal.
func TestReadOnly_Graph(t *testing.T) {
	for _, caller := range []Caller{CallerReadOnly, CallerAdmin} {
		t.Run(string(caller), func(t *testing.T) {
			s := startSim(t, Options{})
			f := newGraphFixture(t, newGraphClient(t, s))
			if err := SetCaller(s.opts.StatePath, caller); err != nil {
				t.Fatal(err)
			}
			c := newGraphClient(t, s) // a token with the caller's permissions
			before, err := os.ReadFile(s.opts.StatePath)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range graphCalls(f, c.cloud.GraphURL) {
				t.Run(tc.name, func(t *testing.T) {
					was := s.Stats().Graph
					r := c.do(tc.method, tc.path, tc.body)
					got := s.Stats().Graph
					refused := caller == CallerReadOnly && tc.write
					switch {
					case refused:
						code, msg := graphErrorOf(t, r)
						if r.status != http.StatusForbidden || code != "Authorization_RequestDenied" || msg != "Insufficient privileges to complete the operation." {
							t.Errorf("%s %s = %d %s, want 403 Authorization_RequestDenied", tc.method, tc.path, r.status, r.raw)
						}
					case r.status != tc.admin:
						t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, r.status, r.raw, tc.admin)
					}
					want := ServiceStats{Writes: boolInt(tc.write), WritesDenied: boolInt(refused)}
					if d := cmp.Diff(want, ServiceStats{Writes: got.Writes - was.Writes, WritesDenied: got.WritesDenied - was.WritesDenied,
						ReadsDenied: got.ReadsDenied - was.ReadsDenied}); d != "" {
						t.Errorf("counted (-want +got):\n%s", d)
					}
				})
			}
			after, err := os.ReadFile(s.opts.StatePath)
			if err != nil {
				t.Fatal(err)
			}
			if changed := !bytes.Equal(before, after); changed != (caller == CallerAdmin) {
				t.Errorf("the state file changed: %v, want %v", changed, caller == CallerAdmin)
			}
		})
	}
}

// TestReadOnly_GraphBatch: $batch items are authorised one by one, and only write items count as
// writes: a batch of GETs, the form of exoform's listings, writes nothing.
func TestReadOnly_GraphBatch(t *testing.T) {
	item := func(id, method, url string, body any) map[string]any {
		it := map[string]any{"id": id, "method": method, "url": url}
		if body != nil {
			it["body"], it["headers"] = body, map[string]string{"Content-Type": "application/json"}
		}
		return it
	}
	read1, read2 := item("1", "GET", "/applications?$top=999", nil), item("2", "GET", "/oauth2PermissionGrants?$top=999", nil)
	create := item("3", "POST", "/applications", map[string]any{"displayName": "batched"})
	patch := item("4", "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false})
	tests := []struct {
		name         string
		caller       Caller
		items        []any
		wantStatus   map[string]float64
		wantCounted  ServiceStats
		stateChanges bool
	}{
		{"reads as read-only", CallerReadOnly, []any{read1, read2}, map[string]float64{"1": 200, "2": 200}, ServiceStats{}, false},
		{"writes as read-only", CallerReadOnly, []any{read1, create, patch}, map[string]float64{"1": 200, "3": 403, "4": 403},
			ServiceStats{Writes: 2, WritesDenied: 2}, false},
		{"reads as admin", CallerAdmin, []any{read1, read2}, map[string]float64{"1": 200, "2": 200}, ServiceStats{}, false},
		{"writes as admin", CallerAdmin, []any{read1, create, patch}, map[string]float64{"1": 200, "3": 201, "4": 204},
			ServiceStats{Writes: 2}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSim(t, Options{})
			if err := SetCaller(s.opts.StatePath, tt.caller); err != nil {
				t.Fatal(err)
			}
			c := newGraphClient(t, s)
			before, _ := os.ReadFile(s.opts.StatePath)
			was := s.Stats().Graph
			r := c.must(200, "POST", "/$batch", map[string]any{"requests": tt.items})
			got := s.Stats().Graph
			status := map[string]float64{}
			for _, it := range r.obj["responses"].([]any) {
				m := it.(map[string]any)
				status[m["id"].(string)] = m["status"].(float64)
				if m["status"] == 403.0 {
					e := m["body"].(map[string]any)["error"].(map[string]any)
					if e["code"] != "Authorization_RequestDenied" || e["message"] != "Insufficient privileges to complete the operation." {
						t.Errorf("refused item %v: %v", m["id"], e)
					}
				}
			}
			if d := cmp.Diff(tt.wantStatus, status); d != "" {
				t.Errorf("item statuses (-want +got):\n%s", d)
			}
			counted := ServiceStats{Writes: got.Writes - was.Writes, WritesDenied: got.WritesDenied - was.WritesDenied, ReadsDenied: got.ReadsDenied - was.ReadsDenied}
			if d := cmp.Diff(tt.wantCounted, counted); d != "" {
				t.Errorf("counted (-want +got):\n%s", d)
			}
			after, _ := os.ReadFile(s.opts.StatePath)
			if changed := !bytes.Equal(before, after); changed != tt.stateChanges {
				t.Errorf("the state file changed: %v, want %v", changed, tt.stateChanges)
			}
		})
	}
}

// TestReadOnly_Exchange: every simulated cmdlet that writes is refused to the read-only caller
// (Global Reader) with Exchange's CmdletAccessDeniedException, and run for the admin caller
// (Exchange Administrator), whose refusals, if any, are about the parameters; every cmdlet that
// reads runs for both. Stats counts each write, InvokeCommand and $batch item alike.
func TestReadOnly_Exchange(t *testing.T) {
	var cmdlets []*cmdlet
	for _, k := range slices.Sorted(maps.Keys(cmdletRegistry)) {
		c := cmdletRegistry[k]
		cmdlets = append(cmdlets, c)
		// What doc.go promises Global Reader: the Get-* and Test-* cmdlets, and no other.
		if reads := strings.HasPrefix(c.name, "Get-") || strings.HasPrefix(c.name, "Test-"); reads == c.write {
			t.Errorf("%s: write = %v", c.name, c.write)
		}
	}
	for _, caller := range []Caller{CallerReadOnly, CallerAdmin} {
		t.Run(string(caller), func(t *testing.T) {
			s := startSim(t, Options{})
			if err := SetCaller(s.opts.StatePath, caller); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, s)
			before, _ := os.ReadFile(s.opts.StatePath)
			for _, cmd := range cmdlets {
				t.Run(cmd.name, func(t *testing.T) {
					was, wasDenied := s.Stats().Exchange.Writes, s.Stats().Exchange.WritesDenied
					r := c.invoke(cmd.name, nil)
					if r.err != nil {
						t.Fatal(r.err)
					}
					if got := s.Stats().Exchange.Writes - was; got != boolInt(cmd.write) {
						t.Errorf("counted %d writes, want %d", got, boolInt(cmd.write))
					}
					wantDenied := boolInt(caller == CallerReadOnly && cmd.write)
					if got := s.Stats().Exchange.WritesDenied - wasDenied; got != wantDenied {
						t.Errorf("counted %d refused writes, want %d", got, wantDenied)
					}
					if caller == CallerReadOnly && cmd.write {
						_, excType, detail := exceptionOf(t, r.body)
						if r.status != http.StatusForbidden || excType != excAccessDenied || !strings.HasSuffix(detail, "|User is not allowed to call "+cmd.name+".") {
							t.Errorf("status %d %s %q, want 403 %s", r.status, excType, detail, excAccessDenied)
						}
						return
					}
					if r.status == http.StatusForbidden {
						t.Errorf("refused: %s", r.body)
					}
				})
			}
			// A $batch item is authorised like the same InvokeCommand.
			was := s.Stats().Exchange.Writes
			items := decodeBatch(t, c.batch(map[string]any{"requests": []any{
				c.batchItem("read", c.invokeURL(), "Get-TransportConfig", nil, nil),
				c.batchItem("write", c.invokeURL(), "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": false}, nil),
			}}))
			wantWrite := map[Caller]int{CallerReadOnly: http.StatusForbidden, CallerAdmin: http.StatusOK}[caller]
			if items["read"].Status != http.StatusOK || items["write"].Status != wantWrite {
				t.Errorf("batch items read %d, write %d; want 200 and %d", items["read"].Status, items["write"].Status, wantWrite)
			}
			if got := s.Stats().Exchange.Writes - was; got != 1 {
				t.Errorf("the batch counted %d writes, want 1", got)
			}
			after, _ := os.ReadFile(s.opts.StatePath)
			if changed := !bytes.Equal(before, after); changed != (caller == CallerAdmin) {
				t.Errorf("the state file changed: %v, want %v", changed, caller == CallerAdmin)
			}
		})
	}
}

// TestSetCaller: the token endpoint issues the caller's permissions, and Graph shows the admin
// app's consented permissions as the same roles; the credentials stay; switching back to admin
// gives back the seed's admin app exactly.
func TestSetCaller(t *testing.T) {
	s := startSim(t, Options{})
	cloud := s.Cloud()
	var seeded state
	s.store.read(func(st *state) error { seeded = *clone(st); return nil })
	for _, caller := range []Caller{CallerReadOnly, CallerAdmin} {
		t.Run(string(caller), func(t *testing.T) {
			if err := SetCaller(s.opts.StatePath, caller); err != nil {
				t.Fatal(err)
			}
			g := callerGrants()[caller]
			if got := s.Cloud(); got.ClientID != cloud.ClientID || got.ClientSecret != cloud.ClientSecret {
				t.Errorf("the admin app's credentials changed")
			}
			for _, resource := range []string{graphResource, exchangeResource} {
				claims := issuedClaims(t, s, resource+"/.default")
				if d := cmp.Diff(g.appRoles[resource], claims.Roles); d != "" {
					t.Errorf("%s token roles (-want +got):\n%s", resource, d)
				}
				if d := cmp.Diff(g.directoryRoles, claims.WIDs); d != "" {
					t.Errorf("%s token wids (-want +got):\n%s", resource, d)
				}
			}
			// What Graph shows as consented is what the tokens carry.
			c := newGraphClient(t, s)
			admin := c.must(200, "GET", "/servicePrincipals(appId='"+cloud.ClientID+"')", nil).obj["id"].(string)
			roleNames := map[string]string{}
			for _, appID := range []string{graphResourceApp, exchangeResourceApp} {
				sp := c.must(200, "GET", "/servicePrincipals(appId='"+appID+"')", nil).obj
				for _, r := range sp["appRoles"].([]any) {
					m := r.(map[string]any)
					roleNames[sp["id"].(string)+":"+m["id"].(string)] = sp["appId"].(string) + ":" + m["value"].(string)
				}
			}
			var got, want []string
			for _, a := range values(c.must(200, "GET", "/servicePrincipals/"+admin+"/appRoleAssignments", nil)) {
				got = append(got, roleNames[a["resourceId"].(string)+":"+a["appRoleId"].(string)])
			}
			for resource, roles := range g.appRoles {
				appID := map[string]string{graphResource: graphResourceApp, exchangeResource: exchangeResourceApp}[resource]
				for _, r := range roles {
					want = append(want, appID+":"+r)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("consented app roles (-want +got):\n%s", d)
			}
		})
	}
	// Back to admin: the admin app, its application and its assignments are the seed's.
	var now state
	s.store.read(func(st *state) error { now = *clone(st); return nil })
	if d := cmp.Diff(seeded.AdminApp, now.AdminApp); d != "" {
		t.Errorf("admin app after read-only and back (-seed +now):\n%s", d)
	}
	adminOnly := func(st *state) map[string]any {
		out := map[string]any{}
		for k, v := range st.Graph.AppRoleAssignments {
			if v.Current != nil && v.Current.PrincipalID == st.AdminApp.ServicePrincipalID {
				out[k] = v.Current.AppRoleID
			}
		}
		for _, v := range st.Graph.Applications {
			if v.Current != nil && v.Current.App.AppID == st.AdminApp.ClientID {
				out["requiredResourceAccess"] = v.Current.App.RequiredResourceAccess
			}
		}
		return out
	}
	if d := cmp.Diff(adminOnly(&seeded), adminOnly(&now)); d != "" {
		t.Errorf("the admin app's Graph objects after read-only and back (-seed +now):\n%s", d)
	}
}

// TestCallerGrants: every caller's application permissions are app roles its resource defines, so SetCaller can show each as an assignment, and the callers differ in
// what they may do.
func TestCallerGrants(t *testing.T) {
	defined := map[string][]gAppRole{
		graphResource:    knownMultiTenantApp(graphResourceApp).AppRoles,
		exchangeResource: knownMultiTenantApp(exchangeResourceApp).AppRoles,
	}
	for _, c := range Callers() {
		g := callerGrants()[Caller(c)]
		for resource, roles := range g.appRoles {
			for _, r := range roles {
				if !slices.ContainsFunc(defined[resource], func(d gAppRole) bool { return d.Value == r }) {
					t.Errorf("caller %s: %s defines no app role %s", c, resource, r)
				}
			}
		}
		if !slices.Contains(g.appRoles[exchangeResource], roleManageAsApp) {
			t.Errorf("caller %s lacks Exchange.ManageAsApp: it could not read Exchange either", c)
		}
	}
	ro := callerGrants()[CallerReadOnly]
	for _, r := range ro.appRoles[graphResource] {
		if strings.Contains(r, "ReadWrite") {
			t.Errorf("the read-only caller holds %s", r)
		}
	}
	if !slices.Equal(ro.directoryRoles, []string{widGlobalReader}) {
		t.Errorf("read-only directory roles = %v, want Global Reader only", ro.directoryRoles)
	}
}

func TestParseCaller(t *testing.T) {
	tests := []struct {
		in      string
		want    Caller
		wantErr string
	}{
		{"admin", CallerAdmin, ""},
		{"read-only", CallerReadOnly, ""},
		{" Read-Only ", CallerReadOnly, ""},
		{"reader", "", `unknown caller "reader": give admin or read-only`},
		{"", "", `unknown caller "": give admin or read-only`},
	}
	for _, tt := range tests {
		got, err := ParseCaller(tt.in)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("ParseCaller(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if err := SetCaller(t.TempDir()+"/missing.json", CallerReadOnly); err == nil {
		t.Error("SetCaller on a missing state succeeded")
	}
}

func TestStatsTable_Writes(t *testing.T) {
	tests := []struct {
		name string
		st   Stats
		want []string
	}{
		{"nothing written", Stats{}, []string{"graph     0       0              0", "exchange  0       0              0"}},
		{"refusals", Stats{Graph: ServiceStats{Writes: 3, WritesDenied: 2, ReadsDenied: 1}, Exchange: ServiceStats{Writes: 12, WritesDenied: 12}},
			[]string{"graph     3       2              1", "exchange  12      12             0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.st.Table()
			_, second, ok := strings.Cut(got, "\n\n")
			if !ok {
				t.Fatalf("no second table in\n%s", got)
			}
			want := "service   writes  writes denied  reads denied\n" + strings.Join(tt.want, "\n") + "\n"
			if d := cmp.Diff(want, second); d != "" {
				t.Errorf("writes table (-want +got):\n%s", d)
			}
		})
	}
}

// issuedClaims gets a token from the sim's token endpoint, as azidentity does, and reads its claims.
func issuedClaims(t *testing.T, s *Server, scope string) *tokenClaims {
	t.Helper()
	c := s.Cloud()
	tok, err := credential(t, c, c.TenantID, c.ClientSecret).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	var key []byte
	s.store.read(func(st *state) error {
		key, _ = base64.StdEncoding.DecodeString(st.TokenSigningKey)
		return nil
	})
	claims, err := verifyJWT(key, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestReadOnly_PermissionPairs: the writes whose permission table reads "A and B" need both, and
// the reads whose table lists no Directory permission refuse Directory.Read.All alone.
func TestReadOnly_PermissionPairs(t *testing.T) {
	s := startSim(t, Options{})
	admin := newGraphClient(t, s)
	f := newGraphFixture(t, admin)
	ownerBody := map[string]any{"@odata.id": admin.cloud.GraphURL + "/v1.0/directoryObjects/" + f.userID}
	assignBody := map[string]any{"principalId": f.spID, "resourceId": f.graphSP, "appRoleId": "b633e1c5-b582-4048-a93e-9f11b44c7e96"}
	tests := []struct {
		name         string
		roles        []string
		method, path string
		body         any
		want         int
	}{
		{"owner without Directory.Read.All", []string{"Application.ReadWrite.All"}, "POST", "/applications/" + f.appObj + "/owners/$ref", ownerBody, 403},
		{"owner without Application.ReadWrite.All", []string{"Directory.Read.All"}, "POST", "/applications/" + f.appObj + "/owners/$ref", ownerBody, 403},
		{"owner with both", []string{"Application.ReadWrite.All", "Directory.Read.All"}, "POST", "/applications/" + f.appObj + "/owners/$ref", ownerBody, 204},
		{"assignment without a read permission", []string{"AppRoleAssignment.ReadWrite.All"}, "POST", "/servicePrincipals/" + f.graphSP + "/appRoleAssignedTo", assignBody, 403},
		{"assignment with Application.Read.All", []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}, "POST", "/servicePrincipals/" + f.graphSP + "/appRoleAssignedTo", assignBody, 201},
		{"removing an assignment needs no read permission", []string{"AppRoleAssignment.ReadWrite.All"}, "DELETE", "/servicePrincipals/" + f.exoSP + "/appRoleAssignedTo/" + f.assignID, nil, 204},
		{"grant with Directory.ReadWrite.All", []string{"Directory.ReadWrite.All"}, "PATCH", "/oauth2PermissionGrants/" + f.grantID, map[string]any{"scope": "SMTP.Send"}, 204},
		{"applications with Directory.Read.All", []string{"Directory.Read.All"}, "GET", "/applications", nil, 200},
		{"owners with Directory.Read.All", []string{"Directory.Read.All"}, "GET", "/applications/" + f.appObj + "/owners", nil, 200},
		{"one application with Directory.Read.All", []string{"Directory.Read.All"}, "GET", "/applications/" + f.appObj, nil, 403},
		{"federated credentials with Directory.Read.All", []string{"Directory.Read.All"}, "GET", "/applications/" + f.appObj + "/federatedIdentityCredentials", nil, 403},
		{"federated credentials with Application.Read.All", []string{"Application.Read.All"}, "GET", "/applications/" + f.appObj + "/federatedIdentityCredentials", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.doURL(tt.method, admin.cloud.GraphURL+"/v1.0"+tt.path, tt.body, mintToken(t, s, graphResource, "", tt.roles))
			if r.status != tt.want {
				t.Errorf("%s %s with %v = %d %s, want %d", tt.method, tt.path, tt.roles, r.status, r.raw, tt.want)
			}
		})
	}
}
