package entra

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// TestScopesOfCompiledOperations: every operation the guard scenarios' plans compile, and
// every guard read, has delegated scopes; and the scenarios use every row of the table, so no
// row is untested.
func TestScopesOfCompiledOperations(t *testing.T) {
	var scoper providers.Scoper = NewProvider(nil)
	used := map[string]bool{}
	for _, sc := range guardScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			runGuardScenario(t, sc, func(op providers.Operation) {
				key := op.Method + " " + scopePattern(op.Path)
				used[key] = true
				if len(scoper.Scopes(op)) == 0 {
					t.Errorf("%s (%s) has no scopes", op, key)
				}
			})
		})
	}
	var unused []string
	for k := range graphScopes {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("rows no scenario uses: %v", unused)
	}
}

// TestProviderIsScoper: the executor Register adds is the Scoper.
func TestProviderIsScoper(t *testing.T) {
	reg := providers.NewRegistry()
	NewProvider(nil).Register(reg)
	ex, ok := reg.Executor(providers.Graph)
	if !ok {
		t.Fatal("no Graph executor")
	}
	if _, ok := ex.(providers.Scoper); !ok {
		t.Fatalf("%T is not a providers.Scoper", ex)
	}
	for _, name := range reg.ResourceTypeNames() {
		res, _ := reg.Resource(name)
		if _, ok := res.(providers.Guarder); !ok {
			t.Errorf("%s is not a providers.Guarder", name)
		}
	}
}

func TestScopesRows(t *testing.T) {
	p := NewProvider(nil)
	appID := schema.Placeholder("entra_application.pms", "app_id")
	spID := schema.Placeholder("entra_application.pms", "service_principal_id")
	const id = "0f7c2a55-3b1e-4c8e-9a6d-2e5b8c1d4f70"
	cases := []struct {
		method, path string
		want         []string
	}{
		{"POST", "/applications", []string{"Application.ReadWrite.All"}},
		{"GET", "/applications?$filter=displayName%20eq%20'x'&$select=id,appId", []string{"Application.Read.All"}},
		{"GET", "/applications(appId='" + appID + "')?$select=passwordCredentials", []string{"Application.Read.All"}},
		{"PATCH", "/applications/" + id, []string{"Application.ReadWrite.All"}},
		{"patch", "/applications/" + id, []string{"Application.ReadWrite.All"}},
		{"POST", "/applications(appId='" + id + "')/addPassword", []string{"Application.ReadWrite.All"}},
		{"POST", "/applications(appId='" + id + "')/removePassword", []string{"Application.ReadWrite.All"}},
		{"DELETE", "/applications/" + id + "/federatedIdentityCredentials/" + id, []string{"Application.ReadWrite.All"}},
		{"POST", "/applications/" + schema.Placeholder("entra_application.pms", "id") + "/owners/$ref", []string{"Application.ReadWrite.All", "Directory.Read.All"}},
		{"DELETE", "/applications/" + id + "/owners/" + id + "/$ref", []string{"Application.ReadWrite.All"}},
		{"GET", "/users/alex%40contoso.com?$select=id", []string{"User.ReadBasic.All"}},
		{"POST", "/servicePrincipals", []string{"Application.ReadWrite.All"}},
		{"GET", "/servicePrincipals?$filter=appId%20eq%20'" + id + "'", []string{"Application.Read.All"}},
		{"DELETE", "/servicePrincipals/" + id, []string{"Application.ReadWrite.All"}},
		{"POST", "/servicePrincipals/" + id + "/appRoleAssignedTo", []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}},
		{"DELETE", "/servicePrincipals/" + id + "/appRoleAssignedTo/Xk3-assignment_id", []string{"AppRoleAssignment.ReadWrite.All"}},
		{"POST", "/oauth2PermissionGrants", []string{"DelegatedPermissionGrant.ReadWrite.All"}},
		{"PATCH", "/oauth2PermissionGrants/opaque-grant-id", []string{"DelegatedPermissionGrant.ReadWrite.All"}},
		{"GET", "/policies/identitySecurityDefaultsEnforcementPolicy", []string{"Policy.Read.All"}},
		{"PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", []string{"Policy.ReadWrite.SecurityDefaults"}},
		// Not operations of this provider: nil, so that a script refuses rather than guesses.
		{"GET", "/servicePrincipals/" + spID + "/appRoleAssignments", nil},
		{"POST", "/applications/" + id + "/addKey", nil},
		{"PUT", "/applications/" + id, nil},
		{"GET", "/me", nil},
		{"PATCH", "/policies/authorizationPolicy", nil},
		{"GET", "/users/applications/servicePrincipals", nil},
	}
	for _, tc := range cases {
		got := p.Scopes(providers.Operation{Service: providers.Graph, Method: tc.method, Path: tc.path})
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.method, tc.path, d)
		}
	}
	if got := p.Scopes(providers.Operation{Service: providers.Exchange, Cmdlet: "Get-Mailbox"}); got != nil {
		t.Errorf("an Exchange cmdlet has Graph scopes %v", got)
	}
	// The answer is a copy: changing it does not change the table.
	s := p.Scopes(providers.Operation{Service: providers.Graph, Method: "POST", Path: "/applications"})
	s[0] = "Directory.ReadWrite.All"
	if got := p.Scopes(providers.Operation{Service: providers.Graph, Method: "POST", Path: "/applications"}); got[0] != "Application.ReadWrite.All" {
		t.Errorf("the table changed: %v", got)
	}
}

// TestAppPermissionsCoverOperations: every operation with delegated scopes (every operation a
// plan or guard sends) also has application permissions, so that a 403 can name them.
func TestAppPermissionsCoverOperations(t *testing.T) {
	var missing []string
	for k := range graphScopes {
		if _, ok := graphAppPermissions[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without application permissions: %v", missing)
	}
}

func TestAppPermissionsRows(t *testing.T) {
	const id = "0f7c2a55-3b1e-4c8e-9a6d-2e5b8c1d4f70"
	type perms struct{ Need, Or []string }
	cases := []struct {
		method, path string
		want         *perms // nil: not an operation of this provider
	}{
		{"GET", "/applications?$select=id,appId", &perms{[]string{"Application.Read.All"}, []string{"Application.ReadWrite.All", "Directory.Read.All"}}},
		{"GET", "/applications/" + id + "/owners?$select=id,userPrincipalName", &perms{[]string{"Application.Read.All"}, []string{"Application.ReadWrite.All", "Directory.Read.All"}}},
		{"post", "/applications(appId='" + id + "')/addPassword", &perms{[]string{"Application.ReadWrite.All"}, nil}},
		{"GET", "/servicePrincipals/" + id + "/appRoleAssignedTo", &perms{[]string{"Application.Read.All"}, []string{"Application.ReadWrite.All", "Directory.Read.All"}}},
		{"POST", "/servicePrincipals/" + id + "/appRoleAssignedTo", &perms{[]string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}, nil}},
		{"GET", "/oauth2PermissionGrants", &perms{[]string{"Directory.Read.All"}, []string{"DelegatedPermissionGrant.ReadWrite.All"}}},
		{"PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", &perms{[]string{"Policy.ReadWrite.SecurityDefaults"}, []string{"Policy.ReadWrite.ConditionalAccess"}}},
		{"GET", "/users/alex%40contoso.com?$select=id", &perms{[]string{"User.Read.All"}, []string{"Directory.Read.All"}}},
		{"GET", "/me", nil},
		{"PUT", "/applications/" + id, nil},
	}
	for _, tc := range cases {
		need, or, ok := appPermissions(tc.method, tc.path)
		var got *perms
		if ok {
			got = &perms{need, or}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("appPermissions(%s %s) (-want +got):\n%s", tc.method, tc.path, d)
		}
	}
}
