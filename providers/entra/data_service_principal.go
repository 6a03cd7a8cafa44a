package entra

import (
	"context"
	"fmt"
	"net/url"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// ServicePrincipalDataType is data "entra_service_principal": a service principal looked up by
// app_id or display_name, with the names of the permissions it offers.
var ServicePrincipalDataType = &schema.ResourceType{
	Name:        "entra_service_principal",
	Description: "Looks up a service principal (an API such as Office 365 Exchange Online, or a vendor's app) by app_id or display_name.",
	Attributes: []*schema.Attribute{
		{Name: "app_id", Wire: "appId", Type: cty.String, FoldCase: true, Description: "The application id to look up."},
		{Name: "display_name", Wire: "displayName", Type: cty.String, Description: "The display name to look up, when app_id is not given."},
		{Name: "id", Wire: "id", Type: cty.String, Computed: true, Description: "The service principal's object id."},
		{Name: "app_roles", Wire: "appRoles", Type: cty.Set(cty.String), Computed: true, Description: "The values of its application permissions (app roles)."},
		{Name: "oauth2_permission_scopes", Wire: "oauth2PermissionScopes", Type: cty.Set(cty.String), Computed: true, Description: "The values of its delegated permissions (scopes)."},
	},
	Check: func(obj cty.Value) []schema.AttrProblem {
		if obj.GetAttr("app_id").IsNull() == obj.GetAttr("display_name").IsNull() {
			return []schema.AttrProblem{{Attr: "app_id", Summary: "Give app_id or display_name", Detail: "Look the service principal up by exactly one of app_id and display_name."}}
		}
		return nil
	},
}

type servicePrincipalData struct{ c doer }

func (d *servicePrincipalData) Type() *schema.ResourceType { return ServicePrincipalDataType }

// Query reads the service principals matching the block with one filtered request.
func (d *servicePrincipalData) Query(ctx context.Context, q cty.Value) (cty.Value, error) {
	prop, val := "appId", q.GetAttr("app_id")
	if val.IsNull() {
		prop, val = "displayName", q.GetAttr("display_name")
	}
	filter := fmt.Sprintf("%s eq '%s'", prop, escapeODataString(val.AsString()))
	sps, err := listAll[graphSP](ctx, d.c, "/servicePrincipals?$filter="+url.QueryEscape(filter)+"&$select="+spSelect)
	if err != nil {
		return cty.NilVal, err
	}
	switch len(sps) {
	case 0:
		return cty.NilVal, fmt.Errorf("the tenant has no service principal whose %s is %q. An app registered in another tenant gets one when it is consented to (entra_service_principal resource)", prop, val.AsString())
	case 1:
	default:
		return cty.NilVal, fmt.Errorf("%d service principals have the %s %q; look it up by app_id instead", len(sps), prop, val.AsString())
	}
	sp := sps[0]
	var roles, scopes []string
	for _, p := range sp.AppRoles {
		roles = append(roles, p.Value)
	}
	for _, p := range sp.Scopes {
		scopes = append(scopes, p.Value)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"app_id": cty.StringVal(sp.AppID), "display_name": cty.StringVal(sp.DisplayName), "id": cty.StringVal(sp.ID),
		"app_roles": stringSetOf(roles), "oauth2_permission_scopes": stringSetOf(scopes),
	}), nil
}

// escapeODataString doubles single quotes, as OData string literals require.
func escapeODataString(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}
