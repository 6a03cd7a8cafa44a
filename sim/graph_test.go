package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"
)

// graphClient calls the sim's Graph with a real azidentity token.
type graphClient struct {
	t      *testing.T
	s      *Server
	cloud  Cloud
	http   *http.Client
	bearer string
}

func newGraphClient(t *testing.T, s *Server) *graphClient {
	t.Helper()
	c := s.Cloud()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := credential(t, c, c.TenantID, c.ClientSecret).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{c.GraphScope}})
	if err != nil {
		t.Fatalf("GetToken(%s) = %v", c.GraphScope, err)
	}
	return &graphClient{t: t, s: s, cloud: c, http: hc, bearer: tok.Token}
}

// mintToken signs a token with the tenant's key for tests of claims the
// token endpoint never issues.
func mintToken(t *testing.T, s *Server, aud, tid string, roles []string) string {
	t.Helper()
	var key []byte
	s.store.read(func(st *state) error {
		key, _ = base64.StdEncoding.DecodeString(st.TokenSigningKey)
		if tid == "" {
			tid = st.Tenant.ID
		}
		return nil
	})
	now := time.Now()
	tok, err := signJWT(key, &tokenClaims{Aud: aud, TID: tid, Roles: roles, Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(time.Hour).Unix(), AppID: newGUID()})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type gResult struct {
	status int
	header http.Header
	raw    []byte
	obj    map[string]any
}

func (c *graphClient) do(method, path string, body any) gResult {
	c.t.Helper()
	return c.doURL(method, c.cloud.GraphURL+"/v1.0"+path, body, c.bearer)
}

func (c *graphClient) doURL(method, u string, body any, bearer string) gResult {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := gResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.obj); err != nil {
			c.t.Fatalf("%s %s: body %q is not JSON: %v", method, u, raw, err)
		}
	}
	return r
}

func (c *graphClient) must(want int, method, path string, body any) gResult {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, want)
	}
	return r
}

func values(r gResult) []map[string]any {
	var out []map[string]any
	for _, v := range r.obj["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// graphErrorOf checks the Graph error shape and returns code and message.
func graphErrorOf(t *testing.T, r gResult) (code, message string) {
	t.Helper()
	e, _ := r.obj["error"].(map[string]any)
	inner, _ := e["innerError"].(map[string]any)
	if e == nil || inner == nil || inner["date"] == nil || inner["request-id"] == nil || inner["client-request-id"] == nil {
		t.Fatalf("not a Graph error body: %s", r.raw)
	}
	return e["code"].(string), e["message"].(string)
}

func q(s string) string { return url.QueryEscape(s) }

func TestGraph_Auth(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	for name, tc := range map[string]struct {
		bearer string
		want   int
		code   string
	}{
		"no token":         {"", 401, "InvalidAuthenticationToken"},
		"garbage":          {"abc.def.ghi", 401, "InvalidAuthenticationToken"},
		"exchange token":   {mintToken(t, s, exchangeResource, "", []string{"Application.ReadWrite.All"}), 401, "InvalidAuthenticationToken"},
		"other tenant":     {mintToken(t, s, graphResource, newGUID(), []string{"Application.ReadWrite.All"}), 401, "InvalidAuthenticationToken"},
		"no roles":         {mintToken(t, s, graphResource, "", nil), 403, "Authorization_RequestDenied"},
		"graph app id aud": {mintToken(t, s, graphResourceApp, "", []string{"Directory.Read.All"}), 200, ""},
		"azidentity token": {c.bearer, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.doURL("GET", c.cloud.GraphURL+"/v1.0/applications", nil, tc.bearer)
			if r.status != tc.want {
				t.Fatalf("status %d %s, want %d", r.status, r.raw, tc.want)
			}
			if tc.code != "" {
				if code, _ := graphErrorOf(t, r); code != tc.code {
					t.Errorf("code %s, want %s", code, tc.code)
				}
			}
		})
	}
	// A reader may not write.
	reader := mintToken(t, s, graphResource, "", []string{"Directory.Read.All"})
	for _, w := range []struct{ method, path string }{
		{"POST", "/applications"}, {"POST", "/oauth2PermissionGrants"}, {"PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy"},
	} {
		r := c.doURL(w.method, c.cloud.GraphURL+"/v1.0"+w.path, map[string]any{}, reader)
		if code, _ := graphErrorOf(t, r); r.status != 403 || code != "Authorization_RequestDenied" {
			t.Errorf("%s %s as reader = %d %s, want 403", w.method, w.path, r.status, r.raw)
		}
	}
	// Policy.ReadWrite.SecurityDefaults alone may patch security defaults.
	sd := mintToken(t, s, graphResource, "", []string{"Policy.ReadWrite.SecurityDefaults"})
	if r := c.doURL("PATCH", c.cloud.GraphURL+"/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", map[string]any{"isEnabled": false}, sd); r.status != 204 {
		t.Errorf("PATCH security defaults = %d %s", r.status, r.raw)
	}
}

func TestGraph_Seed(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	spByApp := func(appID string) map[string]any {
		r := c.must(200, "GET", "/servicePrincipals?$filter="+q("appId eq '"+appID+"'"), nil)
		v := values(r)
		if len(v) != 1 {
			t.Fatalf("service principals for %s: %s", appID, r.raw)
		}
		return v[0]
	}
	find := func(list any, value string) string {
		for _, it := range list.([]any) {
			m := it.(map[string]any)
			if m["value"] == value {
				return m["id"].(string)
			}
		}
		return ""
	}
	exo, graph := spByApp(exchangeResourceApp), spByApp(graphResourceApp)
	if exo["displayName"] != "Office 365 Exchange Online" || graph["displayName"] != "Microsoft Graph" {
		t.Errorf("display names %v, %v", exo["displayName"], graph["displayName"])
	}
	for _, tc := range []struct {
		sp        map[string]any
		prop, val string
		want      string
	}{
		{exo, "appRoles", "Exchange.ManageAsApp", "dc50a0fb-09a3-484d-be87-e023b12c6440"},
		{exo, "appRoles", "Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"},
		{graph, "appRoles", "Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"},
		{exo, "appRoles", "full_access_as_app", "dc890d15-9560-4a4c-9b7f-a736ec74ec40"},
		{exo, "oauth2PermissionScopes", "SMTP.Send", "76faac2a-0f20-42f1-928a-50de5b9dbe52"},
		{graph, "oauth2PermissionScopes", "SMTP.Send", "258f6531-6087-4cc4-bb90-092c5fb3ed3f"},
		{graph, "oauth2PermissionScopes", "offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"},
		{graph, "appRoles", "Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"},
	} {
		if got := find(tc.sp[tc.prop], tc.val); got != tc.want {
			t.Errorf("%s %s %s = %q, want %s", tc.sp["displayName"], tc.prop, tc.val, got, tc.want)
		}
	}
	// The admin app is an application and a service principal, and its
	// assignments are the roles its tokens carry.
	apps := values(c.must(200, "GET", "/applications?$filter="+q("appId eq '"+c.cloud.ClientID+"'"), nil))
	if len(apps) != 1 {
		t.Fatalf("admin application: %v", apps)
	}
	pcs := apps[0]["passwordCredentials"].([]any)
	if len(pcs) != 1 || pcs[0].(map[string]any)["hint"] != c.cloud.ClientSecret[:3] || pcs[0].(map[string]any)["secretText"] != nil {
		t.Errorf("admin passwordCredentials = %v", pcs)
	}
	admin := spByApp(c.cloud.ClientID)
	var got []string
	for _, a := range values(c.must(200, "GET", "/servicePrincipals/"+admin["id"].(string)+"/appRoleAssignments", nil)) {
		res := map[string]map[string]any{exo["id"].(string): exo, graph["id"].(string): graph}[a["resourceId"].(string)]
		for _, r := range res["appRoles"].([]any) {
			if r.(map[string]any)["id"] == a["appRoleId"] {
				got = append(got, res["displayName"].(string)+":"+r.(map[string]any)["value"].(string))
			}
		}
	}
	slices.Sort(got)
	want := []string{"Microsoft Graph:AppRoleAssignment.ReadWrite.All", "Microsoft Graph:Application.ReadWrite.All",
		"Microsoft Graph:DelegatedPermissionGrant.ReadWrite.All", "Microsoft Graph:Directory.Read.All",
		"Microsoft Graph:Policy.ReadWrite.ConditionalAccess", "Office 365 Exchange Online:Exchange.ManageAsApp"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("admin assignments (-want +got):\n%s", d)
	}
	// The vendor app is not registered.
	if v := values(c.must(200, "GET", "/servicePrincipals?$filter="+q("appId eq '"+vendorAppID+"'"), nil)); len(v) != 0 {
		t.Errorf("vendor service principal exists before consent: %v", v)
	}
}

func TestGraph_Applications(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	r := c.must(201, "POST", "/applications", map[string]any{
		"displayName": "Property management", "tags": []string{"exoform"}, "notes": "managed",
		"requiredResourceAccess": []any{map[string]any{"resourceAppId": exchangeResourceApp, "resourceAccess": []any{map[string]any{"id": "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "type": "Role"}}}},
	})
	id, appID := r.obj["id"].(string), r.obj["appId"].(string)
	if r.obj["signInAudience"] != "AzureADMyOrg" || r.obj["@odata.context"] == nil || len(r.obj["passwordCredentials"].([]any)) != 0 {
		t.Errorf("created = %s", r.raw)
	}
	got := c.must(200, "GET", "/applications/"+id, nil)
	if got.obj["displayName"] != "Property management" || got.obj["appId"] != appID {
		t.Errorf("GET = %s", got.raw)
	}
	c.must(200, "GET", "/applications(appId='"+appID+"')", nil)
	sel := c.must(200, "GET", "/applications/"+id+"?$select=displayName,tags", nil)
	if _, ok := sel.obj["appId"]; ok || sel.obj["displayName"] == nil {
		t.Errorf("$select = %s", sel.raw)
	}
	c.must(204, "PATCH", "/applications/"+id, map[string]any{"tags": []string{"a", "b"}, "displayName": "Renamed"})
	if g := c.must(200, "GET", "/applications/"+id, nil); g.obj["displayName"] != "Renamed" || len(g.obj["tags"].([]any)) != 2 {
		t.Errorf("after PATCH = %s", g.raw)
	}
	if r := c.do("PATCH", "/applications/"+id, map[string]any{"bogus": 1}); r.status != 400 {
		t.Errorf("PATCH unknown property = %d", r.status)
	}
	// Secrets: the text appears once.
	pw := c.must(200, "POST", "/applications/"+id+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "ci"}})
	secret, _ := pw.obj["secretText"].(string)
	if len(secret) < 16 || len(secret) > 64 || pw.obj["hint"] != secret[:3] || pw.obj["keyId"] == nil || pw.obj["endDateTime"] == nil {
		t.Fatalf("addPassword = %s", pw.raw)
	}
	for _, p := range []string{"/applications/" + id, "/applications", "/applications/" + id + "?$select=passwordCredentials"} {
		if b := c.must(200, "GET", p, nil).raw; bytes.Contains(b, []byte(secret)) {
			t.Errorf("GET %s shows the secret", p)
		}
	}
	g := c.must(200, "GET", "/applications/"+id, nil)
	pcs := g.obj["passwordCredentials"].([]any)
	if len(pcs) != 1 || pcs[0].(map[string]any)["secretText"] != nil || pcs[0].(map[string]any)["hint"] != secret[:3] {
		t.Errorf("passwordCredentials = %v", pcs)
	}
	c.must(204, "POST", "/applications/"+id+"/removePassword", map[string]any{"keyId": pw.obj["keyId"]})
	if r := c.do("POST", "/applications/"+id+"/removePassword", map[string]any{"keyId": pw.obj["keyId"]}); r.status != 400 {
		t.Errorf("second removePassword = %d", r.status)
	}
	// Federated credentials.
	fic := map[string]any{"name": "github-main", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:ref:refs/heads/main", "audiences": []string{"api://AzureADTokenExchange"}}
	f := c.must(201, "POST", "/applications/"+id+"/federatedIdentityCredentials", fic)
	if r := c.do("POST", "/applications/"+id+"/federatedIdentityCredentials", fic); r.status != 409 {
		t.Errorf("duplicate FIC = %d %s", r.status, r.raw)
	}
	if l := values(c.must(200, "GET", "/applications/"+id+"/federatedIdentityCredentials", nil)); len(l) != 1 || l[0]["subject"] != fic["subject"] {
		t.Errorf("FICs = %v", l)
	}
	c.must(204, "DELETE", "/applications/"+id+"/federatedIdentityCredentials/"+f.obj["id"].(string), nil)
	// Owners.
	admin := values(c.must(200, "GET", "/servicePrincipals?$filter="+q("appId eq '"+c.cloud.ClientID+"'"), nil))[0]["id"].(string)
	c.must(204, "POST", "/applications/"+id+"/owners/$ref", map[string]any{"@odata.id": c.cloud.GraphURL + "/v1.0/directoryObjects/" + admin})
	if l := values(c.must(200, "GET", "/applications/"+id+"/owners", nil)); len(l) != 1 || l[0]["id"] != admin {
		t.Errorf("owners = %v", l)
	}
	// Delete.
	c.must(204, "DELETE", "/applications/"+id, nil)
	r = c.do("GET", "/applications/"+id, nil)
	if code, _ := graphErrorOf(t, r); r.status != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("GET deleted = %d %s", r.status, r.raw)
	}
	if r := c.do("POST", "/applications", map[string]any{"displayName": "x", "signInAudience": "Everyone"}); r.status != 400 {
		t.Errorf("bad signInAudience = %d", r.status)
	}
}

func TestGraph_PagingAndFilter(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	for i := range 5 {
		c.must(201, "POST", "/applications", map[string]any{"displayName": fmt.Sprintf("paged %d", i)})
	}
	var names []string
	next := c.cloud.GraphURL + "/v1.0/applications?$top=2&$select=displayName"
	pages := 0
	for next != "" {
		r := c.doURL("GET", next, nil, c.bearer)
		if r.status != 200 {
			t.Fatalf("GET %s = %d %s", next, r.status, r.raw)
		}
		for _, v := range values(r) {
			names = append(names, v["displayName"].(string))
		}
		next, _ = r.obj["@odata.nextLink"].(string)
		pages++
	}
	if len(names) != 6 || pages != 3 { // 5 + the admin app
		t.Errorf("paged %d pages: %v", pages, names)
	}
	if v := values(c.must(200, "GET", "/applications?$filter="+q("displayName eq 'PAGED 3'"), nil)); len(v) != 1 {
		t.Errorf("displayName eq = %v", v)
	}
	if v := values(c.must(200, "GET", "/applications?$filter="+q("startswith(displayName,'paged')"), nil)); len(v) != 5 {
		t.Errorf("startswith = %d", len(v))
	}
	for _, bad := range []string{"/applications?$top=1000", "/applications?$filter=" + q("notes eq 'x'"), "/applications?$filter=" + q("displayName ne 'x'")} {
		if r := c.do("GET", bad, nil); r.status != 400 {
			t.Errorf("GET %s = %d", bad, r.status)
		}
	}
}

func TestGraph_ServicePrincipalsAndConsent(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	r := c.do("POST", "/servicePrincipals", map[string]any{"appId": newGUID()})
	if _, msg := graphErrorOf(t, r); r.status != 400 || !strings.Contains(msg, "does not reference a valid application object") {
		t.Errorf("unknown appId = %d %s", r.status, r.raw)
	}
	vendor := c.must(201, "POST", "/servicePrincipals", map[string]any{"appId": vendorAppID})
	if vendor.obj["appOwnerOrganizationId"] != vendorTenantID || len(vendor.obj["oauth2PermissionScopes"].([]any)) != 1 {
		t.Errorf("vendor sp = %s", vendor.raw)
	}
	if r := c.do("POST", "/servicePrincipals", map[string]any{"appId": vendorAppID}); r.status != 409 {
		t.Errorf("duplicate sp = %d", r.status)
	}
	vid := vendor.obj["id"].(string)
	c.must(204, "PATCH", "/servicePrincipals/"+vid, map[string]any{"tags": []string{"HideApp"}})
	spw := c.must(200, "POST", "/servicePrincipals/"+vid+"/addPassword", map[string]any{})
	if sec, _ := spw.obj["secretText"].(string); sec == "" || bytes.Contains(c.must(200, "GET", "/servicePrincipals/"+vid, nil).raw, []byte(sec)) {
		t.Errorf("service principal addPassword = %s", spw.raw)
	}
	c.must(204, "POST", "/servicePrincipals/"+vid+"/removePassword", map[string]any{"keyId": spw.obj["keyId"]})
	exo := c.must(200, "GET", "/servicePrincipals(appId='"+exchangeResourceApp+"')", nil).obj["id"].(string)
	graph := c.must(200, "GET", "/servicePrincipals(appId='"+graphResourceApp+"')", nil).obj["id"].(string)

	// Application permission: app role assignment.
	body := map[string]any{"principalId": vid, "resourceId": exo, "appRoleId": "7146a1f0-8703-45b3-9eae-527a64c00995"}
	a := c.must(201, "POST", "/servicePrincipals/"+exo+"/appRoleAssignedTo", body)
	aid := a.obj["id"].(string)
	if _, isGUID := parseGUID(aid); isGUID || a.obj["principalType"] != "ServicePrincipal" || a.obj["resourceDisplayName"] != "Office 365 Exchange Online" {
		t.Errorf("assignment = %s", a.raw)
	}
	r = c.do("POST", "/servicePrincipals/"+exo+"/appRoleAssignedTo", body)
	if _, msg := graphErrorOf(t, r); r.status != 400 || msg != "Permission being assigned already exists on the object." {
		t.Errorf("duplicate assignment = %d %s", r.status, r.raw)
	}
	// Graph's SMTP role id is not an Exchange app role.
	r = c.do("POST", "/servicePrincipals/"+exo+"/appRoleAssignedTo", map[string]any{"principalId": vid, "resourceId": exo, "appRoleId": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"})
	if r.status != 400 {
		t.Errorf("unknown role = %d %s", r.status, r.raw)
	}
	if l := values(c.must(200, "GET", "/servicePrincipals/"+vid+"/appRoleAssignments", nil)); len(l) != 1 || l[0]["id"] != aid {
		t.Errorf("appRoleAssignments = %v", l)
	}
	c.must(204, "DELETE", "/servicePrincipals/"+exo+"/appRoleAssignedTo/"+aid, nil)
	if r := c.do("DELETE", "/servicePrincipals/"+exo+"/appRoleAssignedTo/"+aid, nil); r.status != 404 {
		t.Errorf("second delete = %d", r.status)
	}

	// Delegated permission: grant.
	gr := c.must(201, "POST", "/oauth2PermissionGrants", map[string]any{"clientId": vid, "consentType": "AllPrincipals", "resourceId": graph, "scope": "SMTP.Send offline_access"})
	gid := gr.obj["id"].(string)
	if r := c.do("POST", "/oauth2PermissionGrants", map[string]any{"clientId": vid, "consentType": "AllPrincipals", "resourceId": graph, "scope": "SMTP.Send"}); r.status != 409 {
		t.Errorf("duplicate grant = %d", r.status)
	}
	l := values(c.must(200, "GET", "/oauth2PermissionGrants?$filter="+q("clientId eq '"+vid+"' and resourceId eq '"+graph+"'"), nil))
	if len(l) != 1 || l[0]["scope"] != "SMTP.Send offline_access" {
		t.Errorf("grants = %v", l)
	}
	c.must(204, "PATCH", "/oauth2PermissionGrants/"+gid, map[string]any{"scope": "SMTP.Send"})
	if g := c.must(200, "GET", "/oauth2PermissionGrants/"+gid, nil); g.obj["scope"] != "SMTP.Send" {
		t.Errorf("after PATCH = %s", g.raw)
	}
	c.must(204, "DELETE", "/oauth2PermissionGrants/"+gid, nil)
	c.must(404, "GET", "/oauth2PermissionGrants/"+gid, nil)
	// Deleting the service principal drops its grants and assignments.
	c.must(201, "POST", "/oauth2PermissionGrants", map[string]any{"clientId": vid, "consentType": "AllPrincipals", "resourceId": exo, "scope": "SMTP.Send"})
	c.must(204, "DELETE", "/servicePrincipals/"+vid, nil)
	if l := values(c.must(200, "GET", "/oauth2PermissionGrants?$filter="+q("clientId eq '"+vid+"'"), nil)); len(l) != 0 {
		t.Errorf("grants after SP delete = %v", l)
	}
}

func TestGraph_PolicyUsersDomainsOrg(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	p := "/policies/identitySecurityDefaultsEnforcementPolicy"
	if g := c.must(200, "GET", p, nil); g.obj["id"] != securityDefaultsID || g.obj["isEnabled"] != true {
		t.Errorf("security defaults = %s", g.raw)
	}
	c.must(204, "PATCH", p, map[string]any{"isEnabled": false})
	if g := c.must(200, "GET", p, nil); g.obj["isEnabled"] != false {
		t.Errorf("after PATCH = %s", g.raw)
	}
	if r := c.do("PATCH", p, map[string]any{"id": "x"}); r.status != 400 {
		t.Errorf("PATCH id = %d", r.status)
	}
	users := values(c.must(200, "GET", "/users", nil))
	var upns []string
	for _, u := range users {
		upns = append(upns, u["userPrincipalName"].(string))
	}
	for _, want := range []string{"adele@contoso.com", "alexw@contoso.com", "meganb@contoso.com", "support@contoso.com"} {
		if !slices.Contains(upns, want) {
			t.Errorf("users %v lack %s", upns, want)
		}
	}
	adele := values(c.must(200, "GET", "/users?$filter="+q("userPrincipalName eq 'adele@contoso.com'"), nil))
	if len(adele) != 1 {
		t.Fatalf("filter adele = %v", adele)
	}
	cl := newClient(t, s)
	mb := cl.mustInvoke("Get-Mailbox", map[string]any{"Identity": "adele@contoso.com"}).Value[0]
	if adele[0]["id"] != mb["ExternalDirectoryObjectId"] {
		t.Errorf("user id %v, mailbox ExternalDirectoryObjectId %v", adele[0]["id"], mb["ExternalDirectoryObjectId"])
	}
	c.must(200, "GET", "/users/adele@contoso.com", nil)
	c.must(200, "GET", "/users/"+adele[0]["id"].(string), nil)
	c.must(404, "GET", "/users/nobody@contoso.com", nil)
	doms := values(c.must(200, "GET", "/domains", nil))
	if len(doms) != 2 || doms[0]["id"] != "contoso.com" || doms[0]["isDefault"] != true || doms[1]["isInitial"] != true {
		t.Errorf("domains = %v", doms)
	}
	org := values(c.must(200, "GET", "/organization", nil))
	if len(org) != 1 || org[0]["id"] != c.cloud.TenantID {
		t.Errorf("organization = %v", org)
	}
}

func TestGraph_Batch(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	r := c.must(200, "POST", "/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/applications", "headers": map[string]string{"Content-Type": "application/json"}, "body": map[string]any{"displayName": "batched"}},
		map[string]any{"id": "2", "method": "GET", "url": "/applications?$filter=displayName eq 'batched'", "dependsOn": []string{"1"}},
		map[string]any{"id": "3", "method": "GET", "url": "/applications/" + newGUID()},
		map[string]any{"id": "4", "method": "GET", "url": "/domains", "dependsOn": []string{"3"}},
	}})
	resps := map[string]map[string]any{}
	for _, it := range r.obj["responses"].([]any) {
		m := it.(map[string]any)
		resps[m["id"].(string)] = m
	}
	if resps["1"]["status"] != 201.0 || resps["3"]["status"] != 404.0 || resps["4"]["status"] != 424.0 {
		t.Errorf("batch statuses: %s", r.raw)
	}
	if v := resps["2"]["body"].(map[string]any)["value"].([]any); resps["2"]["status"] != 200.0 || len(v) != 1 {
		t.Errorf("batch GET = %v", resps["2"])
	}
	var many []any
	for i := range 21 {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/domains"})
	}
	if r := c.do("POST", "/$batch", map[string]any{"requests": many}); r.status != 400 {
		t.Errorf("21 requests = %d", r.status)
	}
}

func TestGraph_Lag(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	s := startSim(t, Options{Lag: 30 * time.Second, now: clock.Now})
	c := newGraphClient(t, s)
	r := c.must(201, "POST", "/applications", map[string]any{"displayName": "lagged"})
	id, appID := r.obj["id"].(string), r.obj["appId"].(string)
	if r := c.do("GET", "/applications/"+id, nil); r.status != 404 {
		t.Errorf("GET new app at once = %d", r.status)
	}
	r = c.do("POST", "/servicePrincipals", map[string]any{"appId": appID})
	if _, msg := graphErrorOf(t, r); r.status != 400 || !strings.Contains(msg, "does not reference a valid application object") {
		t.Errorf("SP for unreplicated app = %d %s", r.status, r.raw)
	}
	clock.Advance(31 * time.Second)
	c.must(200, "GET", "/applications/"+id, nil)
	c.must(200, "POST", "/applications/"+id+"/addPassword", map[string]any{})
	g := c.must(200, "GET", "/applications/"+id, nil)
	if len(g.obj["passwordCredentials"].([]any)) != 0 {
		t.Errorf("new secret visible before it replicated: %s", g.raw)
	}
	clock.Advance(31 * time.Second)
	if g := c.must(200, "GET", "/applications/"+id, nil); len(g.obj["passwordCredentials"].([]any)) != 1 {
		t.Errorf("secret not visible after the lag: %s", g.raw)
	}
	c.must(201, "POST", "/servicePrincipals", map[string]any{"appId": appID})
}

func TestGraph_Faults(t *testing.T) {
	s := startSim(t, Options{Faults: "429:100%", RetryAfter: 2 * time.Second})
	c := newGraphClient(t, s) // the token endpoint is never faulted
	r := c.do("GET", "/applications", nil)
	if code, _ := graphErrorOf(t, r); r.status != 429 || r.header.Get("Retry-After") != "2" || code != "TooManyRequests" {
		t.Errorf("faulted GET = %d %v %s", r.status, r.header, r.raw)
	}
}

func TestGraph_AdvancedQueries(t *testing.T) {
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	eventual := func(path string) gResult {
		req, _ := http.NewRequest("GET", c.cloud.GraphURL+"/v1.0"+path, nil)
		req.Header.Set("Authorization", "Bearer "+c.bearer)
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		r := gResult{status: resp.StatusCode, header: resp.Header, raw: raw}
		json.Unmarshal(raw, &r.obj)
		return r
	}
	endsWith := "/users?$count=true&$filter=" + q("endswith(mail,'@contoso.com')")
	if r := c.do("GET", endsWith, nil); r.status != 400 {
		t.Errorf("endswith without ConsistencyLevel = %d", r.status)
	}
	r := eventual(endsWith)
	if r.status != 200 || len(values(r)) != 5 || r.obj["@odata.count"] != 5.0 {
		t.Errorf("endswith = %d %s", r.status, r.raw)
	}
	if r := eventual("/users/$count"); r.status != 200 || string(r.raw) != "5" {
		t.Errorf("users/$count = %d %q", r.status, r.raw)
	}
	in := "/servicePrincipals?$filter=" + q("appId in ('"+exchangeResourceApp+"','"+graphResourceApp+"')")
	if v := values(c.must(200, "GET", in, nil)); len(v) != 2 {
		t.Errorf("appId in = %d", len(v))
	}
	if r := c.do("GET", "/nothing", nil); r.status != 400 {
		t.Errorf("unknown segment = %d", r.status)
	}
	if r := c.do("PUT", "/applications", nil); r.status != 405 {
		t.Errorf("PUT = %d", r.status)
	}
}

func TestGraph_FaultsLostAndBatchItems(t *testing.T) {
	s := startSim(t, Options{Faults: "lost:100%"})
	c := newGraphClient(t, s)
	r, err := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", c.cloud.GraphURL+"/v1.0/applications", strings.NewReader(`{"displayName":"lost one"}`))
		req.Header.Set("Authorization", "Bearer "+c.bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}()
	if err == nil && r.StatusCode != 500 {
		t.Errorf("lost POST = %d, want 500 or a reset", r.StatusCode)
	}
	if v := values(c.must(200, "GET", "/applications?$filter="+q("displayName eq 'lost one'"), nil)); len(v) != 1 {
		t.Errorf("the lost write did not happen: %v", v)
	}

	s2 := startSim(t, Options{Faults: "429:50%", Seed: 7})
	c2 := newGraphClient(t, s2)
	var reqs []any
	for i := range 20 {
		reqs = append(reqs, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/domains"})
	}
	var statuses map[float64]int
	for range 10 { // the batch itself may be throttled too
		r := c2.do("POST", "/$batch", map[string]any{"requests": reqs})
		if r.status != 200 {
			continue
		}
		statuses = map[float64]int{}
		for _, it := range r.obj["responses"].([]any) {
			statuses[it.(map[string]any)["status"].(float64)]++
		}
		break
	}
	if statuses[429] == 0 || statuses[200] == 0 {
		t.Errorf("batch item statuses = %v, want some 429 and some 200", statuses)
	}
}
