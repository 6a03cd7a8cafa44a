package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ApplicationAccessPolicyType is exchange_application_access_policy: New/Set/Get/Remove-
// ApplicationAccessPolicy. Legacy: Microsoft replaced these policies with RBAC for
// Applications and asks not to create new ones (wire-formats E4); validate warns on every
// declaration.
//
// Kind Owned: the ownership marker goes on the last line of Description.
//
// A policy is identified by its app and its scope group: Get-ApplicationAccessPolicy reports
// the group as ScopeName (its display name), ScopeIdentity (its Exchange name) and
// ScopeIdentityRaw ("<SID>;<object id>"), never by address, so a declaration may name the group
// by any of those but not by SMTP address (validate refuses one: exoform would not find the
// policy it created and would create it again on every apply).
//
// A policy may name several apps (New-ApplicationAccessPolicy -AppId takes a list). It is read
// as one object per app, so that a declaration of any of its apps finds it, but exoform never
// manages such a policy: its Description, its access right and its removal belong to the whole
// policy, so adopting one app's entry would mark the others', and the delete or the replacement
// of that entry would remove the restriction of the other apps too. Each entry of a multi-app
// policy therefore reads without an owner, even when its Description carries a marker (so it is
// never a deletion candidate), and records the other apps in its Meta (appPolicyOtherApps);
// Compile refuses every update and delete of such an entry, which the planner reports at the
// declaration. To manage one of its apps, split the policy by hand.
//
// access_right cannot change in place (Set-ApplicationAccessPolicy changes only Description). A
// change is compiled, within one update, to Remove-ApplicationAccessPolicy then
// New-ApplicationAccessPolicy: the policy's identity is made of its app and group, so Exchange
// cannot hold the new one beside the old one, and removing first is the only order that works.
// Between the two calls the app is not restricted by this policy; policy changes take up to an
// hour to reach Graph anyway.
var ApplicationAccessPolicyType = &schema.ResourceType{
	Name: "exchange_application_access_policy",
	Description: "A legacy Application Access Policy (New-ApplicationAccessPolicy) limiting which mailboxes an app's Graph and EWS " +
		"application permissions reach. Microsoft replaced these with RBAC for Applications (exchange_management_role_assignment) " +
		"and asks not to create new ones. exoform keeps its ownership marker on the last line of Description. " +
		"Changing access_right replaces the policy (Remove-ApplicationAccessPolicy, then New-ApplicationAccessPolicy). " +
		"A policy that covers several apps is never adopted, changed or removed: declaring one of its apps is an error until the policy is split by hand.",
	Keys: []string{"app_id", "policy_scope_group_id"},
	Attributes: []*schema.Attribute{
		{Name: "app_id", Wire: "AppId", Type: cty.String, Required: true, FoldCase: true, Validate: ruleGUID("application (client) id"),
			Description: "The application (client) id of the app the policy applies to."},
		{Name: "policy_scope_group_id", Wire: "PolicyScopeGroupID", Type: cty.String, Required: true, FoldCase: true, Validate: appScopeGroup,
			Description: "The mail-enabled security group (or mailbox) the policy is about: its Entra object id, its Exchange name or its display name, " +
				"as Get-ApplicationAccessPolicy reports them (ScopeIdentityRaw after the ';', ScopeIdentity, ScopeName). " +
				"Not its SMTP address: Exchange never reports the address, so exoform could not find the policy again."},
		{Name: "access_right", Wire: "AccessRight", Type: cty.String, Required: true, Enum: []string{"RestrictAccess", "DenyAccess"},
			Description: "RestrictAccess: the app reaches only the group's mailboxes. DenyAccess: the app reaches every mailbox except the group's. " +
				"A DenyAccess policy wins over a RestrictAccess one."},
		{Name: "description", Wire: "Description", Type: cty.String, Validate: ruleFreeText("description", 0),
			Description: "Your description of the policy. exoform keeps its ownership marker on a separate last line of the same field. " +
				"Exchange limits the total size of all policies (about 100 with descriptions), so keep it short."},
	},
	Check: checkApplicationAccessPolicy,
}

func appScopeGroup(s string) string {
	if strings.TrimSpace(s) == "" {
		return "The scope group must not be empty."
	}
	if strings.Contains(s, "@") {
		return fmt.Sprintf("%q is an address. Get-ApplicationAccessPolicy reports a policy's group by name and object id, never by address, so exoform could not find the policy again. "+
			"Write the group's Entra object id (Get-Recipient %s | Select ExternalDirectoryObjectId) or its name.", s, s)
	}
	return ""
}

// checkApplicationAccessPolicy warns on every declaration: Microsoft deprecated the feature.
func checkApplicationAccessPolicy(obj cty.Value) []schema.AttrProblem {
	// Reported on the whole block: the type itself is the problem.
	return []schema.AttrProblem{{Warning: true, Summary: "Application Access Policies are replaced by RBAC for Applications",
		Detail: "Microsoft replaced Application Access Policies with RBAC for Applications and asks not to create new ones, because they will need to be migrated. " +
			"Use exchange_service_principal, exchange_management_scope and exchange_management_role_assignment instead (for example the role \"Application Mail.Send\" with a custom_resource_scope)."}}
}

var appAccessPolicyMap = &ruleMap{
	t:          ApplicationAccessPolicyType,
	markerWire: "Description",
	fields: map[string][]string{
		"app_id":                {"AppId", "AppID"},
		"policy_scope_group_id": {"ScopeIdentity", "ScopeName", "PolicyScopeGroupId"},
	},
}

type appAccessPolicy struct{ c invoker }

func (r *appAccessPolicy) Type() *schema.ResourceType { return ApplicationAccessPolicyType }

// ReadAll lists every policy with one paged Get-ApplicationAccessPolicy. The reference's yaml
// marks Identity required, but the syntax (and Microsoft's examples) call it without one.
func (r *appAccessPolicy) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return ruleRead(ctx, r.c, "Get-ApplicationAccessPolicy", nil, appAccessPolicyObjects)
}

// appAccessPolicyObjects converts one policy. AppId comes as a string, a comma-separated string
// or an array; each app of a policy is an object of its own, since the key is one app and one
// group. The scope group answers to each name Exchange reports for it.
func appAccessPolicyObjects(o map[string]any) ([]providers.LiveObject, error) {
	var apps []string
	switch v := o["AppId"].(type) {
	case nil:
		if s, ok := o["AppID"].(string); ok {
			apps = ruleStringsOf(ruleSplitList(s, true))
		} else if arr, ok := o["AppID"].([]any); ok {
			apps = ruleStringsOf(arr)
		}
	case string:
		apps = ruleStringsOf(ruleSplitList(v, true))
	case []any:
		apps = ruleStringsOf(v)
	}
	if len(apps) == 0 {
		return nil, fmt.Errorf("the policy has no AppId")
	}
	var scopeNames []string
	for _, f := range []string{"ScopeIdentity", "ScopeName", "PolicyScopeGroupId"} {
		if s := ruleString(o, f); s != "" {
			scopeNames = append(scopeNames, s)
		}
	}
	if raw := ruleString(o, "ScopeIdentityRaw"); raw != "" {
		sid, oid, _ := strings.Cut(raw, ";")
		for _, s := range []string{oid, sid} {
			if s = strings.TrimSpace(s); s != "" {
				scopeNames = append(scopeNames, s)
			}
		}
	}
	apps = appPolicyUniqueApps(apps)
	var out []providers.LiveObject
	for _, app := range apps {
		one := make(map[string]any, len(o))
		for k, v := range o {
			one[k] = v
		}
		one["AppId"] = app
		lo, err := appAccessPolicyMap.live(one)
		if err != nil {
			return nil, err
		}
		// The policy's Identity ("<tenant>\<app>:<SID>;<object id>") is what Set and Remove take.
		lo.ID = ruleString(o, "Identity")
		for _, s := range scopeNames {
			if n := schema.JoinKey(app, s); !strings.EqualFold(n, lo.Key) {
				lo.Names = append(lo.Names, n)
			}
		}
		if len(apps) > 1 {
			// A policy of several apps is never exoform's: see ApplicationAccessPolicyType.
			lo.Owner, lo.Protected, lo.AllowDestroy = "", false, false
			var others []string
			for _, other := range apps {
				if other != app {
					others = append(others, other)
				}
			}
			lo.Meta = map[string]string{appPolicyOtherApps: strings.Join(others, ",")}
		}
		out = append(out, lo)
	}
	return out, nil
}

// appPolicyOtherApps is the Meta key recording, comma-separated, the other apps a policy
// covers, so that Compile (which sees only the Change) can refuse to touch a policy of several
// apps.
const appPolicyOtherApps = "OtherAppIds"

// appPolicyUniqueApps drops repeated apps (compared case-insensitively), keeping the first
// spelling.
func appPolicyUniqueApps(apps []string) []string {
	seen := map[string]bool{}
	out := apps[:0:0]
	for _, a := range apps {
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

// appPolicyOthers returns the other apps a live policy entry's policy covers; none for a policy
// of one app.
func appPolicyOthers(lo *providers.LiveObject) []string {
	if lo == nil || lo.Meta[appPolicyOtherApps] == "" {
		return nil
	}
	return strings.Split(lo.Meta[appPolicyOtherApps], ",")
}

func ruleStringsOf(arr []any) []string {
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// appPolicyIdentity is the Identity to name a live policy by in Set and Remove.
func appPolicyIdentity(lo *providers.LiveObject) string {
	if lo.ID != "" {
		return lo.ID
	}
	return lo.Key
}

func (r *appAccessPolicy) Compile(c providers.Change) ([]providers.Operation, error) {
	newOp := func(fromDesired bool) providers.Operation {
		return ruleOp("New-ApplicationAccessPolicy",
			providers.Param{Name: "AppId", Value: []string{ruleText(c.Desired, "app_id")}},
			providers.Param{Name: "PolicyScopeGroupID", Value: ruleText(c.Desired, "policy_scope_group_id")},
			providers.Param{Name: "AccessRight", Value: ruleText(c.Desired, "access_right")},
			providers.Param{Name: "Description", Value: ruleMarkerField(c, "description", fromDesired)})
	}
	if others := appPolicyOthers(c.Prior); len(others) > 0 && (c.Kind == providers.Update || c.Kind == providers.Delete) {
		return nil, appPolicySharedError(c, others)
	}
	switch c.Kind {
	case providers.Create:
		return []providers.Operation{newOp(true)}, nil
	case providers.Update:
		set := ruleSetOf(c)
		id := providers.Param{Name: "Identity", Value: appPolicyIdentity(c.Prior)}
		if set["access_right"] {
			// Replace: see ApplicationAccessPolicyType. The old policy is named by its own
			// Identity; the new one takes the app and group as declared.
			return []providers.Operation{ruleOp("Remove-ApplicationAccessPolicy", id, ruleConfirm), newOp(set["description"])}, nil
		}
		if !set["description"] && !c.WriteMarker {
			return nil, nil
		}
		return []providers.Operation{ruleOp("Set-ApplicationAccessPolicy", id,
			providers.Param{Name: "Description", Value: ruleMarkerField(c, "description", set["description"])})}, nil
	case providers.Delete:
		return []providers.Operation{ruleOp("Remove-ApplicationAccessPolicy", providers.Param{Name: "Identity", Value: appPolicyIdentity(c.Prior)}, ruleConfirm)}, nil
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}

// appPolicySharedError explains why exoform does not touch a policy that covers several apps.
func appPolicySharedError(c providers.Change, others []string) error {
	app, group := ruleText(c.Prior.Value, "app_id"), ruleText(c.Prior.Value, "policy_scope_group_id")
	also := "app " + others[0]
	if len(others) > 1 {
		also = "apps " + strings.Join(others, ", ")
	}
	id := appPolicyIdentity(c.Prior)
	if c.Kind == providers.Delete {
		return fmt.Errorf("exoform never removes the application access policy '%s': it also covers %s, whose restriction Remove-ApplicationAccessPolicy would lift too", id, also)
	}
	return fmt.Errorf("the application access policy for app %s and group %q also covers %s. exoform manages only policies of one app: "+
		"adopting, changing or replacing this one would change the restriction of the other apps too. "+
		"Split it by hand (Remove-ApplicationAccessPolicy -Identity '%s', then one New-ApplicationAccessPolicy per app) and plan again, "+
		"or leave this policy out of the configuration", app, group, also, id)
}

var appAccessPolicyGuard = &guardSpec{t: ApplicationAccessPolicyType, unchecked: map[string]string{
	"description": guardMarkerText,
}}

// Guard reads the policy with Get-ApplicationAccessPolicy -Identity <its Identity>, compares the
// access right and checks the ownership marker in Description. A change of access right removes
// and creates the policy, which keeps its Identity (made of the app and the group), so the same
// read shows it after.
//
// A create cannot be guarded: the cmdlet names a policy only by the Identity Exchange makes when
// it creates it, which holds the group's security identifier, and a policy's answer names its
// group in forms (ScopeName, ScopeIdentity, "<SID>;<object id>") of which the declaration may
// use any, so no read can pick out the one policy before it exists or recognise it after.
func (r *appAccessPolicy) Guard(c providers.Change) (providers.Guard, error) {
	t := ApplicationAccessPolicyType
	if err := guardKind(t, c); err != nil {
		return providers.Guard{}, err
	}
	if c.Kind == providers.Create {
		return providers.Guard{}, fmt.Errorf("a new application access policy cannot be guarded in a script: Get-ApplicationAccessPolicy names a policy only by the Identity Exchange gives it when it is created. " +
			"Create it with exoform apply, or use RBAC for Applications (exchange_management_role_assignment), which replaces these policies")
	}
	g := providers.Guard{Read: ruleOp("Get-ApplicationAccessPolicy", providers.Param{Name: "Identity", Value: appPolicyIdentity(c.Prior)})}
	g.Checks, g.Unchecked = appAccessPolicyGuard.checks(c)
	g.Checks = append(g.Checks, providers.OwnerCheck(c, "Description"))
	return g, nil
}
