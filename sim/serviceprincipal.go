package sim

import (
	"reflect"
	"strings"
	"time"
)

// servicePrincipal is an Exchange service principal (New-ServicePrincipal):
// Exchange's pointer to an Entra service principal, which role assignments
// (RBAC for Applications) and role groups name. ObjectId is the Entra
// service principal's (Enterprise application's) object id, not the app
// registration's; the sim cannot tell them apart and takes any GUID.
type servicePrincipal struct {
	Guid        string  `json:"guid"` // the Exchange object's own GUID
	AppId       string  `json:"app_id"`
	ObjectId    string  `json:"object_id"`
	DisplayName *string `json:"display_name"`
	// OverrideEnforceExoAppRbacPermissions is accepted by Set-ServicePrincipal
	// ("{{ Fill … Description }}" in the reference); stored, not shown.
	OverrideEnforceExoAppRbacPermissions *bool     `json:"override_enforce_exo_app_rbac_permissions,omitempty"`
	WhenCreated                          time.Time `json:"when_created"`
	WhenChanged                          time.Time `json:"when_changed"`
}

// name is the principal's Name, Identity and Id: its ObjectId (sim's
// choice; Exchange names the object after the Entra object id).
func (s *servicePrincipal) name() string { return s.ObjectId }

// label is how role assignment names and texts refer to the principal.
func (s *servicePrincipal) label() string {
	if s.DisplayName != nil && *s.DisplayName != "" {
		return *s.DisplayName
	}
	return s.ObjectId
}

func (s *servicePrincipal) clone() *servicePrincipal {
	n := *s
	if s.DisplayName != nil {
		n.DisplayName = strPtr(*s.DisplayName)
	}
	if s.OverrideEnforceExoAppRbacPermissions != nil {
		b := *s.OverrideEnforceExoAppRbacPermissions
		n.OverrideEnforceExoAppRbacPermissions = &b
	}
	return &n
}

var spIdentityParam = paramSpec{name: "Identity", docType: "ServicePrincipalIdParameter", required: true, kind: kindIdentity}

func servicePrincipalCmdlets() []*cmdlet {
	return []*cmdlet{
		{
			name: "Get-ServicePrincipal",
			params: []paramSpec{
				{name: "Identity", docType: "ServicePrincipalIdParameter", kind: kindIdentity},
				{name: "Organization", docType: "OrganizationIdParameter", kind: kindIdentity},
			},
			run: getServicePrincipal,
		},
		{
			name:  "New-ServicePrincipal",
			write: true,
			params: append([]paramSpec{
				{name: "AppId", docType: "String", required: true, kind: kindString},
				// ObjectId and ServiceId are both "Required" in the reference,
				// but ServiceId "is being deprecated. Use the ObjectId parameter
				// instead": the sim wants one of them (fidelity_test.go notes
				// the exception).
				{name: "ObjectId", docType: "String", kind: kindString},
				{name: "ServiceId", docType: "String", kind: kindString},
				{name: "DisplayName", docType: "String", kind: kindString},
			}, confirmParams...),
			run: newServicePrincipalCmd,
		},
		{
			name:  "Set-ServicePrincipal",
			write: true,
			params: append([]paramSpec{
				spIdentityParam,
				{name: "DisplayName", docType: "String", kind: kindString},
				{name: "OverrideEnforceExoAppRbacPermissions", docType: "Boolean", kind: kindBool},
			}, confirmParams...),
			run: setServicePrincipal,
		},
		{
			name:   "Remove-ServicePrincipal",
			write:  true,
			params: append([]paramSpec{spIdentityParam}, confirmParams...),
			run:    removeServicePrincipal,
		},
		{
			name:  "Test-ServicePrincipalAuthorization",
			write: false,
			params: append([]paramSpec{
				spIdentityParam,
				{name: "Resource", docType: "UserIdParameter", kind: kindIdentity},
			}, confirmParams...),
			run: testServicePrincipalAuthorization,
		},
	}
}

// matches reports whether a ServicePrincipalIdParameter names s: its
// ObjectId (= Name, Identity), AppId or Guid (any case, braces allowed), or
// its DisplayName (case-insensitive).
func (s *servicePrincipal) matches(identity string) bool {
	if g, ok := parseGUID(identity); ok {
		return g == s.ObjectId || g == s.AppId || g == s.Guid
	}
	return s.DisplayName != nil && strings.EqualFold(*s.DisplayName, strings.TrimSpace(identity))
}

// findServicePrincipal resolves an identity among the master copies or what
// reads see. A display name shared by several principals is ambiguous.
func findServicePrincipal(x *cmdContext, identity string, master bool) (*versioned[servicePrincipal], *servicePrincipal, *exError) {
	var (
		hitRec *versioned[servicePrincipal]
		hit    *servicePrincipal
	)
	for _, k := range sortedKeys(x.st.Exchange.ServicePrincipals) {
		rec := x.st.Exchange.ServicePrincipals[k]
		s := rec.Current
		if !master {
			s = rec.visible(x.now)
		}
		if s == nil || !s.matches(identity) {
			continue
		}
		if hit != nil {
			return nil, nil, errBadRequest(excValidation, "The service principal '%s' matches multiple entries. Use the ObjectId or the AppId.", identity)
		}
		hitRec, hit = rec, s
	}
	if hit == nil {
		return nil, nil, errNotFound(identity)
	}
	return hitRec, hit, nil
}

func getServicePrincipal(x *cmdContext, p params) (*cmdResult, *exError) {
	if p.has("Identity") {
		_, s, err := findServicePrincipal(x, p["Identity"].str, false)
		if err != nil {
			return nil, err
		}
		return &cmdResult{objects: []object{renderServicePrincipal(x.st, s)}}, nil
	}
	list := visibleList(x.st.Exchange.ServicePrincipals, x.now)
	sortByName(list, func(s *servicePrincipal) string { return s.label() }, func(s *servicePrincipal) string { return s.Guid })
	res := &cmdResult{}
	for _, s := range list {
		res.objects = append(res.objects, renderServicePrincipal(x.st, s))
	}
	return res, nil
}

func newServicePrincipalCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	appID, ok := parseGUID(strings.TrimSpace(p["AppId"].str))
	if !ok {
		return nil, errBadRequest(excValidation, "The value '%s' of parameter AppId isn't a GUID. Use the application (client) id of the app, for example ca73fffa-cedb-4b84-860f-d7fb8aa8a6c1.", p["AppId"].str)
	}
	obj, svc := p["ObjectId"], p["ServiceId"]
	raw := obj.str
	switch {
	case !obj.null && strings.TrimSpace(obj.str) != "" && !svc.null && strings.TrimSpace(svc.str) != "":
		if !strings.EqualFold(strings.TrimSpace(obj.str), strings.TrimSpace(svc.str)) {
			return nil, errBadRequest(excValidation, "ObjectId and ServiceId name different objects. ServiceId is deprecated; use ObjectId only.")
		}
	case obj.null || strings.TrimSpace(obj.str) == "":
		raw = svc.str
	}
	if strings.TrimSpace(raw) == "" {
		return nil, errBadRequest(excParameter, "Cannot process command because of one or more missing mandatory parameters: ObjectId.")
	}
	objectID, ok := parseGUID(strings.TrimSpace(raw))
	if !ok {
		return nil, errBadRequest(excValidation, "The value '%s' of parameter ObjectId isn't a GUID. Use the object id of the Enterprise application (service principal), not of the app registration.", raw)
	}
	for _, s := range masterList(x.st.Exchange.ServicePrincipals) {
		if s.AppId == appID || s.ObjectId == objectID {
			return nil, errAlreadyExists("A service principal with AppId '%s' or ObjectId '%s' already exists. The object '%s' already exists.", appID, objectID, spDN(x.st, s.ObjectId))
		}
	}
	now := x.stamp()
	s := &servicePrincipal{Guid: newGUID(), AppId: appID, ObjectId: objectID, WhenCreated: now, WhenChanged: now}
	if v, ok := p["DisplayName"]; ok && !v.null && strings.TrimSpace(v.str) != "" {
		s.DisplayName = strPtr(v.str)
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[servicePrincipal]{}
	rec.put(s, x.now, x.lag())
	x.st.Exchange.ServicePrincipals[s.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderServicePrincipal(x.st, s)}}, nil
}

func setServicePrincipal(x *cmdContext, p params) (*cmdResult, *exError) {
	rec, cur, err := findServicePrincipal(x, p["Identity"].str, true)
	if err != nil {
		return nil, err
	}
	next := cur.clone()
	if v, ok := p["DisplayName"]; ok {
		next.DisplayName = nil
		if !v.null && strings.TrimSpace(v.str) != "" {
			next.DisplayName = strPtr(v.str)
		}
	}
	if v, ok := p["OverrideEnforceExoAppRbacPermissions"]; ok {
		b := v.b
		next.OverrideEnforceExoAppRbacPermissions = &b
	}
	if reflect.DeepEqual(next, cur) {
		return noChange(cur.name()), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// removeServicePrincipal removes the principal and, with the same
// replication delay, the role assignments made to it (sim's choice: an
// assignment to a principal that no longer exists would dangle).
func removeServicePrincipal(x *cmdContext, p params) (*cmdResult, *exError) {
	rec, cur, err := findServicePrincipal(x, p["Identity"].str, true)
	if err != nil {
		return nil, err
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	lag := x.lag()
	rec.put(nil, x.now, lag)
	for _, a := range masterList(x.st.Exchange.RoleAssignments) {
		if a.App == cur.Guid {
			x.st.Exchange.RoleAssignments[a.Guid].put(nil, x.now, lag)
		}
	}
	x.changed = true
	return &cmdResult{}, nil
}

func spDN(st *state, objectID string) string {
	return configDN(st, objectID, "CN=ServicePrincipals,CN=RBAC")
}

// renderServicePrincipal is Get-ServicePrincipal's output object.
func renderServicePrincipal(st *state, s *servicePrincipal) object {
	var b objBuilder
	b.val("AppId", s.AppId)
	b.val("ObjectId", s.ObjectId)
	b.str("DisplayName", s.DisplayName)
	b.val("Name", s.name())
	commonTail(&b, spDN(st, s.name()), s.name(), s.Guid, s.WhenCreated, s.WhenChanged)
	return b.o
}
