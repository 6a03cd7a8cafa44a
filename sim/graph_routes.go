package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Permissions (application roles in the token) per family of operations,
// from the "Permissions" table of each API's page on learn.microsoft.com
// (graph/api/<api>): the least privileged application permission and the
// higher ones that also work. A write needing "A and B" checks each group
// with needAll.
var (
	gReadApps = []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// application-get and application-list-federatedidentitycredentials list
	// no Directory permission for apps: one application and its federated
	// credentials need an Application permission.
	gReadApp   = []string{"Application.Read.All", "Application.ReadWrite.All"}
	gWriteApps = []string{"Application.ReadWrite.All"}
	// serviceprincipal-delete-approleassignedto: AppRoleAssignment.ReadWrite.All;
	// serviceprincipal-post-approleassignedto: "AppRoleAssignment.ReadWrite.All
	// and Application.Read.All" (or Directory.Read.All), the second group being
	// gReadApps.
	gWriteAssign = []string{"AppRoleAssignment.ReadWrite.All"}
	// application-post-owners: "Application.ReadWrite.All and Directory.Read.All"
	// (or Directory.ReadWrite.All); the first group is checked for every
	// application write.
	gAddOwner   = []string{"Directory.Read.All", "Directory.ReadWrite.All"}
	gReadGrants = []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// oauth2permissiongrant-post lists Directory.ReadWrite.All as the higher
	// permission; the sim assumes the same for update and delete.
	gWriteGrants = []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"}
	gReadPolicy  = []string{"Policy.Read.All", "Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"}
	gWritePolicy = []string{"Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"}
	gReadUsers   = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	gReadDomains = []string{"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	gReadOrg     = []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)

func methodNotAllowed() *gError {
	return gErr(http.StatusMethodNotAllowed, "Request_BadRequest", "The HTTP method is not supported for this resource.")
}

func segmentNotFound(seg string) *gError {
	return gErr(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '%s'.", seg)
}

// clone deep-copies a record, so a write never changes what readers see.
func clone[T any](v *T) *T {
	b, _ := json.Marshal(v)
	var out T
	json.Unmarshal(b, &out)
	return &out
}

// route dispatches on the first path segment.
func (x *gCtx) route() (gResp, *gError) {
	segs := pathSegments(x.path)
	if len(segs) == 0 {
		return gResp{}, segmentNotFound("")
	}
	if len(segs) == 2 && segs[1] == "$count" {
		if x.method != http.MethodGet {
			return gResp{}, methodNotAllowed()
		}
		x.countOnly = true
		segs = segs[:1]
	}
	name, key, val, keyed := alternateKey(segs[0])
	// Normalise "coll/{id}/..." and "coll(key='v')/..." into (key, val, rest).
	var rest []string
	if !keyed && len(segs) > 1 {
		key, val, keyed = "id", segs[1], true
		rest = segs[2:]
	} else if keyed {
		rest = segs[1:]
	}
	switch strings.ToLower(name) {
	case "applications":
		if !keyed {
			return x.applications()
		}
		return x.application(key, val, rest)
	case "serviceprincipals":
		if !keyed {
			return x.servicePrincipals()
		}
		return x.servicePrincipal(key, val, rest)
	case "oauth2permissiongrants":
		return x.permissionGrants(keyed, val, rest)
	case "policies":
		if len(segs) == 2 && strings.EqualFold(segs[1], "identitySecurityDefaultsEnforcementPolicy") {
			return x.securityDefaults()
		}
		return gResp{}, segmentNotFound(strings.Join(segs[1:], "/"))
	case "users":
		return x.users(keyed, val, rest)
	case "domains":
		return x.domains(keyed, val, rest)
	case "organization":
		return x.organization(keyed, val, rest)
	}
	return gResp{}, segmentNotFound(name)
}

// ---- applications

var gAppWritable = []string{"displayName", "description", "notes", "signInAudience", "tags", "identifierUris",
	"requiredResourceAccess", "appRoles", "api", "serviceManagementReference", "isFallbackPublicClient"}

func (x *gCtx) findApp(key, val string, master bool) (*versioned[gAppRecord], *gAppRecord) {
	g, isGUID := parseGUID(val)
	for _, k := range sortedKeys(x.g.Applications) {
		v := x.g.Applications[k]
		rec := v.Current
		if !master {
			rec = v.visible(x.now)
		}
		if rec == nil || !isGUID {
			continue
		}
		if (strings.EqualFold(key, "id") && rec.App.ID == g) || (strings.EqualFold(key, "appId") && rec.App.AppID == g) {
			return v, rec
		}
	}
	return nil, nil
}

func (x *gCtx) applications() (gResp, *gError) {
	switch x.method {
	case http.MethodGet:
		if e := x.need(gReadApps...); e != nil {
			return gResp{}, e
		}
		var items []any
		for _, rec := range visibleList(x.g.Applications, x.now) {
			items = append(items, rec.App)
		}
		return x.list("applications", "applications", items, "displayName", "appId", "id", "signInAudience", "publisherDomain")
	case http.MethodPost:
		if e := x.need(gWriteApps...); e != nil {
			return gResp{}, e
		}
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		app, e := applyProps(newApplication(newGUID(), newGUID(), "", x.st.Tenant, x.now), body, "application", gAppWritable...)
		if e != nil {
			return gResp{}, e
		}
		if e := validateApplication(app); e != nil {
			return gResp{}, e
		}
		rec := &gAppRecord{App: *app}
		v := &versioned[gAppRecord]{}
		v.put(rec, x.now, x.lag())
		x.g.Applications[app.ID] = v
		x.changed = true
		return x.entity(http.StatusCreated, "applications/$entity", app)
	}
	return gResp{}, methodNotAllowed()
}

func validateApplication(app *gApplication) *gError {
	if strings.TrimSpace(app.DisplayName) == "" {
		return gBadRequest("Invalid value specified for property 'displayName' of resource 'Application'.")
	}
	switch app.SignInAudience {
	case "AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount":
	default:
		return gBadRequest("Invalid value specified for property 'signInAudience' of resource 'Application'.")
	}
	if app.Tags == nil {
		app.Tags = []string{}
	}
	if app.IdentifierUris == nil {
		app.IdentifierUris = []string{}
	}
	if app.RequiredResourceAccess == nil {
		app.RequiredResourceAccess = []gRequiredResourceAccess{}
	}
	if app.AppRoles == nil {
		app.AppRoles = []gAppRole{}
	}
	if app.API == nil {
		app.API = &gAPIApplication{}
	}
	if app.API.Oauth2PermissionScopes == nil {
		app.API.Oauth2PermissionScopes = []gPermissionScope{}
	}
	for i, rra := range app.RequiredResourceAccess {
		g, ok := parseGUID(rra.ResourceAppID)
		if !ok {
			return gBadRequest("Invalid value specified for property 'resourceAppId' of resource 'RequiredResourceAccess'.")
		}
		app.RequiredResourceAccess[i].ResourceAppID = g
		if rra.ResourceAccess == nil {
			app.RequiredResourceAccess[i].ResourceAccess = []gResourceAccess{}
		}
		for j, ra := range rra.ResourceAccess {
			id, ok := parseGUID(ra.ID)
			if !ok || (ra.Type != "Role" && ra.Type != "Scope") {
				return gBadRequest("Invalid value specified for property 'resourceAccess' of resource 'RequiredResourceAccess'.")
			}
			app.RequiredResourceAccess[i].ResourceAccess[j].ID = id
		}
	}
	for _, r := range app.AppRoles {
		if _, ok := parseGUID(r.ID); !ok || r.Value == "" {
			return gBadRequest("Invalid value specified for property 'appRoles' of resource 'Application'.")
		}
	}
	return nil
}

func (x *gCtx) application(key, val string, rest []string) (gResp, *gError) {
	if !strings.EqualFold(key, "id") && !strings.EqualFold(key, "appId") {
		return gResp{}, gBadRequest("Invalid key property '%s' for resource 'applications'.", key)
	}
	write := x.method != http.MethodGet
	read := gReadApps // the owners
	if len(rest) == 0 || strings.EqualFold(rest[0], "federatedIdentityCredentials") {
		read = gReadApp
	}
	if write {
		if e := x.need(gWriteApps...); e != nil {
			return gResp{}, e
		}
	} else if e := x.need(read...); e != nil {
		return gResp{}, e
	}
	v, rec := x.findApp(key, val, write)
	if rec == nil {
		return gResp{}, gNotFound(val)
	}
	ctx := "applications('" + rec.App.ID + "')"
	if len(rest) == 0 {
		switch x.method {
		case http.MethodGet:
			return x.entity(http.StatusOK, "applications/$entity", rec.App)
		case http.MethodPatch:
			body, e := x.decodeBody()
			if e != nil {
				return gResp{}, e
			}
			app, e := applyProps(clone(&rec.App), body, "application", gAppWritable...)
			if e != nil {
				return gResp{}, e
			}
			if e := validateApplication(app); e != nil {
				return gResp{}, e
			}
			nr := clone(rec)
			nr.App = *app
			v.put(nr, x.now, x.lag())
			x.changed = true
			return noContent()
		case http.MethodDelete:
			v.put(nil, x.now, x.lag())
			// Deleting an application deletes its service principal in this tenant.
			for _, k := range sortedKeys(x.g.ServicePrincipals) {
				if sp := x.g.ServicePrincipals[k].Current; sp != nil && sp.AppID == rec.App.AppID {
					x.deleteSP(sp.ID)
				}
			}
			x.changed = true
			return noContent()
		}
		return gResp{}, methodNotAllowed()
	}
	switch strings.ToLower(rest[0]) {
	case "addpassword", "microsoft.graph.addpassword":
		if x.method != http.MethodPost || len(rest) != 1 {
			return gResp{}, methodNotAllowed()
		}
		return x.addPassword(v, rec)
	case "removepassword", "microsoft.graph.removepassword":
		if x.method != http.MethodPost || len(rest) != 1 {
			return gResp{}, methodNotAllowed()
		}
		return x.removePassword(v, rec)
	case "federatedidentitycredentials":
		return x.fics(v, rec, ctx, rest[1:])
	case "owners":
		return x.owners(v, rec, ctx, rest[1:])
	}
	return gResp{}, segmentNotFound(rest[0])
}

func (x *gCtx) addPassword(v *versioned[gAppRecord], rec *gAppRecord) (gResp, *gError) {
	pc, e := x.newPasswordCredential()
	if e != nil {
		return gResp{}, e
	}
	nr := clone(rec)
	stored := pc
	stored.SecretText = nil
	nr.App.PasswordCredentials = append(nr.App.PasswordCredentials, stored)
	v.put(nr, x.now, x.lag())
	x.changed = true
	return x.passwordResp(pc)
}

func (x *gCtx) removePassword(v *versioned[gAppRecord], rec *gAppRecord) (gResp, *gError) {
	idx, e := x.passwordIndex(rec.App.PasswordCredentials)
	if e != nil {
		return gResp{}, e
	}
	nr := clone(rec)
	nr.App.PasswordCredentials = slices.Delete(nr.App.PasswordCredentials, idx, idx+1)
	v.put(nr, x.now, x.lag())
	x.changed = true
	return noContent()
}

// newPasswordCredential reads an addPassword body and makes the credential,
// secretText included.
func (x *gCtx) newPasswordCredential() (gPasswordCredential, *gError) {
	body, e := x.decodeBody()
	if e != nil {
		return gPasswordCredential{}, e
	}
	var in struct {
		DisplayName   *string `json:"displayName"`
		StartDateTime *string `json:"startDateTime"`
		EndDateTime   *string `json:"endDateTime"`
	}
	for k, raw := range body {
		if !strings.EqualFold(k, "passwordCredential") {
			return gPasswordCredential{}, gBadRequest("Property '%s' does not exist as a parameter of the action 'addPassword'.", k)
		}
		if err := json.Unmarshal(raw, &in); err != nil {
			return gPasswordCredential{}, gBadRequest("Invalid passwordCredential: %v", err)
		}
	}
	start := x.now.UTC()
	if in.StartDateTime != nil {
		t, err := parseGraphTime(*in.StartDateTime)
		if err != nil {
			return gPasswordCredential{}, gBadRequest("Invalid value specified for property 'startDateTime' of resource 'PasswordCredential'.")
		}
		start = t
	}
	end := start.AddDate(2, 0, 0)
	if in.EndDateTime != nil {
		t, err := parseGraphTime(*in.EndDateTime)
		if err != nil || !t.After(start) {
			return gPasswordCredential{}, gBadRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
		}
		end = t
	}
	secret := newClientSecret()
	return gPasswordCredential{DisplayName: in.DisplayName, Hint: secret[:3], KeyID: newGUID(), SecretText: &secret,
		StartDateTime: graphTime(start), EndDateTime: graphTime(end)}, nil
}

func (x *gCtx) passwordResp(pc gPasswordCredential) (gResp, *gError) {
	m := toMap(pc)
	m["@odata.context"] = x.base() + "/$metadata#microsoft.graph.passwordCredential"
	return gResp{status: http.StatusOK, body: m}, nil
}

// passwordIndex reads a removePassword body and finds the credential.
func (x *gCtx) passwordIndex(pcs []gPasswordCredential) (int, *gError) {
	body, e := x.decodeBody()
	if e != nil {
		return 0, e
	}
	var keyID string
	if raw, ok := body["keyId"]; ok {
		json.Unmarshal(raw, &keyID)
	}
	g, ok := parseGUID(keyID)
	if !ok {
		return 0, gBadRequest("The keyId parameter must be a GUID.")
	}
	idx := slices.IndexFunc(pcs, func(p gPasswordCredential) bool { return p.KeyID == g })
	if idx < 0 {
		return 0, gBadRequest("No password credential found with keyId '%s'.", g)
	}
	return idx, nil
}

func (x *gCtx) fics(v *versioned[gAppRecord], rec *gAppRecord, ctx string, rest []string) (gResp, *gError) {
	ctx += "/federatedIdentityCredentials"
	if len(rest) == 0 {
		switch x.method {
		case http.MethodGet:
			items := make([]any, 0, len(rec.FICs))
			for _, f := range rec.FICs {
				items = append(items, f)
			}
			return x.list(ctx, "federatedIdentityCredentials", items, "name", "subject", "issuer")
		case http.MethodPost:
			body, e := x.decodeBody()
			if e != nil {
				return gResp{}, e
			}
			f, e := applyProps(&gFIC{ID: newGUID(), Audiences: []string{}}, body, "federatedIdentityCredential", "name", "issuer", "subject", "audiences", "description")
			if e != nil {
				return gResp{}, e
			}
			if e := validateFIC(f, rec, ""); e != nil {
				return gResp{}, e
			}
			nr := clone(rec)
			nr.FICs = append(nr.FICs, *f)
			v.put(nr, x.now, x.lag())
			x.changed = true
			return x.entity(http.StatusCreated, ctx+"/$entity", f)
		}
		return gResp{}, methodNotAllowed()
	}
	_, key, val, keyed := alternateKey(rest[0])
	if !keyed {
		key, val = "id", rest[0]
	}
	idx := slices.IndexFunc(rec.FICs, func(f gFIC) bool {
		return (strings.EqualFold(key, "id") && strings.EqualFold(f.ID, val)) || (strings.EqualFold(key, "name") && f.Name == val)
	})
	if idx < 0 || len(rest) > 1 {
		return gResp{}, gNotFound(val)
	}
	switch x.method {
	case http.MethodGet:
		return x.entity(http.StatusOK, ctx+"/$entity", rec.FICs[idx])
	case http.MethodPatch:
		body, e := x.decodeBody()
		if e != nil {
			return gResp{}, e
		}
		f, e := applyProps(&rec.FICs[idx], body, "federatedIdentityCredential", "issuer", "subject", "audiences", "description")
		if e != nil {
			return gResp{}, e
		}
		if e := validateFIC(f, rec, f.ID); e != nil {
			return gResp{}, e
		}
		nr := clone(rec)
		nr.FICs[idx] = *f
		v.put(nr, x.now, x.lag())
		x.changed = true
		return noContent()
	case http.MethodDelete:
		nr := clone(rec)
		nr.FICs = slices.Delete(nr.FICs, idx, idx+1)
		v.put(nr, x.now, x.lag())
		x.changed = true
		return noContent()
	}
	return gResp{}, methodNotAllowed()
}

func validateFIC(f *gFIC, rec *gAppRecord, self string) *gError {
	if n := len(f.Name); n < 3 || n > 120 || strings.ContainsAny(f.Name, "/\\?#%") {
		return gBadRequest("Invalid value specified for property 'name' of resource 'FederatedIdentityCredential'.")
	}
	if f.Issuer == "" || f.Subject == "" {
		return gBadRequest("Properties 'issuer' and 'subject' of resource 'FederatedIdentityCredential' are required.")
	}
	if len(f.Audiences) != 1 {
		return gBadRequest("Property 'audiences' of resource 'FederatedIdentityCredential' must hold exactly one value.")
	}
	for _, o := range rec.FICs {
		if o.ID == self {
			continue
		}
		if strings.EqualFold(o.Name, f.Name) {
			return gErr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "FederatedIdentityCredential with name %s already exists.", f.Name)
		}
		if o.Issuer == f.Issuer && o.Subject == f.Subject {
			return gErr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "FederatedIdentityCredential with the same issuer and subject already exists.")
		}
	}
	if len(rec.FICs) >= 20 && self == "" {
		return gBadRequest("An application can have at most 20 federated identity credentials.")
	}
	return nil
}
