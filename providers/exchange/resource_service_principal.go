package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ServicePrincipalType is exchange_service_principal: New/Set/Get-ServicePrincipal, Exchange's
// pointer to an Entra service principal, which RBAC for Applications assigns roles to.
//
// Kind Declared: the object has no free-text field that could carry an ownership marker
// (DisplayName is shown wherever the app is, and a marker there would be visible to every
// admin and break matching by display name), so exoform creates and updates it but never
// deletes it. Removing it from the configuration stops managing it; Remove-ServicePrincipal
// remains a manual step, which also keeps role assignments that point at it from breaking.
var ServicePrincipalType = &schema.ResourceType{
	Name: "exchange_service_principal",
	Description: "The Exchange Online pointer to an app's service principal in Entra ID (New-ServicePrincipal), which " +
		"exchange_management_role_assignment grants RBAC for Applications roles to. Its app_id and object_id cannot change after creation.",
	Kind: schema.Declared,
	Keys: []string{"app_id"},
	Attributes: []*schema.Attribute{
		{Name: "app_id", Wire: "AppId", Type: cty.String, Required: true, FoldCase: true, Validate: ruleGUID("application (client) id"),
			Description: "The application (client) id of the app; exoform finds the service principal by it."},
		{Name: "object_id", Wire: "ObjectId", Type: cty.String, Required: true, FoldCase: true, Validate: ruleGUID("service principal object id"),
			Description: "The object id of the app's service principal in this tenant: the Object ID on the app's page under Entra ID > Enterprise applications " +
				"(Graph: servicePrincipal id). It is NOT the Object ID on the App registrations page, which belongs to the application object; " +
				"with that one, authentication fails. Exchange cannot change it: a wrong one must be removed with Remove-ServicePrincipal and created again."},
		{Name: "display_name", Wire: "DisplayName", Type: cty.String,
			Description: "A friendly name for the service principal in Exchange."},
	},
	Check: checkServicePrincipal,
}

func checkServicePrincipal(obj cty.Value) []schema.AttrProblem {
	app, obj2 := ruleText(obj, "app_id"), ruleText(obj, "object_id")
	if app != "" && strings.EqualFold(app, obj2) {
		return []schema.AttrProblem{{Attr: "object_id", Summary: "object_id is the app id",
			Detail: "object_id must be the object id of the app's service principal (Entra ID > Enterprise applications > the app > Object ID), which differs from its application (client) id."}}
	}
	return nil
}

var servicePrincipalMap = &ruleMap{t: ServicePrincipalType}

type servicePrincipal struct{ c invoker }

func (r *servicePrincipal) Type() *schema.ResourceType { return ServicePrincipalType }

// ReadAll lists every Exchange service principal with one paged Get-ServicePrincipal (the
// cmdlet takes no ResultSize).
func (r *servicePrincipal) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return ruleRead(ctx, r.c, "Get-ServicePrincipal", nil, func(o map[string]any) ([]providers.LiveObject, error) {
		lo, err := servicePrincipalMap.live(o)
		if err != nil {
			return nil, err
		}
		lo.ID = ruleString(o, "Identity")
		if lo.ID == "" {
			lo.ID = ruleString(o, "Guid")
		}
		return []providers.LiveObject{lo}, nil
	})
}

// appNames lists the identities an Exchange service principal answers to, for matching a role
// assignment's app: its app id, object id, display name and identity. (They are not the
// object's Names: a declaration names a service principal by app id only, and matching an
// object id there would hide a swapped app_id and object_id.)
func appNames(sp providers.LiveObject) []string {
	out := []string{sp.Key, ruleText(sp.Value, "object_id"), ruleText(sp.Value, "display_name"), sp.ID}
	kept := out[:0]
	for _, s := range out {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

func (r *servicePrincipal) Compile(c providers.Change) ([]providers.Operation, error) {
	switch c.Kind {
	case providers.Create:
		// -ServiceId is marked required in the reference's yaml but is deprecated in favour of
		// -ObjectId, and Microsoft's own examples omit it.
		op := ruleOp("New-ServicePrincipal",
			providers.Param{Name: "AppId", Value: ruleText(c.Desired, "app_id")},
			providers.Param{Name: "ObjectId", Value: ruleText(c.Desired, "object_id")})
		if v := c.Desired.GetAttr("display_name"); ruleIsSet(v) {
			op.Parameters = append(op.Parameters, providers.Param{Name: "DisplayName", Value: v.AsString()})
		}
		return []providers.Operation{op}, nil
	case providers.Update:
		set := ruleSetOf(c)
		if set["object_id"] {
			return nil, fmt.Errorf("the Exchange service principal of app %s points to object id %s, and the configuration says %s. "+
				"Exchange cannot change a service principal's object id, and exoform does not remove it, because role assignments point at it. "+
				"If the live object id is wrong (often the app registration's object id instead of the enterprise application's), "+
				"run Remove-ServicePrincipal -Identity %s, then plan again; otherwise correct object_id in the configuration",
				c.Prior.Key, ruleText(c.Prior.Value, "object_id"), ruleText(c.Desired, "object_id"), c.Prior.Key)
		}
		if !set["display_name"] {
			return nil, nil
		}
		return []providers.Operation{ruleOp("Set-ServicePrincipal",
			providers.Param{Name: "Identity", Value: c.Prior.Key},
			providers.Param{Name: "DisplayName", Value: ruleParam(nil, c.Desired.GetAttr("display_name"))})}, nil
	case providers.Delete:
		return nil, fmt.Errorf("exoform never deletes an Exchange service principal: it carries no ownership marker")
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}

var servicePrincipalGuard = &guardSpec{t: ServicePrincipalType}

// Guard reads the service principal with Get-ServicePrincipal -Identity <app id> (AppId is one
// of the identities the cmdlet takes) and compares its object id and display name.
func (r *servicePrincipal) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(servicePrincipalGuard, "Get-ServicePrincipal", "", c)
}
