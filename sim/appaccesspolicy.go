package sim

import (
	"reflect"
	"strings"
	"time"
)

// appAccessPolicy is an application access policy
// (New-ApplicationAccessPolicy): it limits which mailboxes apps with the
// given AppIds may reach through Graph and EWS. Microsoft has replaced them
// with RBAC for Applications ("Don't create new App Access Policies"), but
// the cmdlets still work.
type appAccessPolicy struct {
	Guid          string   `json:"guid"` // the sim's key; not shown
	AppId         []string `json:"app_id"`
	Scope         string   `json:"scope"`          // -PolicyScopeGroupId as given
	ScopeName     string   `json:"scope_name"`     // the scope's DisplayName (mailboxes) or Scope
	ScopeIdentity string   `json:"scope_identity"` // the scope's Name (mailboxes) or Scope
	ScopeID       string   `json:"scope_object_id"`
	AccessRight   string   `json:"access_right"`
	Description   string   `json:"description"`
	// Identity is "<tenant id>\<AppIds joined by ','>:<scope object id>".
	Identity    string    `json:"identity"`
	WhenCreated time.Time `json:"when_created"`
	WhenChanged time.Time `json:"when_changed"`
}

func (a *appAccessPolicy) clone() *appAccessPolicy {
	n := *a
	n.AppId = append([]string{}, a.AppId...)
	return &n
}

// Size model for "The total size of App Access Policies exceeded the
// limit.": Microsoft says about 300 policies fit when each description is a
// single space, otherwise about 100. The sim charges each policy
// aapBaseCost, plus aapAppCost per AppId, plus its description's length in
// bytes, against aapBudget: 300 policies with one AppId and a one-character
// description fit exactly; with 200-character descriptions, 100 do.
const (
	aapBaseCost = 64
	aapAppCost  = 36
	aapBudget   = 300 * (aapBaseCost + aapAppCost + 1)
)

func (a *appAccessPolicy) cost() int {
	return aapBaseCost + aapAppCost*len(a.AppId) + len(a.Description)
}

func appAccessPolicyCmdlets() []*cmdlet {
	idParam := paramSpec{name: "Identity", docType: "ApplicationAccessPolicyIdParameter", required: true, kind: kindIdentity}
	return []*cmdlet{
		{
			name: "Get-ApplicationAccessPolicy",
			// The reference's yaml marks Identity required; its syntax block
			// shows it optional, and listing all policies needs that
			// (fidelity_test.go notes the exception).
			params: []paramSpec{{name: "Identity", docType: "ApplicationAccessPolicyIdParameter", kind: kindIdentity}},
			run:    getAppAccessPolicy,
		},
		{
			name:  "New-ApplicationAccessPolicy",
			write: true,
			params: append([]paramSpec{
				// The yaml's type for AccessRight is ApplicationAccessPolicyIdParameter
				// (the syntax says ApplicationAccessPolicyRight); the values are
				// RestrictAccess and DenyAccess either way.
				{name: "AccessRight", docType: "ApplicationAccessPolicyIdParameter", required: true, kind: kindEnum, enum: []string{"RestrictAccess", "DenyAccess"}},
				{name: "AppId", docType: "String[]", required: true, kind: kindMulti},
				{name: "PolicyScopeGroupID", docType: "RecipientIdParameter", required: true, kind: kindIdentity},
				{name: "Description", docType: "String", kind: kindString},
			}, confirmParams...),
			run: newAppAccessPolicyCmd,
		},
		{
			name:  "Set-ApplicationAccessPolicy",
			write: true,
			params: append([]paramSpec{
				idParam,
				{name: "Description", docType: "String", required: true, kind: kindString},
			}, confirmParams...),
			run: setAppAccessPolicy,
		},
		{
			name:   "Remove-ApplicationAccessPolicy",
			write:  true,
			params: append([]paramSpec{idParam}, confirmParams...),
			run:    removeAppAccessPolicy,
		},
		{
			name: "Test-ApplicationAccessPolicy",
			params: []paramSpec{
				{name: "Identity", docType: "RecipientIdParameter", required: true, kind: kindIdentity},
				{name: "AppId", docType: "String", required: true, kind: kindString},
			},
			run: testAppAccessPolicy,
		},
	}
}

// scopeObjectID is the object id the sim gives a policy scope: the value
// itself when it is a GUID, else a GUID derived from the tenant and the
// identity (the sim does not look recipients up).
func scopeObjectID(st *state, scope string) string {
	if g, ok := parseGUID(scope); ok {
		return g
	}
	return nameGUID(st.Tenant.ID + ":recipient:" + strings.ToLower(strings.TrimSpace(scope)))
}

func findAppAccessPolicy(x *cmdContext, identity string, master bool) (*versioned[appAccessPolicy], *appAccessPolicy) {
	id := strings.TrimSpace(identity)
	return find(x, x.st.Exchange.ApplicationAccessPolicies, master, func(a *appAccessPolicy) bool { return strings.EqualFold(a.Identity, id) })
}

func getAppAccessPolicy(x *cmdContext, p params) (*cmdResult, *exError) {
	var list []*appAccessPolicy
	if p.has("Identity") {
		_, a := findAppAccessPolicy(x, p["Identity"].str, false)
		if a == nil {
			return nil, errNotFound(p["Identity"].str)
		}
		list = []*appAccessPolicy{a}
	} else {
		list = visibleList(x.st.Exchange.ApplicationAccessPolicies, x.now)
		sortByName(list, func(a *appAccessPolicy) string { return a.Identity }, func(a *appAccessPolicy) string { return a.Guid })
	}
	res := &cmdResult{}
	for _, a := range list {
		res.objects = append(res.objects, renderAppAccessPolicy(a))
	}
	return res, nil
}

// checkPolicyBudget refuses a change that would take the policies' total
// size over the limit; self is the policy being replaced, if any.
func checkPolicyBudget(x *cmdContext, next *appAccessPolicy, self string) *exError {
	total := next.cost()
	for _, a := range masterList(x.st.Exchange.ApplicationAccessPolicies) {
		if a.Guid != self {
			total += a.cost()
		}
	}
	if total > aapBudget {
		return errBadRequest(excValidation, "The total size of App Access Policies exceeded the limit.")
	}
	return nil
}

func newAppAccessPolicyCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	var apps []string
	for _, raw := range applyMulti(nil, p["AppId"]) {
		g, ok := parseGUID(strings.TrimSpace(raw))
		if !ok {
			return nil, errBadRequest(excValidation, "The value '%s' of parameter AppId isn't a GUID. Use the application (client) id of the app.", raw)
		}
		apps = append(apps, g)
	}
	if len(apps) == 0 {
		return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'AppId' because it is an empty array.")
	}
	if err := checkNoDuplicates("AppId", apps); err != nil {
		return nil, errValidation(err)
	}
	scope := strings.TrimSpace(p["PolicyScopeGroupID"].str)
	ref, err := resolveRecipient(x, scope, true)
	if err != nil {
		return nil, err
	}
	now := x.stamp()
	a := &appAccessPolicy{
		Guid: newGUID(), AppId: apps, Scope: scope, ScopeName: ref.display, ScopeIdentity: ref.name, ScopeID: ref.objectID,
		AccessRight: p["AccessRight"].str, Description: p["Description"].str, WhenCreated: now, WhenChanged: now,
	}
	a.Identity = x.st.Tenant.ID + `\` + strings.Join(apps, ",") + ":" + a.ScopeID
	if _, dup := findAppAccessPolicy(x, a.Identity, true); dup != nil {
		return nil, errAlreadyExists("An application access policy for these apps and the scope '%s' already exists: '%s'.", scope, a.Identity)
	}
	if err := checkPolicyBudget(x, a, ""); err != nil {
		return nil, err
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[appAccessPolicy]{}
	rec.put(a, x.now, x.lag())
	x.st.Exchange.ApplicationAccessPolicies[a.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderAppAccessPolicy(a)}}, nil
}

func setAppAccessPolicy(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findAppAccessPolicy(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	next := cur.clone()
	next.Description = p["Description"].str
	if reflect.DeepEqual(next, cur) {
		return noChange(cur.Identity), nil
	}
	if err := checkPolicyBudget(x, next, cur.Guid); err != nil {
		return nil, err
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

func removeAppAccessPolicy(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findAppAccessPolicy(x, identity, true)
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

// testAppAccessPolicy evaluates the policies (as reads see them) for one app
// and one mailbox: DenyAccess beats RestrictAccess, and "If there are any
// Restrict policies for the Application, and the Target Mailbox is not a
// member of those policies, then application is denied". The sim has no
// groups: a mailbox is in a policy's scope when it is the scope itself (the
// same mailbox, or the same text for recipients the sim does not know).
func testAppAccessPolicy(x *cmdContext, p params) (*cmdResult, *exError) {
	mailbox := strings.TrimSpace(p["Identity"].str)
	app, ok := parseGUID(strings.TrimSpace(p["AppId"].str))
	if !ok {
		return nil, errBadRequest(excValidation, "The value '%s' of parameter AppId isn't a GUID.", p["AppId"].str)
	}
	ref, err := resolveRecipient(x, mailbox, false)
	if err != nil {
		return nil, err
	}
	mailboxID := ref.objectID
	if ref.mailbox != nil {
		mailboxID = ref.mailbox.Guid
	}
	inScope := func(a *appAccessPolicy) bool {
		return strings.EqualFold(a.Scope, mailbox) || a.ScopeID == ref.objectID
	}
	denied, restricted, member := false, false, false
	for _, a := range visibleList(x.st.Exchange.ApplicationAccessPolicies, x.now) {
		if !containsFold(a.AppId, app) {
			continue
		}
		switch a.AccessRight {
		case "DenyAccess":
			denied = denied || inScope(a)
		case "RestrictAccess":
			restricted = true
			member = member || inScope(a)
		}
	}
	result := "Granted"
	if denied || (restricted && !member) {
		result = "Denied"
	}
	var b objBuilder
	b.val("AppId", app)
	b.val("Mailbox", ref.name)
	b.val("MailboxId", mailboxID)
	b.val("MailboxSid", nil)
	b.val("AccessCheckResult", result)
	return &cmdResult{objects: []object{b.o}}, nil
}

// renderAppAccessPolicy is Get-ApplicationAccessPolicy's output object.
// For a simulated mailbox, ScopeName is its DisplayName and ScopeIdentity
// its Name; for anything else both are the scope as given. ScopeIdentityRaw
// is the scope's object id.
func renderAppAccessPolicy(a *appAccessPolicy) object {
	var b objBuilder
	b.val("Identity", a.Identity)
	b.strs("AppId", a.AppId)
	b.val("ScopeName", a.ScopeName)
	b.val("ScopeIdentity", a.ScopeIdentity)
	b.val("ScopeIdentityRaw", a.ScopeID)
	b.val("Description", a.Description)
	b.val("AccessRight", a.AccessRight)
	b.val("IsValid", true)
	return b.o
}
