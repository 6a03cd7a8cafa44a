package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ManagementRoleAssignmentType is exchange_management_role_assignment: RBAC for Applications,
// New-ManagementRoleAssignment -App, Set-ManagementRoleAssignment -CustomResourceScope and
// Get-ManagementRoleAssignment. It replaces Application Access Policies.
//
// Kind Declared: a role assignment has no free-text field for an ownership marker, so exoform
// never deletes one because its declaration went away.
//
// role and app cannot change in place (Set-ManagementRoleAssignment changes scopes only). A
// change of either is compiled, within the one update, to Remove-ManagementRoleAssignment of
// the assignment followed by New-ManagementRoleAssignment with the same name. That is safe to
// do without a marker because the removed object is exactly the declared one: it is found by
// the declared name and only among app (service principal) assignments, never another kind,
// and the plan lists the removal. The alternative, an error asking the user to rename, would
// leave the old grant in place after the rename, since exoform never deletes declared objects:
// an app would keep a role its configuration no longer gives it.
//
// Left out: RecipientGroupScope and RecipientAdministrativeUnitScope (scopes by group or
// administrative unit); custom_resource_scope with a management scope covers the cases in
// Microsoft's guidance, and one scope kind per assignment keeps the comparison exact.
var ManagementRoleAssignmentType = &schema.ResourceType{
	Name: "exchange_management_role_assignment",
	Description: "An RBAC for Applications role assignment (New-ManagementRoleAssignment -App): grants an app, through its " +
		"exchange_service_principal, an application role such as Application Mail.Send, optionally limited to the mailboxes of a " +
		"management scope. This replaces Application Access Policies. Changing role or app replaces the assignment " +
		"(Remove-ManagementRoleAssignment, then New-ManagementRoleAssignment with the same name).",
	Kind: schema.Declared,
	Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true, Validate: ruleName("role assignment"),
			Description: "The assignment's unique name (at most 64 characters); exoform finds the assignment by it."},
		{Name: "role", Wire: "Role", Type: cty.String, Required: true, FoldCase: true, Enum: AppRoles,
			Description: "The application role granted."},
		{Name: "app", Wire: "App", Type: cty.String, Required: true, FoldCase: true, Validate: ruleNonEmpty("app"),
			Description: "The Exchange service principal the role is granted to: its app id, object id or display name. " +
				"Refer to exchange_service_principal.NAME.app_id so that the service principal is created first. " +
				"Plans compare it as the same service principal, whichever of its identities is written."},
		{Name: "custom_resource_scope", Wire: "CustomResourceScope", Type: cty.String, FoldCase: true, Validate: appScopeName,
			Description: "The name of an exchange_management_scope limiting the role to the recipients in it; \"\" or unset: the whole organization. " +
				"Refer to exchange_management_scope.NAME.name so that the scope is created first."},
	},
}

// AppRoles are the RBAC for Applications roles.
var AppRoles = []string{
	"Application Mail.Read", "Application Mail.ReadBasic", "Application Mail.ReadWrite", "Application Mail.Send",
	"Application MailboxSettings.Read", "Application MailboxSettings.ReadWrite",
	"Application Calendars.Read", "Application Calendars.ReadWrite",
	"Application Contacts.Read", "Application Contacts.ReadWrite",
	"Application Mail Full Access", "Application Exchange Full Access",
	"Application EWS.AccessAsApp", "Application SMTP.SendAsApp",
}

func appScopeName(s string) string {
	if s == "" {
		return ""
	}
	return ruleName("management scope")(s)
}

var roleAssignmentMap = &ruleMap{
	t:      ManagementRoleAssignmentType,
	fields: map[string][]string{"app": {"RoleAssignee", "RoleAssigneeName", "App"}},
}

type roleAssignment struct{ c invoker }

func (r *roleAssignment) Type() *schema.ResourceType { return ManagementRoleAssignmentType }

// ReadAll lists the app role assignments with one paged Get-ManagementRoleAssignment. The
// cmdlet has no filter for the assignee kind that the reference confirms, so it reads all
// assignments and keeps those of service principals: an assignment of another kind that
// happens to have a declared name is never taken for the declared one (and so never removed).
func (r *roleAssignment) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return ruleRead(ctx, r.c, "Get-ManagementRoleAssignment", nil, func(o map[string]any) ([]providers.LiveObject, error) {
		if !appAssignment(o) {
			return nil, nil
		}
		lo, err := roleAssignmentMap.live(o)
		if err != nil {
			return nil, err
		}
		return []providers.LiveObject{lo}, nil
	})
}

// appAssignment reports whether a Get-ManagementRoleAssignment object assigns a role to an app:
// its RoleAssigneeType is ServicePrincipal, or, where the type is not reported, its role is an
// application role.
func appAssignment(o map[string]any) bool {
	if t := ruleString(o, "RoleAssigneeType"); t != "" {
		return strings.EqualFold(t, "ServicePrincipal")
	}
	return strings.HasPrefix(strings.ToLower(ruleString(o, "Role")), "application ")
}

// Needs implements providers.Resolver: Resolve matches apps against the Exchange service
// principals, and reads the live assignments.
func (r *roleAssignment) Needs() []string {
	return []string{ServicePrincipalType.Name, ManagementRoleAssignmentType.Name}
}

// Resolve rewrites app to the service principal identity that Get-ManagementRoleAssignment
// reports, when the configured value names the same service principal (app id, object id or
// display name). An app the tenant has no service principal for is kept as written; for one it
// has, a new assignment names it by object id, as New-ManagementRoleAssignment -App documents.
func (r *roleAssignment) Resolve(desired cty.Value, live map[string][]providers.LiveObject) (cty.Value, error) {
	want := ruleText(desired, "app")
	if want == "" {
		return desired, nil
	}
	var sp *providers.LiveObject
	for i := range live[ServicePrincipalType.Name] {
		o := &live[ServicePrincipalType.Name][i]
		if appIs(*o, want) {
			if sp != nil && sp.Key != o.Key {
				return cty.NilVal, fmt.Errorf("app %q names more than one Exchange service principal (%s and %s); use the app id", want, sp.Key, o.Key)
			}
			sp = o
		}
	}
	if sp == nil {
		return desired, nil
	}
	name := ruleText(desired, "name")
	for _, o := range live[ManagementRoleAssignmentType.Name] {
		if strings.EqualFold(o.Key, name) {
			if have := ruleText(o.Value, "app"); have != "" && appIs(*sp, have) {
				return ruleWithAttr(desired, "app", cty.StringVal(have)), nil
			}
		}
	}
	if id := ruleText(sp.Value, "object_id"); id != "" {
		return ruleWithAttr(desired, "app", cty.StringVal(id)), nil
	}
	return desired, nil
}

// appIs reports whether a name is one of a service principal's identities.
func appIs(sp providers.LiveObject, name string) bool {
	for _, n := range appNames(sp) {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func (r *roleAssignment) Compile(c providers.Change) ([]providers.Operation, error) {
	newOp := func() providers.Operation {
		op := ruleOp("New-ManagementRoleAssignment",
			providers.Param{Name: "Name", Value: ruleText(c.Desired, "name")},
			providers.Param{Name: "Role", Value: ruleText(c.Desired, "role")},
			providers.Param{Name: "App", Value: ruleText(c.Desired, "app")})
		if s := ruleText(c.Desired, "custom_resource_scope"); s != "" {
			op.Parameters = append(op.Parameters, providers.Param{Name: "CustomResourceScope", Value: s})
		}
		return op
	}
	switch c.Kind {
	case providers.Create:
		return []providers.Operation{newOp()}, nil
	case providers.Update:
		set := ruleSetOf(c)
		if set["role"] || set["app"] {
			// Replace: see ManagementRoleAssignmentType. The new assignment takes the scope
			// after the change (the configured one, or the live one when it is not managed).
			return []providers.Operation{
				ruleOp("Remove-ManagementRoleAssignment", providers.Param{Name: "Identity", Value: c.Prior.Key}, ruleConfirm),
				newOp(),
			}, nil
		}
		if !set["custom_resource_scope"] {
			return nil, nil
		}
		return []providers.Operation{ruleOp("Set-ManagementRoleAssignment",
			providers.Param{Name: "Identity", Value: c.Prior.Key},
			providers.Param{Name: "CustomResourceScope", Value: ruleParam(nil, c.Desired.GetAttr("custom_resource_scope"))})}, nil
	case providers.Delete:
		return nil, fmt.Errorf("exoform never deletes a role assignment: it carries no ownership marker")
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}
