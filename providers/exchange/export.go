package exchange

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

// Export rules: which live objects "exoform export" declares, and how.

// ExportRules declares only the mailboxes whose SMTP AUTH setting is their own rather than
// the organization's (smtp_client_authentication_disabled not inherited), and only that
// setting: every mailbox has the other protocol switches, and declaring 50,000 mailboxes'
// defaults would bury the few that matter.
func (r *casMailbox) ExportRules() providers.ExportRules {
	return providers.ExportRules{Value: func(o providers.LiveObject) (cty.Value, bool) {
		smtp := o.Value.GetAttr("smtp_client_authentication_disabled")
		if smtp.IsNull() || smtp.AsString() == "inherit" {
			return cty.NilVal, false
		}
		return onlyAttrs(o.Value, "identity", "smtp_client_authentication_disabled"), true
	}}
}

// ExportRules reads the permissions of the exported shared mailboxes (Get-MailboxPermission
// takes one mailbox at a time) and declares those that grant anything.
func (r *mailboxPermissions) ExportRules() providers.ExportRules {
	return providers.ExportRules{
		Scope: SharedMailboxType.Name,
		Refs:  map[string]string{"identity": SharedMailboxType.Name},
		Value: func(o providers.LiveObject) (cty.Value, bool) {
			if empty(o.Value.GetAttr("full_access")) && empty(o.Value.GetAttr("send_as")) {
				return cty.NilVal, false
			}
			return o.Value, true
		},
	}
}

// ExportRules leaves inbox rules out: they live in each mailbox, and reading them costs a
// request per mailbox.
func (r *inboxRule) ExportRules() providers.ExportRules {
	return providers.ExportRules{Never: true,
		Skip: "inbox rules live in each mailbox and can only be read one mailbox at a time; declare the rules you need"}
}

// ExportRules leaves out the entries of a policy that covers several apps: exoform never
// manages such a policy (see ApplicationAccessPolicyType), so declaring one would make every
// plan fail until the policy is split by hand.
func (r *appAccessPolicy) ExportRules() providers.ExportRules {
	return providers.ExportRules{Value: func(o providers.LiveObject) (cty.Value, bool) {
		return o.Value, o.Meta[appPolicyOtherApps] == ""
	}}
}

// ExportRules refers to the exported service principal and management scope by reference.
func (r *roleAssignment) ExportRules() providers.ExportRules {
	return providers.ExportRules{Refs: map[string]string{
		"app":                   ServicePrincipalType.Name,
		"custom_resource_scope": ManagementScopeType.Name,
	}}
}

// onlyAttrs is v with every attribute but names null.
func onlyAttrs(v cty.Value, names ...string) cty.Value {
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	attrs := map[string]cty.Value{}
	for n, t := range v.Type().AttributeTypes() {
		if keep[n] {
			attrs[n] = v.GetAttr(n)
		} else {
			attrs[n] = cty.NullVal(t)
		}
	}
	return cty.ObjectVal(attrs)
}

// empty reports whether a set is null or has no elements.
func empty(v cty.Value) bool { return v.IsNull() || !v.IsKnown() || v.LengthInt() == 0 }
