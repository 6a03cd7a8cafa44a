package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

func parseGraphTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

// owners: GET the list, POST owners/$ref, DELETE owners/{id}/$ref. Owners
// are service principals or users of this tenant.
func (x *gCtx) owners(v *versioned[gAppRecord], rec *gAppRecord, ctx string, rest []string) (gResp, *gError) {
	switch {
	case len(rest) == 0 && x.method == http.MethodGet:
		var items []any
		for _, id := range rec.Owners {
			if sp := x.visibleSP(id); sp != nil {
				m := toMap(sp)
				m["@odata.type"] = "#microsoft.graph.servicePrincipal"
				items = append(items, m)
			} else if u := x.findUser(id); u != nil {
				m := toMap(u)
				m["@odata.type"] = "#microsoft.graph.user"
				items = append(items, m)
			}
		}
		return x.list("directoryObjects", "owners", items, "id")
	case len(rest) == 1 && rest[0] == "$ref" && x.method == http.MethodPost:
		// The new owner is looked up as a directory object.
		if e := x.need(gAddOwner...); e != nil {
			return gResp{}, e
		}
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		var ref string
		json.Unmarshal(body["@odata.id"], &ref)
		id, ok := parseGUID(ref[strings.LastIndexByte(ref, '/')+1:])
		if !ok {
			return gResp{}, gBadRequest("Invalid @odata.id '%s'.", ref)
		}
		if x.visibleSP(id) == nil && x.findUser(id) == nil {
			return gResp{}, gNotFound(id)
		}
		if slices.Contains(rec.Owners, id) {
			return gResp{}, gBadRequest("One or more added object references already exist for the following modified properties: 'owners'.")
		}
		nr := clone(rec)
		nr.Owners = append(nr.Owners, id)
		v.put(nr, x.now, x.lag())
		x.changed = true
		return noContent()
	case len(rest) == 2 && rest[1] == "$ref" && x.method == http.MethodDelete:
		id, _ := parseGUID(rest[0])
		idx := slices.Index(rec.Owners, id)
		if idx < 0 {
			return gResp{}, gNotFound(rest[0])
		}
		nr := clone(rec)
		nr.Owners = slices.Delete(nr.Owners, idx, idx+1)
		v.put(nr, x.now, x.lag())
		x.changed = true
		return noContent()
	}
	return gResp{}, methodNotAllowed()
}

// ---- service principals

var gSPWritable = []string{"accountEnabled", "appRoleAssignmentRequired", "displayName", "description", "notes", "tags"}

func (x *gCtx) visibleSP(id string) *gServicePrincipal {
	if v := x.g.ServicePrincipals[id]; v != nil {
		return v.visible(x.now)
	}
	return nil
}

func (x *gCtx) findSP(key, val string, master bool) (*versioned[gServicePrincipal], *gServicePrincipal) {
	g, isGUID := parseGUID(val)
	if !isGUID {
		return nil, nil
	}
	for _, k := range sortedKeys(x.g.ServicePrincipals) {
		v := x.g.ServicePrincipals[k]
		sp := v.Current
		if !master {
			sp = v.visible(x.now)
		}
		if sp != nil && ((strings.EqualFold(key, "id") && sp.ID == g) || (strings.EqualFold(key, "appId") && sp.AppID == g)) {
			return v, sp
		}
	}
	return nil, nil
}

func (x *gCtx) servicePrincipals() (gResp, *gError) {
	switch x.method {
	case http.MethodGet:
		if e := x.need(gReadApps...); e != nil {
			return gResp{}, e
		}
		var items []any
		for _, sp := range visibleList(x.g.ServicePrincipals, x.now) {
			items = append(items, sp)
		}
		return x.list("servicePrincipals", "servicePrincipals", items, "appId", "displayName", "id", "servicePrincipalType", "appOwnerOrganizationId", "accountEnabled")
	case http.MethodPost:
		if e := x.need(gWriteApps...); e != nil {
			return gResp{}, e
		}
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		var appID string
		json.Unmarshal(body["appId"], &appID)
		noApp := &gError{status: http.StatusBadRequest, code: "Request_BadRequest",
			message: "The appId '" + appID + "' of the service principal does not reference a valid application object."}
		g, ok := parseGUID(appID)
		if !ok {
			return gResp{}, noApp
		}
		var sp *gServicePrincipal
		// The application is looked up as readers see it: a new
		// application is unknown here until it has replicated (C9).
		if _, rec := x.findApp("appId", g, false); rec != nil {
			sp = spFromApplication(&rec.App, newGUID(), x.st.Tenant.ID)
		} else if tpl := knownMultiTenantApp(g); tpl != nil {
			sp = newServicePrincipal(tpl, newGUID())
		} else {
			return gResp{}, noApp
		}
		if _, dup := x.findSP("appId", g, true); dup != nil {
			return gResp{}, gErr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property appId already exists.")
		}
		delete(body, "appId")
		sp, e = applyProps(sp, body, "servicePrincipal", gSPWritable...)
		if e != nil {
			return gResp{}, e
		}
		if sp.Tags == nil {
			sp.Tags = []string{}
		}
		v := &versioned[gServicePrincipal]{}
		v.put(sp, x.now, x.lag())
		x.g.ServicePrincipals[sp.ID] = v
		x.changed = true
		return x.entity(http.StatusCreated, "servicePrincipals/$entity", sp)
	}
	return gResp{}, methodNotAllowed()
}

// deleteSP removes a service principal with its assignments (either side)
// and delegated grants.
func (x *gCtx) deleteSP(id string) {
	if v := x.g.ServicePrincipals[id]; v != nil && v.Current != nil {
		v.put(nil, x.now, x.lag())
	}
	for _, k := range sortedKeys(x.g.AppRoleAssignments) {
		v := x.g.AppRoleAssignments[k]
		if a := v.Current; a != nil && (a.PrincipalID == id || a.ResourceID == id) {
			v.put(nil, x.now, x.lag())
		}
	}
	for _, k := range sortedKeys(x.g.PermissionGrants) {
		v := x.g.PermissionGrants[k]
		if gr := v.Current; gr != nil && (gr.ClientID == id || gr.ResourceID == id) {
			v.put(nil, x.now, x.lag())
		}
	}
	x.changed = true
}

func (x *gCtx) servicePrincipal(key, val string, rest []string) (gResp, *gError) {
	if !strings.EqualFold(key, "id") && !strings.EqualFold(key, "appId") {
		return gResp{}, gBadRequest("Invalid key property '%s' for resource 'servicePrincipals'.", key)
	}
	write := x.method != http.MethodGet
	if !write || len(rest) == 0 {
		perms := gReadApps
		if write {
			perms = gWriteApps
		}
		if e := x.need(perms...); e != nil {
			return gResp{}, e
		}
	}
	v, sp := x.findSP(key, val, write)
	if sp == nil {
		return gResp{}, gNotFound(val)
	}
	if len(rest) == 0 {
		switch x.method {
		case http.MethodGet:
			return x.entity(http.StatusOK, "servicePrincipals/$entity", sp)
		case http.MethodPatch:
			body, e := x.decodeBody()
			if e != nil {
				return gResp{}, e
			}
			n, e := applyProps(clone(sp), body, "servicePrincipal", gSPWritable...)
			if e != nil {
				return gResp{}, e
			}
			if n.Tags == nil {
				n.Tags = []string{}
			}
			v.put(n, x.now, x.lag())
			x.changed = true
			return noContent()
		case http.MethodDelete:
			x.deleteSP(sp.ID)
			return noContent()
		}
		return gResp{}, methodNotAllowed()
	}
	ctx := "servicePrincipals('" + sp.ID + "')"
	switch nav := strings.ToLower(rest[0]); nav {
	case "addpassword", "removepassword":
		if x.method != http.MethodPost || len(rest) != 1 {
			return gResp{}, methodNotAllowed()
		}
		if e := x.need(gWriteApps...); e != nil {
			return gResp{}, e
		}
		n := clone(sp)
		if nav == "removepassword" {
			idx, e := x.passwordIndex(sp.PasswordCredentials)
			if e != nil {
				return gResp{}, e
			}
			n.PasswordCredentials = slices.Delete(n.PasswordCredentials, idx, idx+1)
			v.put(n, x.now, x.lag())
			x.changed = true
			return noContent()
		}
		pc, e := x.newPasswordCredential()
		if e != nil {
			return gResp{}, e
		}
		stored := pc
		stored.SecretText = nil
		n.PasswordCredentials = append(n.PasswordCredentials, stored)
		v.put(n, x.now, x.lag())
		x.changed = true
		return x.passwordResp(pc)
	case "approleassignedto", "approleassignments":
		return x.assignments(sp, nav == "approleassignedto", ctx+"/"+rest[0], rest[1:])
	case "oauth2permissiongrants":
		if x.method != http.MethodGet || len(rest) != 1 {
			return gResp{}, methodNotAllowed()
		}
		if e := x.need(gReadGrants...); e != nil {
			return gResp{}, e
		}
		var items []any
		for _, gr := range visibleList(x.g.PermissionGrants, x.now) {
			if gr.ClientID == sp.ID {
				items = append(items, gr)
			}
		}
		return x.list("oauth2PermissionGrants", "oauth2PermissionGrants", items, "clientId", "resourceId", "consentType", "principalId")
	}
	return gResp{}, segmentNotFound(rest[0])
}

// assignments serves appRoleAssignedTo (sp is the resource) and
// appRoleAssignments (sp is the principal).
func (x *gCtx) assignments(sp *gServicePrincipal, asResource bool, ctx string, rest []string) (gResp, *gError) {
	mine := func(a *gAppRoleAssignment) bool {
		if asResource {
			return a.ResourceID == sp.ID
		}
		return a.PrincipalID == sp.ID
	}
	switch {
	case x.method == http.MethodGet:
		if e := x.need(gReadApps...); e != nil {
			return gResp{}, e
		}
	case x.method == http.MethodPost && len(rest) == 0:
		// Creating one also reads the principal and the resource.
		if e := x.needAll(gWriteAssign, gReadApps); e != nil {
			return gResp{}, e
		}
	default:
		if e := x.need(gWriteAssign...); e != nil {
			return gResp{}, e
		}
	}
	if len(rest) == 0 {
		switch x.method {
		case http.MethodGet:
			var items []any
			for _, a := range visibleList(x.g.AppRoleAssignments, x.now) {
				if mine(a) {
					items = append(items, a)
				}
			}
			return x.list(ctx, "appRoleAssignments", items, "principalId", "resourceId", "appRoleId", "principalType")
		case http.MethodPost:
			return x.createAssignment(sp, asResource, ctx)
		}
		return gResp{}, methodNotAllowed()
	}
	id := rest[0]
	v := x.g.AppRoleAssignments[id]
	var a *gAppRoleAssignment
	if v != nil {
		if x.method == http.MethodGet {
			a = v.visible(x.now)
		} else {
			a = v.Current
		}
	}
	if a == nil || !mine(a) || len(rest) > 1 {
		return gResp{}, gNotFound(id)
	}
	switch x.method {
	case http.MethodGet:
		return x.entity(http.StatusOK, ctx+"/$entity", a)
	case http.MethodDelete:
		v.put(nil, x.now, x.lag())
		x.changed = true
		return noContent()
	}
	return gResp{}, methodNotAllowed()
}

func (x *gCtx) createAssignment(sp *gServicePrincipal, asResource bool, ctx string) (gResp, *gError) {
	body, e := x.decodeBody()
	if e != nil {
		return gResp{}, e
	}
	var in struct {
		PrincipalID string `json:"principalId"`
		ResourceID  string `json:"resourceId"`
		AppRoleID   string `json:"appRoleId"`
	}
	b, _ := json.Marshal(body)
	if err := json.Unmarshal(b, &in); err != nil {
		return gResp{}, gBadRequest("Invalid appRoleAssignment: %v", err)
	}
	for k := range body {
		if !slices.Contains([]string{"principalId", "resourceId", "appRoleId"}, k) && !strings.HasPrefix(k, "@odata.") {
			return gResp{}, gBadRequest("Property '%s' does not exist on type 'microsoft.graph.appRoleAssignment' or is read-only.", k)
		}
	}
	pid, ok1 := parseGUID(in.PrincipalID)
	rid, ok2 := parseGUID(in.ResourceID)
	role, ok3 := parseGUID(in.AppRoleID)
	if !ok1 || !ok2 || !ok3 {
		return gResp{}, gBadRequest("principalId, resourceId and appRoleId must be GUIDs.")
	}
	if (asResource && rid != sp.ID) || (!asResource && pid != sp.ID) {
		return gResp{}, gBadRequest("Not a valid reference update.")
	}
	// The other side is looked up as readers see it, so a principal created
	// moments ago may not be found yet (C4, C9).
	resource := x.visibleSP(rid)
	if resource == nil {
		return gResp{}, gNotFound(rid)
	}
	a := &gAppRoleAssignment{ID: opaqueID(), AppRoleID: role, CreatedDateTime: graphTime(x.now), PrincipalID: pid,
		ResourceID: rid, ResourceDisplayName: resource.DisplayName}
	if p := x.visibleSP(pid); p != nil {
		a.PrincipalType, a.PrincipalDisplayName = "ServicePrincipal", p.DisplayName
	} else if u := x.findUser(pid); u != nil {
		a.PrincipalType, a.PrincipalDisplayName = "User", u.DisplayName
	} else {
		return gResp{}, gNotFound(pid)
	}
	known := slices.ContainsFunc(resource.AppRoles, func(r gAppRole) bool {
		return r.ID == role && r.IsEnabled && slices.Contains(r.AllowedMemberTypes, map[string]string{"ServicePrincipal": "Application", "User": "User"}[a.PrincipalType])
	})
	if !known && !(a.PrincipalType == "User" && role == "00000000-0000-0000-0000-000000000000") {
		return gResp{}, gBadRequest("Permission being assigned was not found on application '%s'.", resource.AppID)
	}
	for _, o := range x.g.AppRoleAssignments {
		if c := o.Current; c != nil && c.PrincipalID == pid && c.ResourceID == rid && c.AppRoleID == role {
			return gResp{}, gBadRequest("Permission being assigned already exists on the object.")
		}
	}
	v := &versioned[gAppRoleAssignment]{}
	v.put(a, x.now, x.lag())
	x.g.AppRoleAssignments[a.ID] = v
	x.changed = true
	return x.entity(http.StatusCreated, ctx+"/$entity", a)
}

// ---- oauth2PermissionGrants

func (x *gCtx) permissionGrants(keyed bool, id string, rest []string) (gResp, *gError) {
	if x.method == http.MethodGet {
		if e := x.need(gReadGrants...); e != nil {
			return gResp{}, e
		}
	} else if e := x.need(gWriteGrants...); e != nil {
		return gResp{}, e
	}
	if !keyed {
		switch x.method {
		case http.MethodGet:
			var items []any
			for _, gr := range visibleList(x.g.PermissionGrants, x.now) {
				items = append(items, gr)
			}
			return x.list("oauth2PermissionGrants", "oauth2PermissionGrants", items, "clientId", "resourceId", "consentType", "principalId")
		case http.MethodPost:
			return x.createGrant()
		}
		return gResp{}, methodNotAllowed()
	}
	v := x.g.PermissionGrants[id]
	var gr *gPermissionGrant
	if v != nil {
		if x.method == http.MethodGet {
			gr = v.visible(x.now)
		} else {
			gr = v.Current
		}
	}
	if gr == nil || len(rest) > 0 {
		return gResp{}, gNotFound(id)
	}
	switch x.method {
	case http.MethodGet:
		return x.entity(http.StatusOK, "oauth2PermissionGrants/$entity", gr)
	case http.MethodPatch:
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		n, e := applyProps(clone(gr), body, "oAuth2PermissionGrant", "scope")
		if e != nil {
			return gResp{}, e
		}
		v.put(n, x.now, x.lag())
		x.changed = true
		return noContent()
	case http.MethodDelete:
		v.put(nil, x.now, x.lag())
		x.changed = true
		return noContent()
	}
	return gResp{}, methodNotAllowed()
}

func (x *gCtx) createGrant() (gResp, *gError) {
	body, e := x.decodeBody()
	if e != nil {
		return gResp{}, e
	}
	gr, e := applyProps(&gPermissionGrant{ID: opaqueID()}, body, "oAuth2PermissionGrant", "clientId", "consentType", "principalId", "resourceId", "scope")
	if e != nil {
		return gResp{}, e
	}
	cid, ok1 := parseGUID(gr.ClientID)
	rid, ok2 := parseGUID(gr.ResourceID)
	if !ok1 || !ok2 {
		return gResp{}, gBadRequest("clientId and resourceId must be service principal object ids (GUIDs).")
	}
	gr.ClientID, gr.ResourceID = cid, rid
	switch gr.ConsentType {
	case "AllPrincipals":
		if gr.PrincipalID != nil {
			return gResp{}, gBadRequest("principalId must be null when consentType is AllPrincipals.")
		}
	case "Principal":
		if gr.PrincipalID == nil {
			return gResp{}, gBadRequest("principalId is required when consentType is Principal.")
		}
		pid, ok := parseGUID(*gr.PrincipalID)
		if !ok || x.findUser(pid) == nil {
			return gResp{}, gNotFound(*gr.PrincipalID)
		}
		gr.PrincipalID = &pid
	default:
		return gResp{}, gBadRequest("Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.")
	}
	if x.visibleSP(cid) == nil {
		return gResp{}, gNotFound(cid)
	}
	if x.visibleSP(rid) == nil {
		return gResp{}, gNotFound(rid)
	}
	for _, o := range x.g.PermissionGrants {
		if c := o.Current; c != nil && c.ClientID == cid && c.ResourceID == rid && c.ConsentType == gr.ConsentType &&
			(c.PrincipalID == nil) == (gr.PrincipalID == nil) && (c.PrincipalID == nil || *c.PrincipalID == *gr.PrincipalID) {
			return gResp{}, gErr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.")
		}
	}
	v := &versioned[gPermissionGrant]{}
	v.put(gr, x.now, x.lag())
	x.g.PermissionGrants[gr.ID] = v
	x.changed = true
	return x.entity(http.StatusCreated, "oauth2PermissionGrants/$entity", gr)
}

// ---- security defaults

func (x *gCtx) securityDefaults() (gResp, *gError) {
	v := x.g.SecurityDefaults
	switch x.method {
	case http.MethodGet:
		if e := x.need(gReadPolicy...); e != nil {
			return gResp{}, e
		}
		return x.entity(http.StatusOK, "policies/identitySecurityDefaultsEnforcementPolicy", v.visible(x.now))
	case http.MethodPatch:
		if e := x.need(gWritePolicy...); e != nil {
			return gResp{}, e
		}
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		n, e := applyProps(clone(v.Current), body, "identitySecurityDefaultsEnforcementPolicy", "isEnabled")
		if e != nil {
			return gResp{}, e
		}
		v.put(n, x.now, x.lag())
		x.changed = true
		return noContent()
	}
	return gResp{}, methodNotAllowed()
}
