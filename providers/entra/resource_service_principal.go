package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ServicePrincipalType is entra_service_principal: a vendor's multi-tenant app brought into the
// tenant, with admin consent for the permissions the vendor asks for.
var ServicePrincipalType = &schema.ResourceType{
	Name: "entra_service_principal",
	Description: "A service principal for an app registered in another tenant (a vendor's multi-tenant app), with admin consent for the " +
		"delegated permissions (SMTP.Send, offline_access, ...) and application permissions the vendor asks for. Apps registered in this " +
		"tenant get their service principal from entra_application instead. The ownership marker is one of the service principal's tags; " +
		"deleting it removes the app from the tenant with every consent given to it.",
	Kind: schema.Owned,
	Keys: []string{"app_id"},
	Attributes: []*schema.Attribute{
		{Name: "app_id", Wire: "appId", Type: cty.String, Required: true, FoldCase: true, Validate: guid("app_id"),
			Description: "The vendor app's application (client) id, from the vendor's setup guide."},
		permissionAttr(),
		adminConsentAttr("the service principal"),
		{Name: "id", Wire: "id", Type: cty.String, Computed: true, Description: "The service principal's object id in this tenant."},
		{Name: "display_name", Wire: "displayName", Type: cty.String, Computed: true, Description: "The app's name, as its publisher set it."},
	},
	Check: func(obj cty.Value) []schema.AttrProblem {
		return checkApplication(cty.ObjectVal(map[string]cty.Value{
			"api_permission": obj.GetAttr("api_permission"), "admin_consent": obj.GetAttr("admin_consent"),
			"federated_identity_credential": cty.NullVal(ApplicationType.Attribute("federated_identity_credential").Type),
		}))
	},
}

type servicePrincipal struct {
	c doer
	permissionNames
}

func (r *servicePrincipal) Type() *schema.ResourceType { return ServicePrincipalType }

func (r *servicePrincipal) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return r.ReadDeclared(ctx, nil)
}

// ReadDeclared reads every service principal, application and delegated grant (the listing
// every Entra type shares, readListing), and, batched, the app role assignments of the declared and owned service principals.
// Service principals of apps registered in this tenant are left out: they belong to
// entra_application.
func (r *servicePrincipal) ReadDeclared(ctx context.Context, keys []string) ([]providers.LiveObject, error) {
	return r.read(ctx, keys, false)
}

// ReadExport reads the service principals of other publishers' apps, with their permissions.
// Microsoft's own apps are left out: every tenant has hundreds, configured by Microsoft.
func (r *servicePrincipal) ReadExport(ctx context.Context) ([]providers.LiveObject, error) {
	return r.read(ctx, nil, true)
}

// microsoftTenants own Microsoft's first-party apps (appOwnerOrganizationId).
var microsoftTenants = map[string]bool{
	"f8cdef31-a31e-4b4a-93e4-5f571e91255a": true, // Microsoft Services
	"72f988bf-86f1-41af-91ab-2d7cd011db47": true, // Microsoft
}

// read is ReadDeclared; all makes every other publisher's service principal relevant.
func (r *servicePrincipal) read(ctx context.Context, keys []string, all bool) ([]providers.LiveObject, error) {
	apps, err := listApps[graphApp](ctx, r.c)
	if err != nil {
		return nil, err
	}
	sps, err := listSPs(ctx, r.c)
	if err != nil {
		return nil, err
	}
	gs, err := listGrants(ctx, r.c)
	if err != nil {
		return nil, err
	}
	dir := newDirectory(sps)
	r.remember(dir)
	local := map[string]bool{}
	for _, a := range apps {
		local[strings.ToLower(a.AppID)] = true
	}
	declared := map[string]bool{}
	for _, k := range keys {
		declared[strings.ToLower(k)] = true
	}
	var relevant []graphSP
	var urls []string
	for _, sp := range sps {
		if local[strings.ToLower(sp.AppID)] {
			continue
		}
		exported := all && !microsoftTenants[strings.ToLower(sp.AppOwnerOrganizationID)]
		if _, m := appMarker(sp.Tags); m.Workspace != "" || declared[strings.ToLower(sp.AppID)] || exported {
			relevant = append(relevant, sp)
			urls = append(urls, "/servicePrincipals/"+url.PathEscape(sp.ID)+"/appRoleAssignments")
		}
	}
	// Each relevant service principal's assignments, 20 to a $batch, every page of each.
	as := make([][]roleAssignment, len(relevant))
	err = r.c.BatchList(ctx, urls, func(i int, raw json.RawMessage) error {
		var a roleAssignment
		if err := decodeItem(raw, urls[i], &a); err != nil {
			return err
		}
		as[i] = append(as[i], a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]providers.LiveObject, 0, len(relevant))
	for i, sp := range relevant {
		out = append(out, spObject(dir, sp, as[i], gs))
	}
	return out, nil
}

func spObject(dir *directory, sp graphSP, as []roleAssignment, gs []permissionGrant) providers.LiveObject {
	_, m := appMarker(sp.Tags)
	gr := grantsOf(sp.ID, as, gs)
	meta := map[string]string{}
	gr.meta(meta)
	if tags, _ := appMarker(sp.Tags); len(tags) > 0 {
		meta["tags"] = strings.Join(tags, "\n")
	}
	// What the service principal holds, by API and name, is its permission set.
	var rra []requiredAccess
	byRes := map[string]int{}
	add := func(resSPID, id, typ string) {
		res := dir.byID[strings.ToLower(resSPID)]
		if res == nil {
			return
		}
		i, ok := byRes[res.AppID]
		if !ok {
			i = len(rra)
			byRes[res.AppID] = i
			rra = append(rra, requiredAccess{ResourceAppID: res.AppID})
		}
		rra[i].ResourceAccess = append(rra[i].ResourceAccess, resourceAccess{ID: id, Type: typ})
	}
	for _, k := range sortedKeys(gr.assignments) {
		res, role, _ := strings.Cut(k, " ")
		add(res, role, "Role")
	}
	for _, res := range sortedKeys(gr.delegated) {
		_, scope, _ := strings.Cut(gr.delegated[res], " ")
		resSP := dir.byID[res]
		for _, s := range strings.Fields(scope) {
			id := s
			if resSP != nil {
				if p, err := resSP.scope(s); err == nil {
					id = p.ID
				}
			}
			add(res, id, "Scope")
		}
	}
	v := map[string]cty.Value{
		"app_id":         cty.StringVal(sp.AppID),
		"api_permission": permissionValue(dir, rra),
		"admin_consent":  cty.BoolVal(len(rra) > 0),
		"id":             cty.StringVal(sp.ID),
		"display_name":   cty.StringVal(sp.DisplayName),
	}
	return providers.LiveObject{Key: sp.AppID, ID: sp.ID, Value: cty.ObjectVal(v), Owner: m.Workspace, Protected: m.PreventDestroy, Meta: meta}
}

// Compile: the live api_permission of a service principal is what it was granted, so for it
// the permissions and their consent are one thing: granting is the only way to change them.
func (r *servicePrincipal) Compile(c providers.Change) ([]providers.Operation, error) {
	d := c.Desired
	switch c.Kind {
	case providers.Delete:
		return []providers.Operation{graphOp("DELETE", "/servicePrincipals/"+url.PathEscape(c.Prior.ID), nil)}, nil
	case providers.Create, providers.Update:
	default:
		return nil, fmt.Errorf("unknown change kind %d", c.Kind)
	}
	ps, err := resolvePerms(d.GetAttr("api_permission"), c.Facts)
	if err != nil {
		return nil, err
	}
	grant := d.GetAttr("admin_consent")
	var ops []providers.Operation
	spID := ""
	have := grantsFromMeta(nil)
	if c.Kind == providers.Create {
		spID = schema.Placeholder(c.Addr, "id")
		b, err := json.Marshal(map[string]any{"appId": d.GetAttr("app_id").AsString(), "tags": []string{c.Marker.String()}})
		if err != nil {
			return nil, err
		}
		op := graphOp("POST", "/servicePrincipals", b)
		op.Produces = map[string]string{"id": spID, "displayName": schema.Placeholder(c.Addr, "display_name")}
		ops = append(ops, op)
	} else {
		spID = c.Prior.ID
		have = grantsFromMeta(c.Prior.Meta)
		if c.WriteMarker {
			b, err := json.Marshal(map[string]any{"tags": spTags(c.Prior, c.Marker)})
			if err != nil {
				return nil, err
			}
			ops = append(ops, graphOp("PATCH", "/servicePrincipals/"+seg(spID), b))
		}
	}
	if !grant.IsNull() {
		more, err := consentOps(spID, ps, have, grant.True())
		if err != nil {
			return nil, err
		}
		ops = append(ops, more...)
	}
	return ops, nil
}

// spTags keeps the tags the service principal had (the publisher's) and sets the marker.
func spTags(prior *providers.LiveObject, m providers.Marker) []string {
	tags := strings.Split(prior.Meta["tags"], "\n")
	var out []string
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return append(out, m.String())
}

func guid(what string) func(string) string {
	return func(s string) string {
		if schema.IsPlaceholder(s) {
			return ""
		}
		if !schema.IsGUID(s) {
			return fmt.Sprintf("%s must be a GUID such as 5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13, not %q.", what, s)
		}
		return ""
	}
}
