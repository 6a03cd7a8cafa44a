package entra

import "github.com/exoform/exoform/providers"

// The Graph requests each type sends (providers.APIDescriber), for the reference documentation:
// the method and the path template relative to /v1.0, without the query ($select, $filter). The
// lists are held to what the types emit against the simulated tenant (apidoc_test.go), so a
// request added to a type's code without being listed here fails the tests. The delegated
// permissions each request needs are in graphScopes.

var (
	_ providers.APIDescriber = (*application)(nil)
	_ providers.APIDescriber = (*applicationPassword)(nil)
	_ providers.APIDescriber = (*servicePrincipal)(nil)
	_ providers.APIDescriber = (*securityDefaults)(nil)
	_ providers.APIDescriber = (*servicePrincipalData)(nil)
)

// graphCall is one Graph request and its purposes.
func graphCall(name string, purposes ...providers.Purpose) providers.Call {
	return providers.Call{Service: providers.Graph, Name: name, Purposes: purposes}
}

// consentRequests grant and revoke admin consent (consentOps): application permissions are app
// role assignments on the API's service principal, delegated ones a grant per API.
func consentRequests(purposes ...providers.Purpose) []providers.Call {
	return []providers.Call{
		graphCall("POST /servicePrincipals/{id}/appRoleAssignedTo", purposes...),
		graphCall("DELETE /servicePrincipals/{id}/appRoleAssignedTo/{id}", providers.PurposeUpdate),
		graphCall("POST /oauth2PermissionGrants", purposes...),
		graphCall("PATCH /oauth2PermissionGrants/{id}", providers.PurposeUpdate),
		graphCall("DELETE /oauth2PermissionGrants/{id}", providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber. Planning reads every application, service principal
// and delegated grant, the app role assignments granted on the APIs the declared apps use, and,
// in $batch requests, the federated credentials and owners of the declared and owned apps. An
// owner is looked up by user principal name for its id before it is added.
func (r *application) Calls() []providers.Call {
	return append([]providers.Call{
		graphCall("GET /applications", providers.PurposeRead, providers.PurposeGuard),
		graphCall("GET /applications/{id}", providers.PurposeGuard),
		graphCall("GET /servicePrincipals", providers.PurposeRead, providers.PurposeGuard),
		graphCall("GET /oauth2PermissionGrants", providers.PurposeRead),
		graphCall("GET /servicePrincipals/{id}/appRoleAssignedTo", providers.PurposeRead),
		graphCall("GET /applications/{id}/federatedIdentityCredentials", providers.PurposeRead),
		graphCall("GET /applications/{id}/owners", providers.PurposeRead),
		graphCall("POST /applications", providers.PurposeCreate),
		graphCall("PATCH /applications/{id}", providers.PurposeUpdate),
		graphCall("DELETE /applications/{id}", providers.PurposeDelete),
		graphCall("POST /servicePrincipals", providers.PurposeCreate, providers.PurposeUpdate),
		graphCall("POST /applications/{id}/federatedIdentityCredentials", providers.PurposeCreate, providers.PurposeUpdate),
		graphCall("PATCH /applications/{id}/federatedIdentityCredentials/{id}", providers.PurposeUpdate),
		graphCall("DELETE /applications/{id}/federatedIdentityCredentials/{id}", providers.PurposeUpdate),
		graphCall("GET /users/{id}", providers.PurposeCreate, providers.PurposeUpdate),
		graphCall("POST /applications/{id}/owners/$ref", providers.PurposeCreate, providers.PurposeUpdate),
		graphCall("DELETE /applications/{id}/owners/{id}/$ref", providers.PurposeUpdate),
	}, consentRequests(providers.PurposeCreate, providers.PurposeUpdate)...)
}

// Calls implements providers.APIDescriber: secrets are read with their applications, added and
// removed with the application's bound actions, named by its client id. A secret is removed
// only when a rotation replaces it: exoform never deletes one. The applications come from the
// listing every Entra type shares (with the service principals and grants, in one batched
// read per plan), so reading secrets sends those GETs too, or shares them.
func (r *applicationPassword) Calls() []providers.Call {
	return []providers.Call{
		graphCall("GET /applications", providers.PurposeRead),
		graphCall("GET /servicePrincipals", providers.PurposeRead),
		graphCall("GET /oauth2PermissionGrants", providers.PurposeRead),
		graphCall("GET /applications(appId='{appId}')", providers.PurposeGuard),
		graphCall("POST /applications(appId='{appId}')/addPassword", providers.PurposeCreate, providers.PurposeUpdate),
		graphCall("POST /applications(appId='{appId}')/removePassword", providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber. Planning reads every service principal, application
// and delegated grant, and, in $batch requests, the app role assignments of the declared and
// owned service principals.
func (r *servicePrincipal) Calls() []providers.Call {
	return append([]providers.Call{
		graphCall("GET /servicePrincipals", providers.PurposeRead, providers.PurposeGuard),
		graphCall("GET /servicePrincipals/{id}", providers.PurposeGuard),
		graphCall("GET /applications", providers.PurposeRead),
		graphCall("GET /oauth2PermissionGrants", providers.PurposeRead),
		graphCall("GET /servicePrincipals/{id}/appRoleAssignments", providers.PurposeRead),
		graphCall("POST /servicePrincipals", providers.PurposeCreate),
		graphCall("PATCH /servicePrincipals/{id}", providers.PurposeUpdate),
		graphCall("DELETE /servicePrincipals/{id}", providers.PurposeDelete),
	}, consentRequests(providers.PurposeCreate, providers.PurposeUpdate)...)
}

// Calls implements providers.APIDescriber.
func (r *securityDefaults) Calls() []providers.Call {
	return []providers.Call{
		graphCall("GET "+securityDefaultsPath, providers.PurposeRead, providers.PurposeGuard),
		graphCall("PATCH "+securityDefaultsPath, providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber: one filtered request by appId or displayName.
func (d *servicePrincipalData) Calls() []providers.Call {
	return []providers.Call{graphCall("GET /servicePrincipals", providers.PurposeRead)}
}
