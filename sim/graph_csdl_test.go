package sim

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"
)

// csdlPath is Graph's v1.0 CSDL in the shared reference directory.
const csdlPath = "../../shared/reference/graph-v1.0.csdl"

type csdlProp struct {
	Name string `xml:"Name,attr"`
	Type string `xml:"Type,attr"`
}

type csdlType struct {
	Name     string     `xml:"Name,attr"`
	BaseType string     `xml:"BaseType,attr"`
	Props    []csdlProp `xml:"Property"`
	Navs     []csdlProp `xml:"NavigationProperty"`
}

type csdlSchema struct {
	types map[string]*csdlType // by name, entity and complex types alike
}

func loadCSDL(t *testing.T) *csdlSchema {
	t.Helper()
	f, err := os.Open(csdlPath)
	if err != nil {
		t.Skipf("Graph CSDL not available: %v", err)
	}
	defer f.Close()
	var doc struct {
		Schemas []struct {
			Namespace string      `xml:"Namespace,attr"`
			Entities  []*csdlType `xml:"EntityType"`
			Complex   []*csdlType `xml:"ComplexType"`
		} `xml:"DataServices>Schema"`
	}
	if err := xml.NewDecoder(f).Decode(&doc); err != nil {
		t.Fatalf("parsing %s: %v", csdlPath, err)
	}
	s := &csdlSchema{types: map[string]*csdlType{}}
	for _, sc := range doc.Schemas {
		if sc.Namespace != "microsoft.graph" {
			continue
		}
		for _, ty := range append(sc.Entities, sc.Complex...) {
			s.types[ty.Name] = ty
		}
	}
	return s
}

// prop finds a property (structural or navigation) of typ or its base types.
func (s *csdlSchema) prop(typ, name string) (csdlProp, bool) {
	for ty := s.types[typ]; ty != nil; ty = s.types[strings.TrimPrefix(ty.BaseType, "graph.")] {
		for _, p := range append(ty.Props, ty.Navs...) {
			if p.Name == name {
				return p, true
			}
		}
	}
	return csdlProp{}, false
}

// check reports every property of obj that typ does not define, recursing
// into complex-typed values.
func (s *csdlSchema) check(t *testing.T, where, typ string, obj map[string]any) {
	t.Helper()
	if s.types[typ] == nil {
		t.Fatalf("type %s is not in the CSDL", typ)
	}
	for k, v := range obj {
		if strings.HasPrefix(k, "@") {
			continue
		}
		p, ok := s.prop(typ, k)
		if !ok {
			t.Errorf("%s: property %q is not defined on microsoft.graph.%s", where, k, typ)
			continue
		}
		inner := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(p.Type, "Collection("), ")"), "graph.")
		if s.types[inner] == nil {
			continue
		}
		switch vv := v.(type) {
		case map[string]any:
			s.check(t, where+"."+k, inner, vv)
		case []any:
			for _, it := range vv {
				if m, ok := it.(map[string]any); ok {
					s.check(t, where+"."+k, inner, m)
				}
			}
		}
	}
}

func TestGraph_CSDLShapes(t *testing.T) {
	schema := loadCSDL(t)
	s := startSim(t, Options{})
	c := newGraphClient(t, s)
	app := c.must(201, "POST", "/applications", map[string]any{"displayName": "shapes",
		"requiredResourceAccess": []any{map[string]any{"resourceAppId": graphResourceApp, "resourceAccess": []any{map[string]any{"id": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "type": "Scope"}}}}})
	id := app.obj["id"].(string)
	pw := c.must(200, "POST", "/applications/"+id+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "x"}})
	fic := c.must(201, "POST", "/applications/"+id+"/federatedIdentityCredentials", map[string]any{"name": "gh-prod", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:environment:prod", "audiences": []string{"api://AzureADTokenExchange"}})
	sp := c.must(201, "POST", "/servicePrincipals", map[string]any{"appId": vendorAppID})
	exo := c.must(200, "GET", "/servicePrincipals(appId='"+exchangeResourceApp+"')", nil)
	as := c.must(201, "POST", "/servicePrincipals/"+exo.obj["id"].(string)+"/appRoleAssignedTo", map[string]any{"principalId": sp.obj["id"], "resourceId": exo.obj["id"], "appRoleId": "7146a1f0-8703-45b3-9eae-527a64c00995"})
	gr := c.must(201, "POST", "/oauth2PermissionGrants", map[string]any{"clientId": sp.obj["id"], "consentType": "AllPrincipals", "resourceId": exo.obj["id"], "scope": "SMTP.Send"})
	checks := []struct {
		typ string
		obj map[string]any
	}{
		{"application", app.obj},
		{"application", c.must(200, "GET", "/applications/"+id, nil).obj},
		{"passwordCredential", pw.obj},
		{"federatedIdentityCredential", fic.obj},
		{"servicePrincipal", sp.obj},
		{"servicePrincipal", exo.obj},
		{"appRoleAssignment", as.obj},
		{"oAuth2PermissionGrant", gr.obj},
		{"identitySecurityDefaultsEnforcementPolicy", c.must(200, "GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil).obj},
		{"user", values(c.must(200, "GET", "/users", nil))[0]},
		{"user", values(c.must(200, "GET", "/users?$select=id,accountEnabled,proxyAddresses,mail", nil))[0]},
		{"domain", values(c.must(200, "GET", "/domains", nil))[0]},
		{"organization", values(c.must(200, "GET", "/organization", nil))[0]},
	}
	for _, ch := range checks {
		schema.check(t, ch.typ, ch.typ, ch.obj)
	}
}
