package sim

import (
	"strings"
	"time"
)

// microsoftTenantID is the tenant that owns Microsoft's first-party
// applications (their service principals' appOwnerOrganizationId).
const microsoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// Vendor multi-tenant application the demo tenant can consent to. It is not
// registered in the tenant: POST /servicePrincipals {"appId": vendorAppID}
// creates its service principal from the vendor's published definition.
const (
	vendorAppID       = "5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13"
	vendorAppName     = "Northwind Mail Relay"
	vendorTenantID    = "9b7d3e15-2c84-4f6a-a0d1-58e6c3b2f947"
	vendorRoleRelayID = "2a6f9c1e-8b3d-4e57-9f02-c4d81a7e5b60"
	vendorScopeUserID = "c3e8b2d5-1f4a-4c69-8e73-5a0b9d6f2e18"
)

type gRoleDef struct{ id, value, display string }

// Application permissions (app roles) and delegated permissions (scopes)
// of the first-party resources, from wire-formats D2 and D3. Exchange and
// Graph share some app role ids (Mail.Send, Calendars.ReadWrite[.All]) and
// differ on the SMTP/IMAP/POP scope ids.
var (
	exchangeAppRoles = []gRoleDef{
		{"dc890d15-9560-4a4c-9b7f-a736ec74ec40", "full_access_as_app", "Use Exchange Web Services with full access to all mailboxes"},
		{"ef54d2bf-783f-4e0f-bca1-3210c0444d99", "Calendars.ReadWrite.All", "Read and write calendars in all mailboxes"},
		{"dc50a0fb-09a3-484d-be87-e023b12c6440", "Exchange.ManageAsApp", "Manage Exchange As Application"},
		{"7146a1f0-8703-45b3-9eae-527a64c00995", "SMTP.SendAsApp", "Send emails from mailboxes using SMTP AUTH"},
		{"5e5addcd-3e8d-4e90-baf5-964efab2b20a", "IMAP.AccessAsApp", "IMAP.AccessAsApp"},
		{"cb842b43-da6e-4506-86fe-bb12199c656d", "POP.AccessAsApp", "POP.AccessAsApp"},
		{"b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send", "Send mail as any user"},
		{"f9156939-25cd-4ba8-abfe-7fabcf003749", "MailboxSettings.ReadWrite", "Read and write user mailbox settings"},
	}
	exchangeScopes = []gRoleDef{
		{"76faac2a-0f20-42f1-928a-50de5b9dbe52", "SMTP.Send", "Send emails from mailboxes using SMTP AUTH."},
		{"195adc35-e27b-454b-a7ed-1ecdffa1c09f", "IMAP.AccessAsUser.All", "Read and write access to mailboxes via IMAP."},
		{"fb698133-92fa-453e-a9ed-688e10f2e5ac", "POP.AccessAsUser.All", "Read and write access to mailboxes via POP."},
		{"5eb43c10-865a-4259-960a-83946678f8dd", "Mail.Send", "Send mail as a user"},
		{"765f423e-b55d-412e-97e3-13a800c3a537", "Calendars.ReadWrite", "Read and write user calendars"},
		{"bbd1ca91-75e0-4814-ad94-9c5dbbae3415", "Calendars.ReadWrite.All", "Read and write user and shared calendars"},
		{"3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", "EWS.AccessAsUser.All", "Access mailboxes as the signed-in user via Exchange Web Services"},
		{"ab4f2b77-0b06-4fc1-a9de-02113fc2ab7c", "Exchange.Manage", "Manage Exchange configuration"},
	}
	graphAppRoles = []gRoleDef{
		{"b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send", "Send mail as any user"},
		{"ef54d2bf-783f-4e0f-bca1-3210c0444d99", "Calendars.ReadWrite", "Read and write calendars in all mailboxes"},
		{"9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications"},
		{"1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", "Read and write all applications"},
		{"06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments"},
		{"8e8e4742-1d95-4f68-9d56-6ee75648c72a", "DelegatedPermissionGrant.ReadWrite.All", "Manage all delegated permission grants"},
		{"246dd0d5-5bd0-4def-940b-0421030a5b68", "Policy.Read.All", "Read your organization's policies"},
		{"01c0a623-fc9b-48e9-b794-0756f8e8f067", "Policy.ReadWrite.ConditionalAccess", "Read and write your organization's conditional access policies"},
		{"1c6e93a6-28e2-4cbb-9f64-1a46a821124d", "Policy.ReadWrite.SecurityDefaults", "Read and write your organization's security defaults policy"},
		{"7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data"},
		{"df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"},
		{"dbb9058a-0e50-45d7-ae91-66909b5d4664", "Domain.Read.All", "Read domains"},
	}
	graphScopes = []gRoleDef{
		{"258f6531-6087-4cc4-bb90-092c5fb3ed3f", "SMTP.Send", "Send emails from mailboxes using SMTP AUTH."},
		{"652390e4-393a-48de-9484-05f9b1212954", "IMAP.AccessAsUser.All", "Read and write access to mailboxes via IMAP."},
		{"d7b7f2d9-0f45-4ea1-9d42-e50810c06991", "POP.AccessAsUser.All", "Read and write access to mailboxes via POP."},
		{"7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access", "Maintain access to data you have given it access to"},
		{"e383f46e-2787-4529-855e-0e479a3ffac0", "Mail.Send", "Send mail as a user"},
		{"1ec239c2-d7c9-4623-a91a-a9775856bb36", "Calendars.ReadWrite", "Have full access to user calendars"},
		{"9769c687-087d-48ac-9cb3-c37dde652038", "EWS.AccessAsUser.All", "Access mailboxes as the signed-in user via Exchange Web Services"},
		{"37f7f235-527c-4136-accd-4a02d197296e", "openid", "Sign users in"},
		{"14dad69e-099b-42c9-810b-d002981feec1", "profile", "View users' basic profile"},
		{"e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", "Sign in and read user profile"},
	}
)

func appRolesOf(defs []gRoleDef) []gAppRole {
	out := make([]gAppRole, 0, len(defs))
	for _, d := range defs {
		out = append(out, gAppRole{
			AllowedMemberTypes: []string{"Application"}, ID: d.id, Value: d.value, DisplayName: d.display,
			Description: "Allows the app to " + strings.ToLower(d.display[:1]) + d.display[1:] + " without a signed-in user.",
			IsEnabled:   true, Origin: "Application",
		})
	}
	return out
}

func scopesOf(defs []gRoleDef) []gPermissionScope {
	out := make([]gPermissionScope, 0, len(defs))
	for _, d := range defs {
		desc := "Allows the app to " + strings.ToLower(d.display[:1]) + d.display[1:] + " on behalf of the signed-in user."
		typ := "User"
		if strings.HasSuffix(d.value, ".All") && d.value != "IMAP.AccessAsUser.All" && d.value != "POP.AccessAsUser.All" && d.value != "EWS.AccessAsUser.All" {
			typ = "Admin"
		}
		out = append(out, gPermissionScope{
			AdminConsentDescription: desc, AdminConsentDisplayName: d.display,
			UserConsentDescription: strPtr(desc), UserConsentDisplayName: strPtr(d.display),
			ID: d.id, IsEnabled: true, Origin: "Application", Type: typ, Value: d.value,
		})
	}
	return out
}

// knownMultiTenantApp returns the service principal template of an
// application published by another tenant (Microsoft or the vendor), or nil.
func knownMultiTenantApp(appID string) *gServicePrincipal {
	switch strings.ToLower(appID) {
	case exchangeResourceApp:
		return &gServicePrincipal{
			AppID: exchangeResourceApp, DisplayName: "Office 365 Exchange Online", AppOwnerOrganizationID: microsoftTenantID,
			ServicePrincipalNames: []string{exchangeResourceApp, exchangeResource, "https://outlook.office.com", "https://ps.outlook.com"},
			SignInAudience:        "AzureADMultipleOrgs", AppRoles: appRolesOf(exchangeAppRoles), Oauth2PermissionScopes: scopesOf(exchangeScopes),
		}
	case graphResourceApp:
		return &gServicePrincipal{
			AppID: graphResourceApp, DisplayName: "Microsoft Graph", AppOwnerOrganizationID: microsoftTenantID,
			ServicePrincipalNames: []string{graphResourceApp, graphResource, "https://graph.microsoft.com/", "https://canary.graph.microsoft.com"},
			SignInAudience:        "AzureADMultipleOrgs", AppRoles: appRolesOf(graphAppRoles), Oauth2PermissionScopes: scopesOf(graphScopes),
		}
	case vendorAppID:
		return &gServicePrincipal{
			AppID: vendorAppID, DisplayName: vendorAppName, AppOwnerOrganizationID: vendorTenantID,
			ServicePrincipalNames: []string{vendorAppID, "api://northwind-mail-relay"},
			SignInAudience:        "AzureADMultipleOrgs",
			AppRoles: []gAppRole{{AllowedMemberTypes: []string{"Application"}, ID: vendorRoleRelayID, Value: "Relay.Submit",
				DisplayName: "Submit messages to the relay", Description: "Allows a daemon to submit messages to the Northwind relay.", IsEnabled: true, Origin: "Application"}},
			Oauth2PermissionScopes: []gPermissionScope{{ID: vendorScopeUserID, Value: "user_impersonation", Type: "User", IsEnabled: true, Origin: "Application",
				AdminConsentDisplayName: "Access Northwind Mail Relay", AdminConsentDescription: "Allows the app to use the Northwind relay on behalf of the signed-in user.",
				UserConsentDisplayName: strPtr("Access Northwind Mail Relay"), UserConsentDescription: strPtr("Allows the app to use the Northwind relay on your behalf.")}},
		}
	}
	return nil
}

// newServicePrincipal completes a template into a service principal of this tenant.
func newServicePrincipal(tpl *gServicePrincipal, id string) *gServicePrincipal {
	sp := *tpl
	sp.ID = id
	sp.AccountEnabled = true
	sp.AppDisplayName = tpl.DisplayName
	sp.ServicePrincipalType = "Application"
	if sp.Tags == nil {
		sp.Tags = []string{}
	}
	if sp.AppRoles == nil {
		sp.AppRoles = []gAppRole{}
	}
	if sp.Oauth2PermissionScopes == nil {
		sp.Oauth2PermissionScopes = []gPermissionScope{}
	}
	if sp.ServicePrincipalNames == nil {
		sp.ServicePrincipalNames = []string{sp.AppID}
	}
	sp.PasswordCredentials = []gPasswordCredential{}
	sp.KeyCredentials = []any{}
	return &sp
}

// seedGraph adds the first-party resource service principals and the sim's
// admin app (application, service principal and the app role assignments
// matching the roles its tokens carry).
func seedGraph(st *state) {
	g := &st.Graph
	g.ensure()
	t := st.Tenant
	created := time.Date(2019, 5, 6, 8, 0, 0, 0, time.UTC)
	spIDs := map[string]string{}
	for _, appID := range []string{exchangeResourceApp, graphResourceApp} {
		sp := newServicePrincipal(knownMultiTenantApp(appID), nameGUID(t.ID+":service-principal:"+appID))
		g.ServicePrincipals[sp.ID] = &versioned[gServicePrincipal]{Current: sp}
		spIDs[appID] = sp.ID
	}
	a := st.AdminApp
	app := newApplication(nameGUID(t.ID+":application:"+a.ClientID), a.ClientID, a.DisplayName, t, created)
	app.PasswordCredentials = []gPasswordCredential{{
		DisplayName: strPtr("sim"), Hint: a.ClientSecret[:3], KeyID: nameGUID(t.ID + ":admin-secret:" + a.ClientID),
		StartDateTime: graphTime(created), EndDateTime: graphTime(created.AddDate(99, 0, 0)),
	}}
	resources := []struct{ uri, appID string }{{exchangeResource, exchangeResourceApp}, {graphResource, graphResourceApp}}
	for _, r := range resources {
		tpl := knownMultiTenantApp(r.appID)
		rra := gRequiredResourceAccess{ResourceAppID: r.appID, ResourceAccess: []gResourceAccess{}}
		for _, value := range a.AppRoles[r.uri] {
			for _, role := range tpl.AppRoles {
				if role.Value != value {
					continue
				}
				rra.ResourceAccess = append(rra.ResourceAccess, gResourceAccess{ID: role.ID, Type: "Role"})
				as := &gAppRoleAssignment{
					ID: nameOpaqueID(t.ID + ":admin-assignment:" + role.ID), AppRoleID: role.ID, CreatedDateTime: graphTime(created),
					PrincipalDisplayName: a.DisplayName, PrincipalID: a.ServicePrincipalID, PrincipalType: "ServicePrincipal",
					ResourceDisplayName: tpl.DisplayName, ResourceID: spIDs[r.appID],
				}
				g.AppRoleAssignments[as.ID] = &versioned[gAppRoleAssignment]{Current: as}
			}
		}
		app.RequiredResourceAccess = append(app.RequiredResourceAccess, rra)
	}
	g.Applications[app.ID] = &versioned[gAppRecord]{Current: &gAppRecord{App: *app}}
	sp := spFromApplication(app, a.ServicePrincipalID, t.ID)
	g.ServicePrincipals[sp.ID] = &versioned[gServicePrincipal]{Current: sp}
}

// newApplication is an application with Graph's defaults.
func newApplication(id, appID, name string, t tenantState, created time.Time) *gApplication {
	return &gApplication{
		ID: id, AppID: appID, DisplayName: name, SignInAudience: "AzureADMyOrg",
		Tags: []string{}, IdentifierUris: []string{}, CreatedDateTime: graphTime(created),
		PublisherDomain: t.InitialDomain, RequiredResourceAccess: []gRequiredResourceAccess{},
		PasswordCredentials: []gPasswordCredential{}, KeyCredentials: []any{}, AppRoles: []gAppRole{},
		API: &gAPIApplication{Oauth2PermissionScopes: []gPermissionScope{}},
	}
}

// spFromApplication is the service principal of an application registered in this tenant.
func spFromApplication(app *gApplication, id, tenantID string) *gServicePrincipal {
	tpl := &gServicePrincipal{
		AppID: app.AppID, DisplayName: app.DisplayName, AppOwnerOrganizationID: tenantID,
		ServicePrincipalNames: append([]string{app.AppID}, app.IdentifierUris...),
		SignInAudience:        app.SignInAudience, AppRoles: append([]gAppRole{}, app.AppRoles...),
	}
	if app.API != nil {
		tpl.Oauth2PermissionScopes = append([]gPermissionScope{}, app.API.Oauth2PermissionScopes...)
	}
	return newServicePrincipal(tpl, id)
}
