package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// ManagementRoleAssignmentType is exchange_management_role_assignment: RBAC for Applications,
// New-ManagementRoleAssignment -App, Set-ManagementRoleAssignment -CustomResourceScope and
// Get-ManagementRoleAssignment. It replaces Application Access Policies.
//
// Kind Declared: a role assignment has no free-text field for an ownership marker, so exoform
// never deletes one because its declaration went away.
//
// role and app cannot change in place (Set-ManagementRoleAssignment changes scopes only).
//
//   - A change of role is compiled, within the one update, to Remove-ManagementRoleAssignment
//     of the assignment followed by New-ManagementRoleAssignment with the same name, for the
//     same app. That is safe to do without a marker because the removed object is exactly the
//     declared grant: it is found by the declared name, only among app (service principal)
//     assignments, and it belongs to the declared app; the plan shows the role's change and
//     lists the removal. The alternative, an error asking the user to rename, would leave the
//     old grant in place after the rename, since exoform never deletes declared objects: an app
//     would keep a role its configuration no longer gives it.
//   - A different app is refused. Resolve rewrites app to the live assignment's spelling when
//     both name one service principal, so a difference that remains means the assignment with
//     the declared name belongs to another service principal (or to one the tenant does not
//     list): replacing it would silently take that app's grant away. The user gives the
//     declaration another name, or removes the other assignment by hand.
//
// Left out: RecipientGroupScope and RecipientAdministrativeUnitScope (scopes by group or
// administrative unit); custom_resource_scope with a management scope covers the cases in
// Microsoft's guidance, and one scope kind per assignment keeps the comparison exact.
var ManagementRoleAssignmentType = &schema.ResourceType{
	Name: "exchange_management_role_assignment",
	Description: "An RBAC for Applications role assignment (New-ManagementRoleAssignment -App): grants an app, through its " +
		"exchange_service_principal, an application role such as Application Mail.Send, optionally limited to the mailboxes of a " +
		"management scope. This replaces Application Access Policies. Changing role replaces the assignment " +
		"(Remove-ManagementRoleAssignment, then New-ManagementRoleAssignment with the same name and app). " +
		"An existing assignment with the declared name that belongs to another app is an error, never replaced.",
	Kind: schema.Declared,
	Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true, Validate: ruleName("role assignment"),
			Description: "The assignment's unique name (at most 64 characters); exoform finds the assignment by it."},
		{Name: "role", Wire: "Role", Type: cty.String, Required: true, FoldCase: true, Enum: AppRoles, ForceNew: true,
			Description: "The application role granted. Changing it replaces the assignment."},
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

// roleAssigneeName is the Meta key recording the live assignment's RoleAssigneeName (the service
// principal's display name), so that Compile can name the app an assignment belongs to.
const roleAssigneeName = "RoleAssigneeName"

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
		if n := ruleString(o, "RoleAssigneeName"); n != "" && !strings.EqualFold(n, ruleText(lo.Value, "app")) {
			lo.Meta = map[string]string{roleAssigneeName: n}
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
		if set["app"] {
			// Another app's grant: see ManagementRoleAssignmentType.
			return nil, fmt.Errorf("the role assignment %q belongs to app %s, not to the declared app %s. "+
				"exoform never replaces another app's assignment: give the declaration another name, or remove the existing assignment by hand "+
				"(Remove-ManagementRoleAssignment -Identity '%s')", c.Prior.Key, roleAssignmentApp(c.Prior), ruleText(c.Desired, "app"), c.Prior.Key)
		}
		if set["role"] {
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

// roleAssignmentApp names the app of a live assignment as Exchange reports it: its display name
// and identity when both are known.
func roleAssignmentApp(lo *providers.LiveObject) string {
	app := ruleText(lo.Value, "app")
	if n := lo.Meta[roleAssigneeName]; n != "" {
		return fmt.Sprintf("%q (%s)", n, app)
	}
	return fmt.Sprintf("%q", app)
}

// roleAssignmentConfigWarnings warns about a role assignment whose app names, as a literal (its
// app id, object id or display name), an exchange_service_principal that the configuration
// declares. Without a reference the assignment does not depend on the principal, so a plan that
// creates both may run New-ManagementRoleAssignment first, which fails until the principal
// exists (and, ordered the same way, on every apply).
func roleAssignmentConfigWarnings(insts []*schema.Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	var sps []*schema.Instance
	for _, in := range insts {
		if in.Type.Name == ServicePrincipalType.Name {
			sps = append(sps, in)
		}
	}
	for _, in := range insts {
		if in.Type.Name != ManagementRoleAssignmentType.Name {
			continue
		}
		app := in.Value.GetAttr("app")
		if app.IsNull() || !app.IsKnown() {
			continue
		}
		for _, sp := range sps {
			if !servicePrincipalNamed(sp, app.AsString()) || dependsOn(in, sp.Resource.Addr()) {
				continue
			}
			addr := sp.Addr // with its index, for a principal declared with count or for_each
			d := diag.Warnf(in.Range("app"), "Service principal named by a literal value",
				"app %q names %s, which this configuration declares, but does not refer to it, so the role assignment may be created before the service principal and fail until it exists. "+
					"Refer to %s.app_id so the principal is created first.", app.AsString(), addr, addr)
			d.Address = in.Addr
			ds.Append(d)
			break
		}
	}
	return ds
}

// servicePrincipalNamed reports whether a name is the app id, object id or display name of a
// declared service principal.
func servicePrincipalNamed(sp *schema.Instance, name string) bool {
	for _, attr := range []string{"app_id", "object_id", "display_name"} {
		if v := sp.Value.GetAttr(attr); !v.IsNull() && v.IsKnown() && strings.EqualFold(v.AsString(), name) {
			return true
		}
	}
	return false
}

// dependsOn reports whether an instance follows a resource (TYPE.NAME).
func dependsOn(in *schema.Instance, addr string) bool {
	for _, d := range in.DependsOn {
		if d == addr {
			return true
		}
	}
	return false
}

var roleAssignmentGuard = &guardSpec{t: ManagementRoleAssignmentType, unchecked: map[string]string{
	// The read takes the app from RoleAssignee, RoleAssigneeName or App, whichever is present,
	// and plans compare it through the service principals they read (Resolve): the declared app
	// id need not be the identity Exchange reports.
	"app": "reported as the service principal's identity and compared through the service principals the plan read",
}}

// Guard reads the assignment with Get-ManagementRoleAssignment -Identity <name> and compares its
// role and custom resource scope. A change of role removes and creates the assignment under the
// same name, so the same read shows it after.
func (r *roleAssignment) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(roleAssignmentGuard, "Get-ManagementRoleAssignment", "", c)
}
