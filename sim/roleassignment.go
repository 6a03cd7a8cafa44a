package sim

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// applicationRoles are the RBAC for Applications roles (wire-formats A13)
// with the permissions each grants, as Test-ServicePrincipalAuthorization
// reports them in GrantedPermissions. The two "Full Access" bundles are the
// sim's reading of Microsoft's role table (unverified).
var applicationRoles = []struct {
	name  string
	perms string
}{
	{"Application Mail.Read", "Mail.Read"},
	{"Application Mail.ReadBasic", "Mail.ReadBasic"},
	{"Application Mail.ReadWrite", "Mail.ReadWrite"},
	{"Application Mail.Send", "Mail.Send"},
	{"Application MailboxSettings.Read", "MailboxSettings.Read"},
	{"Application MailboxSettings.ReadWrite", "MailboxSettings.ReadWrite"},
	{"Application Calendars.Read", "Calendars.Read"},
	{"Application Calendars.ReadWrite", "Calendars.ReadWrite"},
	{"Application Contacts.Read", "Contacts.Read"},
	{"Application Contacts.ReadWrite", "Contacts.ReadWrite"},
	{"Application Mail Full Access", "Mail.ReadWrite, Mail.Send"},
	{"Application Exchange Full Access", "Mail.ReadWrite, Mail.Send, MailboxSettings.ReadWrite, Calendars.ReadWrite, Contacts.ReadWrite"},
	{"Application EWS.AccessAsApp", "EWS.AccessAsApp"},
	{"Application SMTP.SendAsApp", "SMTP.SendAsApp"},
}

// lookupRole returns the canonical name of an application role, matched
// case-insensitively, or "".
func lookupRole(name string) (string, string) {
	for _, r := range applicationRoles {
		if strings.EqualFold(r.name, strings.TrimSpace(name)) {
			return r.name, r.perms
		}
	}
	return "", ""
}

// roleAssignment is a management role assignment to an Exchange service
// principal (New-ManagementRoleAssignment -App): RBAC for Applications. App
// and CustomResourceScope hold the GUIDs of the principal and the scope, so
// renaming either keeps the assignment.
type roleAssignment struct {
	Guid                             string    `json:"guid"`
	Name                             string    `json:"name"`
	Role                             string    `json:"role"`
	App                              string    `json:"app"`
	CustomResourceScope              string    `json:"custom_resource_scope,omitempty"`
	RecipientAdministrativeUnitScope *string   `json:"recipient_administrative_unit_scope,omitempty"`
	RecipientGroupScope              *string   `json:"recipient_group_scope,omitempty"`
	Enabled                          bool      `json:"enabled"`
	Delegating                       bool      `json:"delegating"`
	WhenCreated                      time.Time `json:"when_created"`
	WhenChanged                      time.Time `json:"when_changed"`
}

func (a *roleAssignment) clone() *roleAssignment {
	n := *a
	if a.RecipientAdministrativeUnitScope != nil {
		n.RecipientAdministrativeUnitScope = strPtr(*a.RecipientAdministrativeUnitScope)
	}
	if a.RecipientGroupScope != nil {
		n.RecipientGroupScope = strPtr(*a.RecipientGroupScope)
	}
	return &n
}

// writeScope is RecipientWriteScope: CustomRecipientScope, AdministrativeUnit,
// Group (the sim's name for a RecipientGroupScope assignment) or
// Organization.
func (a *roleAssignment) writeScope() string {
	switch {
	case a.CustomResourceScope != "":
		return "CustomRecipientScope"
	case a.RecipientAdministrativeUnitScope != nil:
		return "AdministrativeUnit"
	case a.RecipientGroupScope != nil:
		return "Group"
	}
	return "Organization"
}

// Parameters of the non-App parameter sets: accepted (they are in the
// reference), refused at run time because only application roles exist.
var roleAssigneeParams = []string{"User", "SecurityGroup", "Policy"}
var nonAppScopeParams = []string{"CustomRecipientWriteScope", "ExclusiveRecipientWriteScope", "RecipientOrganizationalUnitScope", "RecipientRelativeWriteScope"}

var recipientWriteScopeTypes = []string{"None", "Organization", "MyGAL", "Self", "MyDistributionGroups"}

func roleAssignmentCmdlets() []*cmdlet {
	idParam := paramSpec{name: "Identity", docType: "RoleAssignmentIdParameter", required: true, kind: kindIdentity}
	return []*cmdlet{
		{
			name: "Get-ManagementRoleAssignment",
			params: []paramSpec{
				{name: "Identity", docType: "RoleAssignmentIdParameter", kind: kindIdentity},
				{name: "AssignmentMethod", docType: "AssignmentMethod[]", kind: kindMulti},
				{name: "ConfigWriteScope", docType: "ConfigWriteScopeType", kind: kindString},
				{name: "CustomRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "Delegating", docType: "Boolean", kind: kindBool},
				{name: "Enabled", docType: "Boolean", kind: kindBool},
				{name: "Exclusive", docType: "Boolean", kind: kindBool},
				{name: "ExclusiveRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "GetEffectiveUsers", docType: "SwitchParameter", kind: kindSwitch},
				{name: "RecipientAdministrativeUnitScope", docType: "AdministrativeUnitIdParameter", kind: kindIdentity},
				{name: "RecipientGroupScope", docType: "GroupIdParameter", kind: kindIdentity},
				{name: "RecipientOrganizationalUnitScope", docType: "OrganizationalUnitIdParameter", kind: kindIdentity},
				{name: "RecipientWriteScope", docType: "RecipientWriteScopeType", kind: kindString},
				{name: "Role", docType: "RoleIdParameter", kind: kindIdentity},
				{name: "RoleAssignee", docType: "RoleAssigneeIdParameter", kind: kindIdentity},
				{name: "RoleAssigneeType", docType: "RoleAssigneeType", kind: kindString},
				{name: "WritableRecipient", docType: "GeneralRecipientIdParameter", kind: kindIdentity},
			},
			run: getRoleAssignment,
		},
		{
			name:  "New-ManagementRoleAssignment",
			write: true,
			params: append([]paramSpec{
				{name: "Name", docType: "String", kind: kindString},
				{name: "Role", docType: "RoleIdParameter", required: true, kind: kindIdentity},
				// App, User, SecurityGroup and Policy each pick a parameter set
				// and are mandatory there; the cmdlet checks that exactly one is
				// given.
				{name: "App", docType: "ServicePrincipalIdParameter", kind: kindIdentity},
				{name: "User", docType: "UserIdParameter", kind: kindIdentity},
				{name: "SecurityGroup", docType: "SecurityGroupIdParameter", kind: kindIdentity},
				{name: "Policy", docType: "MailboxPolicyIdParameter", kind: kindIdentity},
				{name: "CustomResourceScope", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "RecipientAdministrativeUnitScope", docType: "AdministrativeUnitIdParameter", kind: kindIdentity},
				{name: "RecipientGroupScope", docType: "GroupIdParameter", kind: kindIdentity},
				{name: "CustomRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "ExclusiveRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindIdentity},
				{name: "RecipientOrganizationalUnitScope", docType: "OrganizationalUnitIdParameter", kind: kindIdentity},
				{name: "RecipientRelativeWriteScope", docType: "RecipientWriteScopeType", kind: kindEnum, enum: recipientWriteScopeTypes},
				{name: "Delegating", docType: "SwitchParameter", kind: kindSwitch},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: newRoleAssignmentCmd,
		},
		{
			name:  "Set-ManagementRoleAssignment",
			write: true,
			params: append([]paramSpec{
				idParam,
				{name: "Enabled", docType: "Boolean", kind: kindBool},
				// null (or "") removes the scope: the assignment then covers the
				// whole organization.
				{name: "CustomResourceScope", docType: "ManagementScopeIdParameter", kind: kindString},
				{name: "RecipientAdministrativeUnitScope", docType: "AdministrativeUnitIdParameter", kind: kindString},
				{name: "RecipientGroupScope", docType: "GroupIdParameter", kind: kindString},
				{name: "CustomRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindString},
				{name: "ExclusiveRecipientWriteScope", docType: "ManagementScopeIdParameter", kind: kindString},
				{name: "RecipientOrganizationalUnitScope", docType: "OrganizationalUnitIdParameter", kind: kindString},
				{name: "RecipientRelativeWriteScope", docType: "RecipientWriteScopeType", kind: kindEnum, enum: recipientWriteScopeTypes},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: setRoleAssignment,
		},
		{
			name:  "Remove-ManagementRoleAssignment",
			write: true,
			params: append([]paramSpec{
				idParam,
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: removeRoleAssignment,
		},
	}
}

// findAssignment resolves a RoleAssignmentIdParameter (name or GUID).
func findAssignment(x *cmdContext, identity string, master bool) (*versioned[roleAssignment], *roleAssignment) {
	is := nameOrGUID(identity)
	return find(x, x.st.Exchange.RoleAssignments, master, func(a *roleAssignment) bool { return is(a.Name, a.Guid) })
}

// spByGUID returns the principal an assignment points to: the master copy,
// or the last copy readers saw while its removal replicates.
func spByGUID(st *state, guid string) *servicePrincipal {
	rec := st.Exchange.ServicePrincipals[guid]
	if rec == nil {
		return nil
	}
	if rec.Current != nil {
		return rec.Current
	}
	return rec.Previous
}

func scopeByGUID(st *state, guid string) *managementScope {
	rec := st.Exchange.ManagementScopes[guid]
	if rec == nil {
		return nil
	}
	if rec.Current != nil {
		return rec.Current
	}
	return rec.Previous
}

// refuseParams answers 400 naming the first given parameter of names, with
// why.
func refuseParams(p params, names []string, why string) *exError {
	for _, n := range names {
		if p.has(n) {
			return errBadRequest(excParameter, "Parameter set cannot be resolved using the specified named parameters: the parameter '%s' %s", n, why)
		}
	}
	return nil
}

func newRoleAssignmentCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	var assignees []string
	for _, n := range append([]string{"App"}, roleAssigneeParams...) {
		if p.has(n) {
			assignees = append(assignees, n)
		}
	}
	if len(assignees) != 1 {
		return nil, errBadRequest(excParameter, "Parameter set cannot be resolved using the specified named parameters. Use exactly one of -App, -User, -SecurityGroup or -Policy.")
	}
	role, _ := lookupRole(p["Role"].str)
	if role == "" {
		return nil, errNotFound(p["Role"].str)
	}
	if assignees[0] != "App" {
		return nil, errBadRequest(excValidation, "The role '%s' is an application role and can only be assigned to a service principal with the App parameter, not with -%s.", role, assignees[0])
	}
	if err := refuseParams(p, nonAppScopeParams, "can't be used with the App parameter; scope an application role with CustomResourceScope, RecipientAdministrativeUnitScope or RecipientGroupScope."); err != nil {
		return nil, err
	}
	_, sp, err := findServicePrincipal(x, p["App"].str, true)
	if err != nil {
		return nil, err
	}
	now := x.stamp()
	a := &roleAssignment{Guid: newGUID(), Role: role, App: sp.Guid, Enabled: true, Delegating: p["Delegating"].b, WhenCreated: now, WhenChanged: now}
	if err := applyAppScope(x, a, p); err != nil {
		return nil, err
	}
	if v, ok := p["Name"]; ok && !v.null && strings.TrimSpace(v.str) != "" {
		if err := checkAssignmentName(x, v.str, ""); err != nil {
			return nil, err
		}
		a.Name = v.str
	} else {
		a.Name = autoAssignmentName(x, role, sp.label())
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[roleAssignment]{}
	rec.put(a, x.now, x.lag())
	x.st.Exchange.RoleAssignments[a.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderAssignment(x.st, a)}}, nil
}

// applyAppScope sets the scope of an App assignment: at most one of
// CustomResourceScope (a management scope that must exist),
// RecipientAdministrativeUnitScope and RecipientGroupScope (any non-empty
// identity: the sim has no administrative units and does not resolve
// groups). Giving one replaces the others; null or "" removes it.
func applyAppScope(x *cmdContext, a *roleAssignment, p params) *exError {
	var given []string
	for _, n := range []string{"CustomResourceScope", "RecipientAdministrativeUnitScope", "RecipientGroupScope"} {
		if p.has(n) {
			given = append(given, n)
		}
	}
	if len(given) > 1 {
		return errBadRequest(excParameter, "Parameter set cannot be resolved using the specified named parameters: use only one of %s.", strings.Join(given, ", "))
	}
	if len(given) == 0 {
		return nil
	}
	v := p[given[0]]
	val := strings.TrimSpace(v.str)
	a.CustomResourceScope, a.RecipientAdministrativeUnitScope, a.RecipientGroupScope = "", nil, nil
	if v.null || val == "" {
		return nil
	}
	switch given[0] {
	case "CustomResourceScope":
		_, m := findScope(x, val, true)
		if m == nil {
			return errNotFound(val)
		}
		a.CustomResourceScope = m.Guid
	case "RecipientAdministrativeUnitScope":
		a.RecipientAdministrativeUnitScope = strPtr(val)
	case "RecipientGroupScope":
		a.RecipientGroupScope = strPtr(val)
	}
	return nil
}

func checkAssignmentName(x *cmdContext, name, self string) *exError {
	taken := false
	for _, a := range masterList(x.st.Exchange.RoleAssignments) {
		if a.Guid != self && strings.EqualFold(a.Name, name) {
			taken = true
		}
	}
	if err := checkObjectName(name, 64); err != nil {
		return err
	}
	if taken {
		return errAlreadyExists("The role assignment '%s' already exists. The object '%s' already exists. Specify a unique name.", name, assignmentDN(x.st, name))
	}
	return nil
}

// autoAssignmentName makes "<Role>-<principal display name>", cut to 64
// characters, with "-2", "-3", … added when the name is taken.
func autoAssignmentName(x *cmdContext, role, label string) string {
	base := role + "-" + label
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = fmt.Sprintf("-%d", n)
		}
		r := []rune(base)
		if len(r)+len(suffix) > 64 {
			r = r[:64-len(suffix)]
		}
		name := string(r) + suffix
		if checkAssignmentName(x, name, "") == nil {
			return name
		}
	}
}

func setRoleAssignment(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findAssignment(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	if err := refuseParams(p, nonAppScopeParams, "applies to assignments of management roles to users and groups; this assignment is to a service principal."); err != nil {
		return nil, err
	}
	next := cur.clone()
	if v, ok := p["Enabled"]; ok {
		next.Enabled = v.b
	}
	if err := applyAppScope(x, next, p); err != nil {
		return nil, err
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

func removeRoleAssignment(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findAssignment(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(nil, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

func getRoleAssignment(x *cmdContext, p params) (*cmdResult, *exError) {
	var list []*roleAssignment
	if p.has("Identity") {
		_, a := findAssignment(x, p["Identity"].str, false)
		if a == nil {
			return nil, errNotFound(p["Identity"].str)
		}
		list = []*roleAssignment{a}
	} else {
		list = visibleList(x.st.Exchange.RoleAssignments, x.now)
		sortByName(list, func(a *roleAssignment) string { return a.Name }, func(a *roleAssignment) string { return a.Guid })
	}
	role := ""
	if v, ok := p["Role"]; ok {
		if role, _ = lookupRole(v.str); role == "" {
			return nil, errNotFound(v.str)
		}
	}
	var assignee *servicePrincipal
	if v, ok := p["RoleAssignee"]; ok {
		_, sp, err := findServicePrincipal(x, v.str, false)
		if err != nil {
			return nil, err
		}
		assignee = sp
	}
	var writable func(*roleAssignment) bool
	if v, ok := p["WritableRecipient"]; ok {
		r, err := resolveRecipient(x, v.str, false)
		if err != nil {
			return nil, err
		}
		writable = func(a *roleAssignment) bool { return assignmentCovers(x.st, a, v.str, r) == "True" }
	}
	res := &cmdResult{}
	for _, a := range list {
		keep := (role == "" || a.Role == role) &&
			(assignee == nil || a.App == assignee.Guid) &&
			boolFilter(p, "Enabled", a.Enabled) && boolFilter(p, "Delegating", a.Delegating) &&
			boolFilter(p, "Exclusive", assignmentExclusive(x.st, a)) &&
			strFilter(p, "RoleAssigneeType", "ServicePrincipal") &&
			strFilter(p, "RecipientWriteScope", a.writeScope()) &&
			strFilter(p, "ConfigWriteScope", "None") &&
			ptrFilter(p, "RecipientAdministrativeUnitScope", a.RecipientAdministrativeUnitScope) &&
			ptrFilter(p, "RecipientGroupScope", a.RecipientGroupScope) &&
			!p.has("CustomRecipientWriteScope") && !p.has("ExclusiveRecipientWriteScope") && !p.has("RecipientOrganizationalUnitScope") &&
			(!p.has("AssignmentMethod") || containsFold(p["AssignmentMethod"].list, "Direct")) &&
			(writable == nil || writable(a))
		if keep {
			res.objects = append(res.objects, renderAssignment(x.st, a))
		}
	}
	return res, nil
}

func boolFilter(p params, name string, v bool) bool {
	f, ok := p[name]
	return !ok || f.b == v
}

func strFilter(p params, name, v string) bool {
	f, ok := p[name]
	return !ok || strings.EqualFold(strings.TrimSpace(f.str), v)
}

func ptrFilter(p params, name string, v *string) bool {
	f, ok := p[name]
	return !ok || (v != nil && strings.EqualFold(strings.TrimSpace(f.str), *v))
}

// assignmentExclusive: an assignment is exclusive when its scope is.
func assignmentExclusive(st *state, a *roleAssignment) bool {
	if a.CustomResourceScope == "" {
		return false
	}
	m := scopeByGUID(st, a.CustomResourceScope)
	return m != nil && m.Exclusive
}

// recipientRef is a recipient as the rule side sees it: the properties a
// recipient filter can test, and an object id to compare policy scopes by.
type recipientRef struct {
	props    func(string) []string
	objectID string
	display  string // DisplayName, or the identity as given
	name     string // Name, or the identity as given
	mailbox  *mailbox
}

// resolveRecipient looks identity up among the mailboxes (resolveMailbox,
// from the recipient side). A recipient the sim does not know (groups are
// not simulated) is kept as given: its properties are derived from the text
// (recipientProps) and its object id from the tenant and the text. An
// ambiguous identity is an error.
func resolveRecipient(x *cmdContext, identity string, master bool) (*recipientRef, *exError) {
	_, m, err := resolveMailbox(x, identity, master)
	if err != nil && err.excType != excNotFound {
		return nil, err
	}
	if m != nil {
		id := m.ExternalDirectoryObjectId
		if id == "" {
			id = m.Guid
		}
		return &recipientRef{props: mailboxProps(m), objectID: id, display: m.DisplayName, name: m.Name, mailbox: m}, nil
	}
	id := strings.TrimSpace(identity)
	return &recipientRef{props: recipientProps(id), objectID: scopeObjectID(x.st, id), display: id, name: id}, nil
}

// mailboxProps are the filterable properties of a simulated mailbox: its
// identity and address properties, RecipientTypeDetails, and every simple
// Set-Mailbox setting it holds (CustomAttribute1, Department, …) by name.
func mailboxProps(m *mailbox) func(string) []string {
	return func(prop string) []string {
		switch strings.ToLower(prop) {
		case "name", "identity":
			return []string{m.Name}
		case "alias":
			return []string{m.Alias}
		case "displayname":
			return []string{m.DisplayName}
		case "userprincipalname", "microsoftonlineservicesid":
			return []string{m.UserPrincipalName}
		case "primarysmtpaddress", "windowsemailaddress":
			return []string{m.primary()}
		case "emailaddresses":
			return append([]string{}, m.EmailAddresses...)
		case "recipienttypedetails":
			return []string{m.recipientTypeDetails()}
		case "externaldirectoryobjectid":
			return []string{m.ExternalDirectoryObjectId}
		case "guid":
			return []string{m.Guid}
		}
		for k, v := range m.Settings.Strings {
			if strings.EqualFold(k, prop) {
				return []string{v}
			}
		}
		for k, v := range m.Settings.Lists {
			if strings.EqualFold(k, prop) {
				return append([]string{}, v...)
			}
		}
		return nil
	}
}

// recipientProps derives the properties a recipient filter can test from a
// recipient identity the sim does not know: an SMTP address gives
// PrimarySmtpAddress, WindowsEmailAddress, UserPrincipalName, EmailAddresses
// and an Alias/Name from its local part; anything else is the Name, Alias,
// DisplayName and Identity.
func recipientProps(identity string) func(string) []string {
	id := strings.TrimSpace(identity)
	local, domain, isAddr := strings.Cut(id, "@")
	isAddr = isAddr && local != "" && validDomain(domain)
	return func(prop string) []string {
		switch strings.ToLower(prop) {
		case "primarysmtpaddress", "windowsemailaddress", "userprincipalname", "microsoftonlineservicesid":
			if isAddr {
				return []string{id}
			}
		case "emailaddresses":
			if isAddr {
				return []string{"SMTP:" + id}
			}
		case "alias", "name", "displayname", "identity":
			if isAddr {
				return []string{local}
			}
			return []string{id}
		}
		return nil
	}
}

// assignmentCovers is Test-ServicePrincipalAuthorization's InScope for one
// assignment and a recipient: "True" for an organization-wide assignment,
// the filter's verdict for a management scope, and for an administrative
// unit or group scope "True" only when the recipient identity names the unit
// or group itself (the sim has no administrative units or groups).
func assignmentCovers(st *state, a *roleAssignment, identity string, r *recipientRef) string {
	yes := func(b bool) string {
		if b {
			return "True"
		}
		return "False"
	}
	switch {
	case a.CustomResourceScope != "":
		m := scopeByGUID(st, a.CustomResourceScope)
		if m == nil {
			return "False"
		}
		n, err := parseOPATH(m.Filter)
		return yes(err == nil && n.eval(r.props))
	case a.RecipientAdministrativeUnitScope != nil:
		return yes(strings.EqualFold(*a.RecipientAdministrativeUnitScope, strings.TrimSpace(identity)))
	case a.RecipientGroupScope != nil:
		return yes(strings.EqualFold(*a.RecipientGroupScope, strings.TrimSpace(identity)))
	}
	return "True"
}

// testServicePrincipalAuthorization lists, for each enabled role assignment
// of the principal, the role, its permissions, its scope and whether
// -Resource is in scope ("Not Run" without -Resource).
func testServicePrincipalAuthorization(x *cmdContext, p params) (*cmdResult, *exError) {
	_, sp, err := findServicePrincipal(x, p["Identity"].str, false)
	if err != nil {
		return nil, err
	}
	var target *recipientRef
	resource := ""
	if v, ok := p["Resource"]; ok {
		resource = v.str
		if target, err = resolveRecipient(x, resource, false); err != nil {
			return nil, err
		}
	}
	list := visibleList(x.st.Exchange.RoleAssignments, x.now)
	sortByName(list, func(a *roleAssignment) string { return a.Role + "\x00" + a.Name }, func(a *roleAssignment) string { return a.Guid })
	res := &cmdResult{}
	for _, a := range list {
		if a.App != sp.Guid || !a.Enabled {
			continue
		}
		_, perms := lookupRole(a.Role)
		scopeName, scopeType := "Organization", "Organization"
		switch a.writeScope() {
		case "CustomRecipientScope":
			scopeType = "CustomRecipientScope"
			if m := scopeByGUID(x.st, a.CustomResourceScope); m != nil {
				scopeName = m.Name
			}
		case "AdministrativeUnit":
			scopeName, scopeType = *a.RecipientAdministrativeUnitScope, "AdministrativeUnit"
		case "Group":
			scopeName, scopeType = *a.RecipientGroupScope, "Group"
		}
		inScope := "Not Run"
		if target != nil {
			inScope = assignmentCovers(x.st, a, resource, target)
		}
		var b objBuilder
		b.val("RoleName", a.Role)
		b.val("GrantedPermissions", perms)
		b.val("AllowedResourceScope", scopeName)
		b.val("ScopeType", scopeType)
		b.val("InScope", inScope)
		res.objects = append(res.objects, b.o)
	}
	return res, nil
}

func assignmentDN(st *state, name string) string {
	return configDN(st, name, "CN=Role Assignments,CN=RBAC")
}

// renderAssignment is Get-ManagementRoleAssignment's output object.
func renderAssignment(st *state, a *roleAssignment) object {
	var b objBuilder
	b.val("Role", a.Role)
	assignee, assigneeName := a.App, a.App
	if sp := spByGUID(st, a.App); sp != nil {
		assignee, assigneeName = sp.name(), sp.label()
	}
	b.val("RoleAssignee", assignee)
	b.val("RoleAssigneeName", assigneeName)
	b.val("RoleAssigneeType", "ServicePrincipal")
	b.val("AssignmentMethod", "Direct")
	var scope *string
	if a.CustomResourceScope != "" {
		if m := scopeByGUID(st, a.CustomResourceScope); m != nil {
			scope = strPtr(m.Name)
		}
	}
	b.str("CustomResourceScope", scope)
	b.val("CustomRecipientWriteScope", nil)
	b.val("ExclusiveRecipientWriteScope", nil)
	b.val("RecipientOrganizationalUnitScope", nil)
	b.str("RecipientAdministrativeUnitScope", a.RecipientAdministrativeUnitScope)
	b.str("RecipientGroupScope", a.RecipientGroupScope)
	b.val("RecipientReadScope", "Organization")
	b.val("RecipientWriteScope", a.writeScope())
	b.val("RecipientRelativeWriteScope", a.writeScope())
	b.val("Enabled", a.Enabled)
	delegation := "Regular"
	if a.Delegating {
		delegation = "Delegating"
	}
	b.val("RoleAssignmentDelegationType", delegation)
	b.val("Name", a.Name)
	commonTail(&b, assignmentDN(st, a.Name), a.Name, a.Guid, a.WhenCreated, a.WhenChanged)
	return b.o
}
