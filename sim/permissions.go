package sim

import (
	"fmt"
	"slices"
	"strings"
)

// mailboxRightsOrder is MailboxRights in flag order, the order Exchange
// prints them in.
var mailboxRightsOrder = []string{"FullAccess", "SendAs", "ExternalAccount", "DeleteItem", "ReadPermission", "ChangePermission", "ChangeOwner"}

// inheritanceTypes are ActiveDirectorySecurityInheritance's values.
var inheritanceTypes = []string{"None", "All", "Descendents", "SelfAndChildren", "Children"}

// selfPrincipal is the well-known principal every mailbox grants itself.
const selfPrincipal = `NT AUTHORITY\SELF`

// inheritedMailboxACEs are the inherited entries Get-MailboxPermission
// lists for every mailbox after the explicit ones. The principals are
// modelled on Exchange Online's (the forest name is the sim's).
var inheritedMailboxACEs = []struct {
	user   string
	rights []string
	deny   bool
}{
	{`SIMPR01A001\Administrator`, []string{"FullAccess"}, true},
	{`SIMPR01A001\Domain Admins`, []string{"FullAccess"}, true},
	{`SIMPR01A001\Enterprise Admins`, []string{"FullAccess"}, true},
	{`SIMPR01A001\Organization Management`, []string{"FullAccess"}, true},
	{`NT AUTHORITY\SYSTEM`, []string{"FullAccess"}, false},
	{`NT AUTHORITY\NETWORK SERVICE`, []string{"ReadPermission"}, false},
	{`SIMPR01A001\Exchange Servers`, []string{"FullAccess", "ReadPermission"}, false},
	{`SIMPR01A001\Managed Availability Servers`, []string{"ReadPermission"}, false},
}

func mailboxPermissionCmdlets() []*cmdlet {
	identity := paramSpec{name: "Identity", docType: "MailboxIdParameter", required: true, kind: kindIdentity}
	rights := paramSpec{name: "AccessRights", docType: "MailboxRights[]", required: true, kind: kindMulti}
	user := paramSpec{name: "User", docType: "SecurityPrincipalIdParameter", required: true, kind: kindIdentity}
	inherit := paramSpec{name: "InheritanceType", docType: "ActiveDirectorySecurityInheritance", kind: kindEnum, enum: inheritanceTypes}
	deny := paramSpec{name: "Deny", docType: "SwitchParameter", kind: kindSwitch}
	return []*cmdlet{
		{
			name: "Get-MailboxPermission",
			params: []paramSpec{
				identity,
				{name: "User", docType: "SecurityPrincipalIdParameter", kind: kindIdentity},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getMailboxPermission,
		},
		{
			name:  "Add-MailboxPermission",
			write: true,
			params: append([]paramSpec{identity, rights, user, inherit, deny,
				{name: "AutoMapping", docType: "Boolean", kind: kindBool},
			}, confirmParams...),
			run: addMailboxPermission,
		},
		{
			name:  "Remove-MailboxPermission",
			write: true,
			params: append([]paramSpec{identity, rights, user, inherit, deny,
				{name: "BypassMasterAccountSid", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: removeMailboxPermission,
		},
	}
}

// parseMailboxRights checks AccessRights against MailboxRights (allowed
// lists the values the cmdlet documents) and returns them in flag order.
func parseMailboxRights(v paramValue, allowed []string) ([]string, *exError) {
	given := append(append([]string{}, v.list...), v.add...)
	if len(given) == 0 {
		return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'AccessRights' because it is an empty collection.")
	}
	var out []string
	for _, g := range given {
		g = strings.TrimSpace(g)
		i := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, g) })
		if i < 0 {
			return nil, errBadRequest(excParameter, "Cannot bind parameter 'AccessRights'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Management.RecipientTasks.MailboxRights\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", g, g, strings.Join(allowed, ", "))
		}
		out = append(out, allowed[i])
	}
	return sortRights(out), nil
}

// sortRights returns the distinct rights in flag order.
func sortRights(rights []string) []string {
	var out []string
	for _, r := range mailboxRightsOrder {
		if slices.Contains(rights, r) {
			out = append(out, r)
		}
	}
	return out
}

func getMailboxPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	_, m, e := resolveMailbox(x, p["Identity"].str, false)
	if e != nil {
		return nil, e
	}
	var entries []object
	if v, ok := p["User"]; ok {
		_, u, e := resolveMailbox(x, v.str, false)
		if e != nil {
			return nil, e
		}
		for _, a := range m.FullAccess {
			if a.User == u.Guid {
				entries = append(entries, renderMailboxACE(m.Name, trusteeName(u), a.AccessRights, a.Deny, a.InheritanceType, false))
			}
		}
	} else {
		entries = append(entries, renderMailboxACE(m.Name, selfPrincipal, []string{"FullAccess", "ReadPermission"}, false, "All", false))
		for _, a := range m.FullAccess {
			if u := mailboxByGuid(x, a.User); u != nil {
				entries = append(entries, renderMailboxACE(m.Name, trusteeName(u), a.AccessRights, a.Deny, a.InheritanceType, false))
			}
		}
		for _, a := range inheritedMailboxACEs {
			entries = append(entries, renderMailboxACE(m.Name, a.user, a.rights, a.deny, "All", true))
		}
	}
	res := &cmdResult{}
	res.objects, res.warnings = applyResultSize(entries, p)
	return res, nil
}

// permissionTarget resolves the Identity and the trustee (User or Trustee)
// of a permission write, both among the master copies.
func permissionTarget(x *cmdContext, p params, trusteeParam string) (*versioned[mailbox], *mailbox, *mailbox, *exError) {
	rec, m, e := resolveMailbox(x, p["Identity"].str, true)
	if e != nil {
		return nil, nil, nil, e
	}
	_, u, e := resolveMailbox(x, p[trusteeParam].str, true)
	if e != nil {
		return nil, nil, nil, e
	}
	return rec, m, u, nil
}

func addMailboxPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	rights, e := parseMailboxRights(p["AccessRights"], []string{"ChangeOwner", "ChangePermission", "DeleteItem", "ExternalAccount", "FullAccess", "ReadPermission"})
	if e != nil {
		return nil, e
	}
	rec, m, u, e := permissionTarget(x, p, "User")
	if e != nil {
		return nil, e
	}
	inherit := "All"
	if v, ok := p["InheritanceType"]; ok {
		inherit = v.str
	}
	deny := p["Deny"].b
	autoMapping := true
	if v, ok := p["AutoMapping"]; ok {
		autoMapping = v.b
	}
	next := m.clone()
	i := slices.IndexFunc(next.FullAccess, func(a mailboxACE) bool {
		return a.User == u.Guid && a.Deny == deny && a.InheritanceType == inherit
	})
	if i >= 0 {
		ace := &next.FullAccess[i]
		if !slices.ContainsFunc(rights, func(r string) bool { return !slices.Contains(ace.AccessRights, r) }) {
			return &cmdResult{warnings: []string{fmt.Sprintf("The appropriate access control entry is already present on the object \"%s\" for account \"%s\".", mailboxDN(x.st, m.Name), trusteeName(u))}}, nil
		}
		ace.AccessRights = sortRights(append(ace.AccessRights, rights...))
		if p.has("AutoMapping") {
			ace.AutoMapping = autoMapping
		}
	} else {
		next.FullAccess = append(next.FullAccess, mailboxACE{User: u.Guid, AccessRights: rights, Deny: deny, InheritanceType: inherit, AutoMapping: autoMapping})
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{objects: []object{renderMailboxACE(m.Name, trusteeName(u), rights, deny, inherit, false)}}, nil
}

// removeMailboxPermission removes the given rights from the trustee's
// explicit entry. Removing rights the entry doesn't hold succeeds with
// Exchange's "ACE doesn't exist" text as a warning (BypassMasterAccountSid
// suppresses it).
func removeMailboxPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	rights, e := parseMailboxRights(p["AccessRights"], mailboxRightsOrder)
	if e != nil {
		return nil, e
	}
	rec, m, u, e := permissionTarget(x, p, "User")
	if e != nil {
		return nil, e
	}
	inherit := "All"
	if v, ok := p["InheritanceType"]; ok {
		inherit = v.str
	}
	deny := p["Deny"].b
	next := m.clone()
	removed := false
	var kept []mailboxACE
	for _, a := range next.FullAccess {
		if a.User == u.Guid && a.Deny == deny && a.InheritanceType == inherit {
			left := slices.DeleteFunc(slices.Clone(a.AccessRights), func(r string) bool { return slices.Contains(rights, r) })
			if len(left) < len(a.AccessRights) {
				removed = true
			}
			if len(left) == 0 {
				continue
			}
			a.AccessRights = left
		}
		kept = append(kept, a)
	}
	if !removed {
		res := &cmdResult{}
		if !p["BypassMasterAccountSid"].b {
			res.warnings = []string{aceMissingWarning(x, m, u)}
		}
		return res, nil
	}
	next.FullAccess = kept
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

func aceMissingWarning(x *cmdContext, m, u *mailbox) string {
	return fmt.Sprintf("Can't remove the access control entry on the object \"%s\" for account \"%s\" because the ACE doesn't exist on the object.", mailboxDN(x.st, m.Name), trusteeName(u))
}

// renderMailboxACE is one Get-MailboxPermission entry.
func renderMailboxACE(identity, user string, rights []string, deny bool, inherit string, inherited bool) object {
	var b objBuilder
	b.strs("AccessRights", rights)
	b.val("Deny", deny)
	b.val("InheritanceType", inherit)
	b.val("User", user)
	b.val("Identity", identity)
	b.val("IsInherited", inherited)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}

func recipientPermissionCmdlets() []*cmdlet {
	identity := paramSpec{name: "Identity", docType: "RecipientIdParameter", required: true, kind: kindIdentity}
	trustee := paramSpec{name: "Trustee", docType: "SecurityPrincipalIdParameter", required: true, kind: kindIdentity}
	rights := paramSpec{name: "AccessRights", docType: "MultiValuedProperty", required: true, kind: kindMulti}
	return []*cmdlet{
		{
			name: "Get-RecipientPermission",
			params: []paramSpec{
				{name: "Identity", docType: "RecipientIdParameter", kind: kindIdentity},
				{name: "Trustee", docType: "SecurityPrincipalIdParameter", kind: kindIdentity},
				{name: "AccessRights", docType: "MultiValuedProperty", kind: kindMulti},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getRecipientPermission,
		},
		{
			name:   "Add-RecipientPermission",
			write:  true,
			params: append([]paramSpec{identity, trustee, rights}, confirmParams...),
			run:    addRecipientPermission,
		},
		{
			name:  "Remove-RecipientPermission",
			write: true,
			params: append([]paramSpec{identity, trustee, rights,
				{name: "Deny", docType: "SwitchParameter", kind: kindSwitch},
				{name: "SkipDomainValidationForMailContact", docType: "SwitchParameter", kind: kindSwitch},
				{name: "SkipDomainValidationForMailUser", docType: "SwitchParameter", kind: kindSwitch},
				{name: "SkipDomainValidationForSharedMailbox", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: removeRecipientPermission,
		},
	}
}

// checkSendAs checks a recipient permission AccessRights value: "The only
// valid value for this parameter is SendAs".
func checkSendAs(v paramValue, required bool) *exError {
	given := append(append([]string{}, v.list...), v.add...)
	if required && len(given) == 0 {
		return errBadRequest(excParameter, "Cannot bind argument to parameter 'AccessRights' because it is an empty collection.")
	}
	for _, g := range given {
		if !strings.EqualFold(strings.TrimSpace(g), "SendAs") {
			return errBadRequest(excParameter, "Cannot bind parameter 'AccessRights'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Management.RecipientTasks.RecipientAccessRight\": the only valid value is SendAs.", g)
		}
	}
	return nil
}

func getRecipientPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	if v, ok := p["AccessRights"]; ok {
		if e := checkSendAs(v, false); e != nil {
			return nil, e
		}
	}
	var list []*mailbox
	if v, ok := p["Identity"]; ok {
		_, m, e := resolveMailbox(x, v.str, false)
		if e != nil {
			return nil, e
		}
		list = []*mailbox{m}
	} else {
		list = mailboxList(x)
	}
	trustee := ""
	if v, ok := p["Trustee"]; ok {
		_, u, e := resolveMailbox(x, v.str, false)
		if e != nil {
			return nil, e
		}
		trustee = u.Guid
	}
	// Keys are "<mailbox Guid>/<trustee Guid>", with no trustee Guid for
	// NT AUTHORITY\SELF: listing them is cheap, rendering is per page.
	var keys []string
	for _, m := range list {
		if trustee == "" {
			keys = append(keys, m.Guid+"/")
		}
		for _, g := range m.SendAs {
			if trustee != "" && g != trustee {
				continue
			}
			if u := mailboxByGuid(x, g); u != nil {
				keys = append(keys, m.Guid+"/"+g)
			}
		}
	}
	res := &cmdResult{render: renderSendAsKey}
	res.keys, res.warnings = applyResultSize(keys, p)
	return res, nil
}

// renderSendAsKey renders one SendAs entry of a lazy Get-RecipientPermission
// result as reads see it now; an entry removed since it was listed is gone.
func renderSendAsKey(x *cmdContext, key string) (object, bool) {
	mg, g, _ := strings.Cut(key, "/")
	m := visibleMailbox(x, mg)
	if m == nil {
		return nil, false
	}
	if g == "" {
		return renderSendAs(m.Name, selfPrincipal), true
	}
	u := mailboxByGuid(x, g)
	if u == nil || !slices.Contains(m.SendAs, g) {
		return nil, false
	}
	return renderSendAs(m.Name, trusteeName(u)), true
}

func addRecipientPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	if e := checkSendAs(p["AccessRights"], true); e != nil {
		return nil, e
	}
	rec, m, u, e := permissionTarget(x, p, "Trustee")
	if e != nil {
		return nil, e
	}
	if slices.Contains(m.SendAs, u.Guid) {
		return &cmdResult{warnings: []string{fmt.Sprintf("The appropriate access control entry is already present on the object \"%s\" for account \"%s\".", mailboxDN(x.st, m.Name), trusteeName(u))}}, nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next := m.clone()
	next.SendAs = append(next.SendAs, u.Guid)
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{objects: []object{renderSendAs(m.Name, trusteeName(u))}}, nil
}

// removeRecipientPermission removes a SendAs entry; an absent one (or any
// Deny entry: the sim's entries are all Allow) is a warning, not an error.
func removeRecipientPermission(x *cmdContext, p params) (*cmdResult, *exError) {
	if e := checkSendAs(p["AccessRights"], true); e != nil {
		return nil, e
	}
	rec, m, u, e := permissionTarget(x, p, "Trustee")
	if e != nil {
		return nil, e
	}
	if p["Deny"].b || !slices.Contains(m.SendAs, u.Guid) {
		return &cmdResult{warnings: []string{aceMissingWarning(x, m, u)}}, nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next := m.clone()
	next.SendAs = slices.DeleteFunc(next.SendAs, func(g string) bool { return g == u.Guid })
	if len(next.SendAs) == 0 {
		next.SendAs = nil
	}
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// renderSendAs is one Get-RecipientPermission entry.
func renderSendAs(identity, trustee string) object {
	var b objBuilder
	b.val("Identity", identity)
	b.val("Trustee", trustee)
	b.val("AccessControlType", "Allow")
	b.strs("AccessRights", []string{"SendAs"})
	b.val("IsInherited", false)
	b.val("InheritanceType", "None")
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}
