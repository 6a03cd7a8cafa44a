package sim

import (
	"encoding/base64"
	"time"
)

// graphState is the Entra side of the tenant that Microsoft Graph serves:
// applications, service principals, app role assignments, delegated
// permission grants and the security defaults policy. Users, domains and the
// organization are views of the Exchange recipients and the tenant (graph_dir.go).
// Records use Graph's property names, so the state reads like Graph output.
type graphState struct {
	Applications       map[string]*versioned[gAppRecord]         `json:"applications"`
	ServicePrincipals  map[string]*versioned[gServicePrincipal]  `json:"service_principals"`
	AppRoleAssignments map[string]*versioned[gAppRoleAssignment] `json:"app_role_assignments"`
	PermissionGrants   map[string]*versioned[gPermissionGrant]   `json:"oauth2_permission_grants"`
	SecurityDefaults   *versioned[gSecurityDefaults]             `json:"security_defaults"`
}

// gAppRecord is an application with its contained navigation properties,
// which GET /applications/{id} does not show.
type gAppRecord struct {
	App    gApplication `json:"app"`
	FICs   []gFIC       `json:"federated_identity_credentials,omitempty"`
	Owners []string     `json:"owners,omitempty"`
}

type gApplication struct {
	ID                         string                    `json:"id"`
	DeletedDateTime            *string                   `json:"deletedDateTime"`
	AppID                      string                    `json:"appId"`
	DisplayName                string                    `json:"displayName"`
	Description                *string                   `json:"description"`
	Notes                      *string                   `json:"notes"`
	SignInAudience             string                    `json:"signInAudience"`
	Tags                       []string                  `json:"tags"`
	IdentifierUris             []string                  `json:"identifierUris"`
	CreatedDateTime            string                    `json:"createdDateTime"`
	PublisherDomain            string                    `json:"publisherDomain"`
	ServiceManagementReference *string                   `json:"serviceManagementReference"`
	IsFallbackPublicClient     *bool                     `json:"isFallbackPublicClient"`
	RequiredResourceAccess     []gRequiredResourceAccess `json:"requiredResourceAccess"`
	PasswordCredentials        []gPasswordCredential     `json:"passwordCredentials"`
	KeyCredentials             []any                     `json:"keyCredentials"`
	AppRoles                   []gAppRole                `json:"appRoles"`
	API                        *gAPIApplication          `json:"api"`
}

type gAPIApplication struct {
	RequestedAccessTokenVersion *int               `json:"requestedAccessTokenVersion"`
	Oauth2PermissionScopes      []gPermissionScope `json:"oauth2PermissionScopes"`
}

type gRequiredResourceAccess struct {
	ResourceAppID  string            `json:"resourceAppId"`
	ResourceAccess []gResourceAccess `json:"resourceAccess"`
}

type gResourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// gPasswordCredential is stored without its secretText, which only the
// addPassword response carries.
type gPasswordCredential struct {
	CustomKeyIdentifier *string `json:"customKeyIdentifier"`
	DisplayName         *string `json:"displayName"`
	EndDateTime         string  `json:"endDateTime"`
	Hint                string  `json:"hint"`
	KeyID               string  `json:"keyId"`
	SecretText          *string `json:"secretText"`
	StartDateTime       string  `json:"startDateTime"`
}

type gFIC struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description *string  `json:"description"`
}

type gAppRole struct {
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	Description        string   `json:"description"`
	DisplayName        string   `json:"displayName"`
	ID                 string   `json:"id"`
	IsEnabled          bool     `json:"isEnabled"`
	Origin             string   `json:"origin"`
	Value              string   `json:"value"`
}

type gPermissionScope struct {
	AdminConsentDescription string  `json:"adminConsentDescription"`
	AdminConsentDisplayName string  `json:"adminConsentDisplayName"`
	ID                      string  `json:"id"`
	IsEnabled               bool    `json:"isEnabled"`
	Origin                  string  `json:"origin"`
	Type                    string  `json:"type"`
	UserConsentDescription  *string `json:"userConsentDescription"`
	UserConsentDisplayName  *string `json:"userConsentDisplayName"`
	Value                   string  `json:"value"`
}

type gServicePrincipal struct {
	ID                        string                `json:"id"`
	DeletedDateTime           *string               `json:"deletedDateTime"`
	AccountEnabled            bool                  `json:"accountEnabled"`
	AppID                     string                `json:"appId"`
	AppDisplayName            string                `json:"appDisplayName"`
	AppOwnerOrganizationID    string                `json:"appOwnerOrganizationId"`
	AppRoleAssignmentRequired bool                  `json:"appRoleAssignmentRequired"`
	DisplayName               string                `json:"displayName"`
	Description               *string               `json:"description"`
	Notes                     *string               `json:"notes"`
	ServicePrincipalNames     []string              `json:"servicePrincipalNames"`
	ServicePrincipalType      string                `json:"servicePrincipalType"`
	SignInAudience            string                `json:"signInAudience"`
	Tags                      []string              `json:"tags"`
	AppRoles                  []gAppRole            `json:"appRoles"`
	Oauth2PermissionScopes    []gPermissionScope    `json:"oauth2PermissionScopes"`
	PasswordCredentials       []gPasswordCredential `json:"passwordCredentials"`
	KeyCredentials            []any                 `json:"keyCredentials"`
}

type gAppRoleAssignment struct {
	ID                   string  `json:"id"`
	DeletedDateTime      *string `json:"deletedDateTime"`
	AppRoleID            string  `json:"appRoleId"`
	CreatedDateTime      string  `json:"createdDateTime"`
	PrincipalDisplayName string  `json:"principalDisplayName"`
	PrincipalID          string  `json:"principalId"`
	PrincipalType        string  `json:"principalType"`
	ResourceDisplayName  string  `json:"resourceDisplayName"`
	ResourceID           string  `json:"resourceId"`
}

type gPermissionGrant struct {
	ID          string  `json:"id"`
	ClientID    string  `json:"clientId"`
	ConsentType string  `json:"consentType"`
	PrincipalID *string `json:"principalId"`
	ResourceID  string  `json:"resourceId"`
	Scope       string  `json:"scope"`
}

type gSecurityDefaults struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	IsEnabled   bool   `json:"isEnabled"`
}

func (g *graphState) ensure() {
	if g.Applications == nil {
		g.Applications = map[string]*versioned[gAppRecord]{}
	}
	if g.ServicePrincipals == nil {
		g.ServicePrincipals = map[string]*versioned[gServicePrincipal]{}
	}
	if g.AppRoleAssignments == nil {
		g.AppRoleAssignments = map[string]*versioned[gAppRoleAssignment]{}
	}
	if g.PermissionGrants == nil {
		g.PermissionGrants = map[string]*versioned[gPermissionGrant]{}
	}
	if g.SecurityDefaults == nil {
		g.SecurityDefaults = &versioned[gSecurityDefaults]{Current: defaultSecurityDefaults(true)}
	}
}

func (g *graphState) compact(now time.Time) {
	settleAll(g.Applications, now)
	settleAll(g.ServicePrincipals, now)
	settleAll(g.AppRoleAssignments, now)
	settleAll(g.PermissionGrants, now)
	if g.SecurityDefaults != nil {
		g.SecurityDefaults.settle(now)
	}
}

const securityDefaultsID = "00000000-0000-0000-0000-000000000005"

func defaultSecurityDefaults(enabled bool) *gSecurityDefaults {
	return &gSecurityDefaults{
		ID:          securityDefaultsID,
		DisplayName: "Security Defaults",
		Description: "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization.",
		IsEnabled:   enabled,
	}
}

// opaqueID makes an id shaped like an appRoleAssignment's or a grant's: 43
// base64url characters, not a GUID (wire-formats C4).
func opaqueID() string {
	b := randomBytes(32)
	return base64.RawURLEncoding.EncodeToString(b)
}

const graphTimeLayout = "2006-01-02T15:04:05Z"

func graphTime(t time.Time) string { return t.UTC().Format(graphTimeLayout) }
