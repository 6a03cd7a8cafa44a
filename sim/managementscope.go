package sim

import (
	"reflect"
	"strings"
	"time"
)

// managementScope is a recipient-based management scope
// (New-ManagementScope -RecipientRestrictionFilter), the only kind Exchange
// Online offers. It limits a role assignment (CustomResourceScope) to the
// recipients its filter matches.
type managementScope struct {
	Guid          string    `json:"guid"`
	Name          string    `json:"name"`
	Filter        string    `json:"recipient_filter"`
	RecipientRoot *string   `json:"recipient_root"`
	Exclusive     bool      `json:"exclusive"`
	WhenCreated   time.Time `json:"when_created"`
	WhenChanged   time.Time `json:"when_changed"`
}

func (m *managementScope) clone() *managementScope {
	n := *m
	if m.RecipientRoot != nil {
		n.RecipientRoot = strPtr(*m.RecipientRoot)
	}
	return &n
}

var scopeIdentityParam = paramSpec{name: "Identity", docType: "ManagementScopeIdParameter", required: true, kind: kindIdentity}

func managementScopeCmdlets() []*cmdlet {
	return []*cmdlet{
		{
			name: "Get-ManagementScope",
			params: []paramSpec{
				{name: "Identity", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "Exclusive", docType: "Boolean", kind: kindBool},
				{name: "Orphan", docType: "SwitchParameter", kind: kindSwitch},
			},
			run: getManagementScope,
		},
		{
			name:  "New-ManagementScope",
			write: true,
			params: append([]paramSpec{
				{name: "Name", docType: "String", required: true, kind: kindString},
				// Required in the RecipientFilter set, the only set that applies
				// to Exchange Online.
				{name: "RecipientRestrictionFilter", docType: "String", required: true, kind: kindString},
				{name: "RecipientRoot", docType: "OrganizationalUnitIdParameter", kind: kindString},
				{name: "Exclusive", docType: "SwitchParameter", kind: kindSwitch},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: newManagementScopeCmd,
		},
		{
			name:  "Set-ManagementScope",
			write: true,
			params: append([]paramSpec{
				scopeIdentityParam,
				{name: "Name", docType: "String", kind: kindString},
				{name: "RecipientRestrictionFilter", docType: "String", kind: kindString},
				{name: "RecipientRoot", docType: "OrganizationalUnitIdParameter", kind: kindString},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: setManagementScope,
		},
		{
			name:  "Remove-ManagementScope",
			write: true,
			params: append([]paramSpec{
				scopeIdentityParam,
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: removeManagementScope,
		},
	}
}

// findScope resolves a ManagementScopeIdParameter (name or GUID).
func findScope(x *cmdContext, identity string, master bool) (*versioned[managementScope], *managementScope) {
	is := nameOrGUID(identity)
	return find(x, x.st.Exchange.ManagementScopes, master, func(m *managementScope) bool { return is(m.Name, m.Guid) })
}

// scopeAssignments returns the names of the (master) role assignments that
// use the scope.
func scopeAssignments(x *cmdContext, scopeGUID string) []string {
	var out []string
	for _, a := range masterList(x.st.Exchange.RoleAssignments) {
		if a.CustomResourceScope == scopeGUID {
			out = append(out, a.Name)
		}
	}
	return out
}

func getManagementScope(x *cmdContext, p params) (*cmdResult, *exError) {
	var list []*managementScope
	if p.has("Identity") {
		_, m := findScope(x, p["Identity"].str, false)
		if m == nil {
			return nil, errNotFound(p["Identity"].str)
		}
		list = []*managementScope{m}
	} else {
		list = visibleList(x.st.Exchange.ManagementScopes, x.now)
		sortByName(list, func(m *managementScope) string { return m.Name }, func(m *managementScope) string { return m.Guid })
	}
	res := &cmdResult{}
	for _, m := range list {
		if v, ok := p["Exclusive"]; ok && m.Exclusive != v.b {
			continue
		}
		if p["Orphan"].b && len(visibleScopeUsers(x, m.Guid)) > 0 {
			continue
		}
		res.objects = append(res.objects, renderScope(x.st, m))
	}
	return res, nil
}

// visibleScopeUsers is scopeAssignments as reads see it.
func visibleScopeUsers(x *cmdContext, scopeGUID string) []string {
	var out []string
	for _, a := range visibleList(x.st.Exchange.RoleAssignments, x.now) {
		if a.CustomResourceScope == scopeGUID {
			out = append(out, a.Name)
		}
	}
	return out
}

func checkScopeName(x *cmdContext, name, self string) *exError {
	taken := false
	for _, m := range masterList(x.st.Exchange.ManagementScopes) {
		if m.Guid != self && strings.EqualFold(m.Name, name) {
			taken = true
		}
	}
	if err := checkObjectName(name, 64); err != nil {
		return err
	}
	if taken {
		return errAlreadyExists("The management scope '%s' already exists. The object '%s' already exists. Specify a unique name.", name, scopeDN(x.st, name))
	}
	return nil
}

// checkRecipientFilter validates an OPATH recipient filter (the subset in
// managementscope_opath.go) and returns it trimmed.
func checkRecipientFilter(v paramValue) (string, *exError) {
	f := strings.TrimSpace(v.str)
	if v.null || f == "" {
		return "", errBadRequest(excParameter, "Cannot bind argument to parameter 'RecipientRestrictionFilter' because it is an empty string.")
	}
	if _, err := parseOPATH(f); err != nil {
		return "", errBadRequest(excParameter, "Cannot bind parameter 'RecipientRestrictionFilter' to the target. Exception setting \"RecipientRestrictionFilter\": \"%s\"", err.Error())
	}
	return f, nil
}

func newManagementScopeCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	name := p["Name"].str
	if err := checkScopeName(x, name, ""); err != nil {
		return nil, err
	}
	filter, err := checkRecipientFilter(p["RecipientRestrictionFilter"])
	if err != nil {
		return nil, err
	}
	now := x.stamp()
	m := &managementScope{Guid: newGUID(), Name: name, Filter: filter, Exclusive: p["Exclusive"].b, WhenCreated: now, WhenChanged: now}
	if v, ok := p["RecipientRoot"]; ok && !v.null && strings.TrimSpace(v.str) != "" {
		m.RecipientRoot = strPtr(strings.TrimSpace(v.str))
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[managementScope]{}
	rec.put(m, x.now, x.lag())
	x.st.Exchange.ManagementScopes[m.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderScope(x.st, m)}}, nil
}

func setManagementScope(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findScope(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	next := cur.clone()
	if v, ok := p["Name"]; ok {
		if err := checkScopeName(x, v.str, cur.Guid); err != nil {
			return nil, err
		}
		next.Name = v.str
	}
	if v, ok := p["RecipientRestrictionFilter"]; ok {
		f, err := checkRecipientFilter(v)
		if err != nil {
			return nil, err
		}
		next.Filter = f
	}
	if v, ok := p["RecipientRoot"]; ok {
		next.RecipientRoot = nil
		if !v.null && strings.TrimSpace(v.str) != "" {
			next.RecipientRoot = strPtr(strings.TrimSpace(v.str))
		}
	}
	if reflect.DeepEqual(next, cur) {
		return noChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// removeManagementScope refuses while a role assignment uses the scope
// ("You can't remove a scope if it's in use by a management role
// assignment").
func removeManagementScope(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findScope(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	if users := scopeAssignments(x, cur.Guid); len(users) > 0 {
		return nil, errBadRequest(excValidation, "Management scope \"%s\" can't be removed because it's in use by the following management role assignments: %s. Remove the role assignments or change their scope first.", cur.Name, strings.Join(users, ", "))
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(nil, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

func scopeDN(st *state, name string) string {
	return configDN(st, name, "CN=Scopes,CN=RBAC")
}

// renderScope is Get-ManagementScope's output object. The filter is in
// RecipientFilter (the property's name; the parameter is
// RecipientRestrictionFilter).
func renderScope(st *state, m *managementScope) object {
	var b objBuilder
	b.val("ScopeRestrictionType", "RecipientScope")
	b.val("Exclusive", m.Exclusive)
	b.str("RecipientRoot", m.RecipientRoot)
	b.val("RecipientFilter", m.Filter)
	b.val("ServerFilter", nil)
	b.val("DatabaseFilter", nil)
	b.val("Name", m.Name)
	commonTail(&b, scopeDN(st, m.Name), m.Name, m.Guid, m.WhenCreated, m.WhenChanged)
	return b.o
}
