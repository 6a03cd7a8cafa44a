package entra

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// API permissions are written by name, per resource API:
//
//	api_permission {
//	  api       = "Office 365 Exchange Online"
//	  app_roles = ["full_access_as_app"]
//	  scopes    = ["SMTP.Send"]
//	}
//
// Names resolve against the resource's service principal in the tenant. App role ids are
// unique per resource only (Exchange and Graph share some GUIDs), and SMTP/IMAP/POP scopes have
// different ids on Graph and on Exchange, so every id is kept together with its resource.

var permissionBlock = []*schema.Attribute{
	{Name: "api", Wire: "resourceAppId", Type: cty.String, Required: true, FoldCase: true,
		Description: "The resource API, by the display name of its service principal (\"Office 365 Exchange Online\", \"Microsoft Graph\") or its application id."},
	{Name: "app_roles", Wire: "resourceAccess (Role)", Type: cty.Set(cty.String),
		Description: "Application permissions (app roles) of the API, by value, such as full_access_as_app or Mail.Send."},
	{Name: "scopes", Wire: "resourceAccess (Scope)", Type: cty.Set(cty.String),
		Description: "Delegated permissions (scopes) of the API, by value, such as SMTP.Send or offline_access."},
}

func permissionAttr() *schema.Attribute {
	return &schema.Attribute{Name: "api_permission", Wire: "requiredResourceAccess", Type: schema.BlockType(permissionBlock...), Nested: permissionBlock,
		Description: "A block per resource API: the application permissions (app_roles) and delegated permissions (scopes) the app asks for, by name."}
}

func adminConsentAttr(what string) *schema.Attribute {
	return &schema.Attribute{Name: "admin_consent", Type: cty.Bool,
		Description: "Grant tenant-wide admin consent for every declared permission of " + what + ": an app role assignment per application permission, " +
			"and one AllPrincipals oauth2PermissionGrant per API for the delegated ones. Grants no longer declared are revoked. false revokes them all; unset leaves grants alone."}
}

// A perm is one permission resolved to its ids.
type perm struct {
	api      string // the API's display name
	apiAppID string
	apiSPID  string
	kind     string // "Role" or "Scope"
	value    string
	id       string
}

// permsOf lists the permissions of an api_permission value, sorted.
func permsOf(v cty.Value) []perm {
	var out []perm
	if v.IsNull() {
		return nil
	}
	for it := v.ElementIterator(); it.Next(); {
		_, blk := it.Element()
		api := blk.GetAttr("api").AsString()
		for _, k := range []struct{ attr, kind string }{{"app_roles", "Role"}, {"scopes", "Scope"}} {
			for _, s := range setStrings(blk.GetAttr(k.attr)) {
				out = append(out, perm{api: api, kind: k.kind, value: s})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sortKey() < out[j].sortKey() })
	return out
}

func (p perm) sortKey() string { return strings.ToLower(p.api) + "\x00" + p.kind + "\x00" + p.value }

// Fact keys: the API a name stands for, and each permission's id on it.
func apiFact(api string) string { return "api:" + strings.ToLower(api) }
func permFact(api, kind, v string) string {
	return "perm:" + strings.ToLower(api) + ":" + kind + ":" + v
}

// findPermissionFacts resolves the permissions of api_permission against the directory.
func findPermissionFacts(dir *directory, v cty.Value, facts map[string]string) error {
	if dir == nil {
		return fmt.Errorf("the service principals of the tenant were not read")
	}
	for _, p := range permsOf(v) {
		sp, err := dir.api(p.api)
		if err != nil {
			return err
		}
		facts[apiFact(p.api)] = sp.AppID + " " + sp.ID
		var pm permission
		if p.kind == "Role" {
			pm, err = sp.role(p.value)
		} else {
			pm, err = sp.scope(p.value)
		}
		if err != nil {
			return err
		}
		facts[permFact(p.api, p.kind, p.value)] = pm.ID
	}
	return nil
}

// permissionNames is what entra_application and entra_service_principal share: the tenant's
// service principals from their last read, against which they resolve permission names.
type permissionNames struct {
	mu  sync.Mutex
	dir *directory
}

func (r *permissionNames) remember(d *directory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dir = d
}

func (r *permissionNames) directory() *directory {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dir
}

// Needs implements providers.Resolver.
func (r *permissionNames) Needs() []string { return nil }

// Resolve names each API as the tenant does, so an API named by its application id or in
// other case compares equal to what is read.
func (r *permissionNames) Resolve(desired cty.Value, _ map[string][]providers.LiveObject) (cty.Value, error) {
	m := desired.AsValueMap()
	m["api_permission"] = canonicalPermissions(r.directory(), m["api_permission"])
	return cty.ObjectVal(m), nil
}

// Facts implements providers.FactFinder: the ids of the declared permissions.
func (r *permissionNames) Facts(desired cty.Value) (map[string]string, error) {
	facts := map[string]string{}
	if v := desired.GetAttr("api_permission"); !v.IsNull() && v.LengthInt() > 0 {
		if err := findPermissionFacts(r.directory(), v, facts); err != nil {
			return nil, err
		}
	}
	return facts, nil
}

// resolvePerms fills in the ids of permissions from a change's facts.
func resolvePerms(v cty.Value, facts map[string]string) ([]perm, error) {
	ps := permsOf(v)
	for i := range ps {
		api, ok := facts[apiFact(ps[i].api)]
		id, ok2 := facts[permFact(ps[i].api, ps[i].kind, ps[i].value)]
		if !ok || !ok2 {
			return nil, fmt.Errorf("the plan does not record what %s %q on %s stands for", strings.ToLower(ps[i].kind), ps[i].value, ps[i].api)
		}
		ps[i].apiAppID, ps[i].apiSPID, _ = strings.Cut(api, " ")
		ps[i].id = id
	}
	return ps, nil
}

// requiredResourceAccess is the application property for a set of resolved permissions.
func requiredResourceAccess(ps []perm) []requiredAccess {
	out := []requiredAccess{}
	idx := map[string]int{}
	for _, p := range ps {
		i, ok := idx[p.apiAppID]
		if !ok {
			i = len(out)
			idx[p.apiAppID] = i
			out = append(out, requiredAccess{ResourceAppID: p.apiAppID, ResourceAccess: []resourceAccess{}})
		}
		out[i].ResourceAccess = append(out[i].ResourceAccess, resourceAccess{ID: p.id, Type: p.kind})
	}
	return out
}

// permissionValue is the live api_permission value of a requiredResourceAccess, by name.
func permissionValue(dir *directory, rra []requiredAccess) cty.Value {
	blockType := schema.BlockType(permissionBlock...).ElementType()
	var blocks []cty.Value
	for _, ra := range rra {
		api := ra.ResourceAppID
		sp := dir.byAppID[strings.ToLower(ra.ResourceAppID)]
		if sp != nil {
			api = sp.DisplayName
		}
		var roles, scopes []cty.Value
		for _, a := range ra.ResourceAccess {
			name := a.ID
			if sp != nil {
				name = sp.name(a.ID, a.Type)
			}
			if a.Type == "Scope" {
				scopes = append(scopes, cty.StringVal(name))
			} else {
				roles = append(roles, cty.StringVal(name))
			}
		}
		blocks = append(blocks, cty.ObjectVal(map[string]cty.Value{"api": cty.StringVal(api), "app_roles": stringSet(roles), "scopes": stringSet(scopes)}))
	}
	if len(blocks) == 0 {
		return cty.SetValEmpty(blockType)
	}
	return cty.SetVal(blocks)
}

// canonicalPermissions rewrites the api names of a desired value to the display names the
// tenant reports, so that naming an API by its application id, or in other case, compares equal.
func canonicalPermissions(dir *directory, v cty.Value) cty.Value {
	if v.IsNull() || v.LengthInt() == 0 {
		return v
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, blk := it.Element()
		m := blk.AsValueMap()
		if len(setStrings(m["app_roles"]))+len(setStrings(m["scopes"])) == 0 {
			continue // a block that asks for nothing is not a permission
		}
		if dir == nil {
			// Not read yet: nothing to canonicalize against.
		} else if sp, err := dir.api(m["api"].AsString()); err == nil {
			m["api"] = cty.StringVal(sp.DisplayName)
		}
		out = append(out, cty.ObjectVal(m))
	}
	if len(out) == 0 {
		return cty.SetValEmpty(v.Type().ElementType())
	}
	return cty.SetVal(out)
}

// grants is the consent a client service principal holds: app role assignments and
// AllPrincipals delegated grants, as recorded in a LiveObject's Meta.
type grants struct {
	assignments map[string]string // resourceSPID + " " + appRoleID (lower) → assignment id
	delegated   map[string]string // resourceSPID (lower) → grant id + " " + scope
}

func grantsOf(spID string, as []roleAssignment, gs []permissionGrant) grants {
	g := grants{assignments: map[string]string{}, delegated: map[string]string{}}
	for _, a := range as {
		if strings.EqualFold(a.PrincipalID, spID) {
			g.assignments[strings.ToLower(a.ResourceID+" "+a.AppRoleID)] = a.ID
		}
	}
	for _, gr := range gs {
		if strings.EqualFold(gr.ClientID, spID) && gr.ConsentType == "AllPrincipals" {
			g.delegated[strings.ToLower(gr.ResourceID)] = gr.ID + " " + strings.Join(strings.Fields(gr.Scope), " ")
		}
	}
	return g
}

// meta records grants in a LiveObject's Meta.
func (g grants) meta(m map[string]string) {
	for k, v := range g.assignments {
		m["assignment "+k] = v
	}
	for k, v := range g.delegated {
		m["grant "+k] = v
	}
}

func grantsFromMeta(m map[string]string) grants {
	g := grants{assignments: map[string]string{}, delegated: map[string]string{}}
	for k, v := range m {
		if rest, ok := strings.CutPrefix(k, "assignment "); ok {
			g.assignments[rest] = v
		} else if rest, ok := strings.CutPrefix(k, "grant "); ok {
			g.delegated[rest] = v
		}
	}
	return g
}

// consented reports whether the grants are exactly the permissions of rra: every one granted
// and nothing more. With no permissions there is nothing to consent to: false.
func (g grants) consented(dir *directory, rra []requiredAccess) bool {
	wantRoles := map[string]bool{}
	wantScopes := map[string]map[string]bool{}
	n := 0
	for _, ra := range rra {
		sp := dir.byAppID[strings.ToLower(ra.ResourceAppID)]
		if sp == nil {
			return false
		}
		for _, a := range ra.ResourceAccess {
			n++
			if a.Type == "Scope" {
				if wantScopes[strings.ToLower(sp.ID)] == nil {
					wantScopes[strings.ToLower(sp.ID)] = map[string]bool{}
				}
				wantScopes[strings.ToLower(sp.ID)][sp.name(a.ID, "Scope")] = true
			} else {
				wantRoles[strings.ToLower(sp.ID+" "+a.ID)] = true
			}
		}
	}
	if n == 0 || len(wantRoles) != len(g.assignments) || len(wantScopes) != len(g.delegated) {
		return false
	}
	for k := range wantRoles {
		if _, ok := g.assignments[k]; !ok {
			return false
		}
	}
	for res, want := range wantScopes {
		v, ok := g.delegated[res]
		if !ok {
			return false
		}
		_, scope, _ := strings.Cut(v, " ")
		have := strings.Fields(scope)
		if len(have) != len(want) {
			return false
		}
		for _, s := range have {
			if !want[s] {
				return false
			}
		}
	}
	return true
}

// consentOps are the operations that make a client service principal's grants exactly the
// given permissions (grant is false: none). spID may be a placeholder.
func consentOps(spID string, ps []perm, have grants, grant bool) ([]providers.Operation, error) {
	var ops []providers.Operation
	wantRoles := map[string]perm{}
	wantScopes := map[string][]string{}
	var resources []string
	if grant {
		for _, p := range ps {
			if p.kind == "Role" {
				wantRoles[strings.ToLower(p.apiSPID+" "+p.id)] = p
				continue
			}
			res := strings.ToLower(p.apiSPID)
			if _, ok := wantScopes[res]; !ok {
				resources = append(resources, p.apiSPID)
			}
			wantScopes[res] = append(wantScopes[res], p.value)
		}
	}
	// New grants first, then revocations, so a failure halfway never leaves less than before.
	for _, p := range ps {
		k := strings.ToLower(p.apiSPID + " " + p.id)
		if _, ok := wantRoles[k]; !ok || p.kind != "Role" {
			continue
		}
		if _, ok := have.assignments[k]; ok {
			continue
		}
		body, err := json.Marshal(map[string]string{"principalId": spID, "resourceId": p.apiSPID, "appRoleId": p.id})
		if err != nil {
			return nil, err
		}
		ops = append(ops, graphOp("POST", "/servicePrincipals/"+url.PathEscape(p.apiSPID)+"/appRoleAssignedTo", body))
	}
	for _, res := range resources {
		scope := strings.Join(wantScopes[strings.ToLower(res)], " ")
		if cur, ok := have.delegated[strings.ToLower(res)]; ok {
			id, curScope, _ := strings.Cut(cur, " ")
			if sameScopes(curScope, scope) {
				continue
			}
			body, err := json.Marshal(map[string]string{"scope": scope})
			if err != nil {
				return nil, err
			}
			ops = append(ops, graphOp("PATCH", "/oauth2PermissionGrants/"+url.PathEscape(id), body))
			continue
		}
		body, err := json.Marshal(map[string]string{"clientId": spID, "consentType": "AllPrincipals", "resourceId": res, "scope": scope})
		if err != nil {
			return nil, err
		}
		ops = append(ops, graphOp("POST", "/oauth2PermissionGrants", body))
	}
	for _, k := range sortedKeys(have.assignments) {
		if _, ok := wantRoles[k]; ok {
			continue
		}
		res, _, _ := strings.Cut(k, " ")
		ops = append(ops, graphOp("DELETE", "/servicePrincipals/"+url.PathEscape(res)+"/appRoleAssignedTo/"+url.PathEscape(have.assignments[k]), nil))
	}
	for _, res := range sortedKeys(have.delegated) {
		if _, ok := wantScopes[res]; ok {
			continue
		}
		id, _, _ := strings.Cut(have.delegated[res], " ")
		ops = append(ops, graphOp("DELETE", "/oauth2PermissionGrants/"+url.PathEscape(id), nil))
	}
	return ops, nil
}

func sameScopes(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, " ") == strings.Join(y, " ")
}

// seg escapes one path segment; a placeholder stays as it is, so apply can fill it in (the
// value it stands for is an id, which needs no escaping).
func seg(s string) string {
	if schema.IsPlaceholder(s) {
		return s
	}
	return url.PathEscape(s)
}

func graphOp(method, path string, body []byte) providers.Operation {
	return providers.Operation{Service: providers.Graph, Method: method, Path: path, Body: body}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func setStrings(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	sort.Strings(out)
	return out
}

func stringSet(vs []cty.Value) cty.Value {
	if len(vs) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	return cty.SetVal(vs)
}

func stringSetOf(ss []string) cty.Value {
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return stringSet(vs)
}
