package entra

import (
	"maps"
	"slices"
	"strings"

	"github.com/exoform/exoform/providers"
)

// The delegated Microsoft Graph permissions (OAuth scopes) each operation of this provider
// needs when an administrator sends it under their own account, as a generated script's
// Connect-MgGraph -Scopes asks for them: the least privileged delegated permissions (work or
// school account) of each API's "Permissions" table on learn.microsoft.com. An operation may
// need several (all of them). The signed-in administrator also needs a directory role that
// allows the operation (Cloud Application Administrator, Privileged Role Administrator for
// some consents, Security Administrator for security defaults); scopes do not grant that.
//
// A key is the method and the path with ids replaced by {id}: an alternate key such as
// applications(appId='…') is an id too. Paths are compared without their query.
var graphScopes = map[string][]string{
	// https://learn.microsoft.com/graph/api/application-post-applications
	"POST /applications": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-list (guard reads by displayName)
	"GET /applications": {"Application.Read.All"},
	// https://learn.microsoft.com/graph/api/application-get (guard reads by id or appId)
	"GET /applications/{id}": {"Application.Read.All"},
	// https://learn.microsoft.com/graph/api/application-update
	"PATCH /applications/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-delete
	"DELETE /applications/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-addpassword
	"POST /applications/{id}/addPassword": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-removepassword
	"POST /applications/{id}/removePassword": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials
	"POST /applications/{id}/federatedIdentityCredentials": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/federatedidentitycredential-update
	"PATCH /applications/{id}/federatedIdentityCredentials/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/federatedidentitycredential-delete
	"DELETE /applications/{id}/federatedIdentityCredentials/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/application-post-owners: "Application.ReadWrite.All
	// and Directory.Read.All" (the new owner is looked up as a directory object).
	"POST /applications/{id}/owners/$ref": {"Application.ReadWrite.All", "Directory.Read.All"},
	// https://learn.microsoft.com/graph/api/application-delete-owners
	"DELETE /applications/{id}/owners/{id}/$ref": {"Application.ReadWrite.All"},

	// https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
	"POST /servicePrincipals": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-list (guard reads by appId)
	"GET /servicePrincipals": {"Application.Read.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-get
	"GET /servicePrincipals/{id}": {"Application.Read.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-update
	"PATCH /servicePrincipals/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-delete
	"DELETE /servicePrincipals/{id}": {"Application.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto:
	// "AppRoleAssignment.ReadWrite.All and Application.Read.All".
	"POST /servicePrincipals/{id}/appRoleAssignedTo": {"AppRoleAssignment.ReadWrite.All", "Application.Read.All"},
	// https://learn.microsoft.com/graph/api/serviceprincipal-delete-approleassignedto
	"DELETE /servicePrincipals/{id}/appRoleAssignedTo/{id}": {"AppRoleAssignment.ReadWrite.All"},

	// https://learn.microsoft.com/graph/api/oauth2permissiongrant-post
	"POST /oauth2PermissionGrants": {"DelegatedPermissionGrant.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/oauth2permissiongrant-update
	"PATCH /oauth2PermissionGrants/{id}": {"DelegatedPermissionGrant.ReadWrite.All"},
	// https://learn.microsoft.com/graph/api/oauth2permissiongrant-delete
	"DELETE /oauth2PermissionGrants/{id}": {"DelegatedPermissionGrant.ReadWrite.All"},

	// https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-get
	"GET /policies/identitySecurityDefaultsEnforcementPolicy": {"Policy.Read.All"},
	// https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-update
	// lists Policy.Read.All as least privileged, which cannot write; of the write permissions
	// it lists (Policy.ReadWrite.SecurityDefaults, Policy.ReadWrite.ConditionalAccess), the
	// first covers this policy only.
	"PATCH /policies/identitySecurityDefaultsEnforcementPolicy": {"Policy.ReadWrite.SecurityDefaults"},

	// https://learn.microsoft.com/graph/api/user-get: User.Read covers only the signed-in user;
	// an owner is looked up by user principal name for its id, a basic property, which
	// User.ReadBasic.All reads for every user (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall).
	"GET /users/{id}": {"User.ReadBasic.All"},
}

// appPermission is what an operation needs when exoform signs in as an app (app-only): the
// Microsoft Graph application permissions of each API's "Permissions" table on
// learn.microsoft.com (all of need), or else one of the broader ones in or. Where Microsoft
// lists Application.ReadWrite.OwnedBy as least privileged, exoform needs
// Application.ReadWrite.All: it adopts and reads apps it does not own.
type appPermission struct {
	need []string
	or   []string
}

var (
	readApps = appPermission{need: []string{"Application.Read.All"}, or: []string{"Application.ReadWrite.All", "Directory.Read.All"}}
	// readApp is for the reads whose tables list no Directory permission: one application by
	// key (https://learn.microsoft.com/graph/api/application-get) and its federated credentials
	// (https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials).
	readApp    = appPermission{need: []string{"Application.Read.All"}, or: []string{"Application.ReadWrite.All"}}
	writeApps  = appPermission{need: []string{"Application.ReadWrite.All"}}
	readGrants = appPermission{need: []string{"Directory.Read.All"}, or: []string{"DelegatedPermissionGrant.ReadWrite.All"}}
	// writeGrants covers oauth2PermissionGrant create, update and delete.
	writeGrants = appPermission{need: []string{"DelegatedPermissionGrant.ReadWrite.All"}}
	readUsers   = appPermission{need: []string{"User.Read.All"}, or: []string{"Directory.Read.All"}}
)

// graphAppPermissions holds the application permissions of each operation exoform sends, keyed
// like graphScopes, for the message of a 403 Authorization_RequestDenied.
var graphAppPermissions = map[string]appPermission{
	"GET /applications":                                           readApps,
	"GET /applications/{id}":                                      readApp,
	"GET /applications/{id}/owners":                               readApps,
	"GET /applications/{id}/federatedIdentityCredentials":         readApp,
	"POST /applications":                                          writeApps,
	"PATCH /applications/{id}":                                    writeApps,
	"DELETE /applications/{id}":                                   writeApps,
	"POST /applications/{id}/addPassword":                         writeApps,
	"POST /applications/{id}/removePassword":                      writeApps,
	"POST /applications/{id}/federatedIdentityCredentials":        writeApps,
	"PATCH /applications/{id}/federatedIdentityCredentials/{id}":  writeApps,
	"DELETE /applications/{id}/federatedIdentityCredentials/{id}": writeApps,
	// https://learn.microsoft.com/graph/api/application-post-owners: the new owner is looked up
	// as a directory object.
	"POST /applications/{id}/owners/$ref":        {need: []string{"Application.ReadWrite.All", "Directory.Read.All"}},
	"DELETE /applications/{id}/owners/{id}/$ref": writeApps,

	"GET /servicePrincipals":                         readApps,
	"GET /servicePrincipals/{id}":                    readApps,
	"GET /servicePrincipals/{id}/appRoleAssignedTo":  readApps,
	"GET /servicePrincipals/{id}/appRoleAssignments": readApps,
	"POST /servicePrincipals":                        writeApps,
	"PATCH /servicePrincipals/{id}":                  writeApps,
	"DELETE /servicePrincipals/{id}":                 writeApps,
	// https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto
	"POST /servicePrincipals/{id}/appRoleAssignedTo":        {need: []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}},
	"DELETE /servicePrincipals/{id}/appRoleAssignedTo/{id}": {need: []string{"AppRoleAssignment.ReadWrite.All"}},

	// https://learn.microsoft.com/graph/api/oauth2permissiongrant-list
	"GET /oauth2PermissionGrants":         readGrants,
	"POST /oauth2PermissionGrants":        writeGrants,
	"PATCH /oauth2PermissionGrants/{id}":  writeGrants,
	"DELETE /oauth2PermissionGrants/{id}": writeGrants,

	// https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-get and -update
	"GET /policies/identitySecurityDefaultsEnforcementPolicy": {need: []string{"Policy.Read.All"},
		or: []string{"Policy.ReadWrite.SecurityDefaults", "Policy.ReadWrite.ConditionalAccess"}},
	"PATCH /policies/identitySecurityDefaultsEnforcementPolicy": {need: []string{"Policy.ReadWrite.SecurityDefaults"},
		or: []string{"Policy.ReadWrite.ConditionalAccess"}},

	// https://learn.microsoft.com/graph/api/user-get and user-list
	"GET /users":      readUsers,
	"GET /users/{id}": readUsers,
}

// appPermissions returns the Microsoft Graph application permissions a Graph request needs
// when exoform signs in as an app: all of need, or one of the broader ones in or. ok is false
// for a request exoform does not know.
func appPermissions(method, path string) (need, or []string, ok bool) {
	p, ok := graphAppPermissions[strings.ToUpper(method)+" "+scopePattern(path)]
	if !ok {
		return nil, nil, false
	}
	return append([]string(nil), p.need...), append([]string(nil), p.or...), true
}

// graphSegments are the path segments that name a collection, navigation or action rather
// than an object; every other segment is an id.
var graphSegments = map[string]string{}

func init() {
	keys := slices.Collect(maps.Keys(graphScopes))
	for k := range graphAppPermissions {
		keys = append(keys, k)
	}
	for _, k := range keys {
		_, path, _ := strings.Cut(k, " ")
		for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
			if s != "{id}" {
				graphSegments[strings.ToLower(s)] = s
			}
		}
	}
}

// Scopes implements providers.Scoper: the delegated permissions of a Graph operation, nil for
// an operation this provider does not know (the script must refuse it rather than guess).
func (p *Provider) Scopes(op providers.Operation) []string {
	if op.Service != providers.Graph {
		return nil
	}
	s, ok := graphScopes[strings.ToUpper(op.Method)+" "+scopePattern(op.Path)]
	if !ok {
		return nil
	}
	return append([]string(nil), s...)
}

// scopePattern is a path with its query removed and its ids replaced by {id}: the key of
// graphScopes. /applications(appId='…')/addPassword is /applications/{id}/addPassword.
func scopePattern(path string) string {
	path, _, _ = strings.Cut(path, "?")
	var out []string
	for i, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if i == 0 {
			if name, _, keyed := strings.Cut(s, "("); keyed {
				out = append(out, graphSegments[strings.ToLower(name)], "{id}")
				continue
			}
		}
		if name, ok := graphSegments[strings.ToLower(s)]; ok && (i == 0 || !isCollectionRoot(name)) {
			out = append(out, name)
			continue
		}
		out = append(out, "{id}")
	}
	return "/" + strings.Join(out, "/")
}

// isCollectionRoot reports whether a segment names a top-level collection, which after the
// first segment is an id that happens to spell it (never in practice, but an id must not be
// taken for a name).
func isCollectionRoot(name string) bool {
	switch name {
	case "applications", "servicePrincipals", "oauth2PermissionGrants", "users", "policies":
		return true
	}
	return false
}
