package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/exoform/exoform/providers"
)

// The shapes of the directory objects exoform reads, with the properties it selects. Every
// list is one paged read of the whole collection (principle 5): no request per object.

type graphApp struct {
	ID                     string                `json:"id"`
	AppID                  string                `json:"appId"`
	DisplayName            string                `json:"displayName"`
	SignInAudience         string                `json:"signInAudience"`
	Notes                  *string               `json:"notes"`
	Tags                   []string              `json:"tags"`
	RequiredResourceAccess []requiredAccess      `json:"requiredResourceAccess"`
	PasswordCredentials    []passwordCredential  `json:"passwordCredentials"`
	FICs                   []federatedCredential `json:"-"` // read per app, see readDetails
	Owners                 []string              `json:"-"` // user principal names, read per app
}

type requiredAccess struct {
	ResourceAppID  string           `json:"resourceAppId"`
	ResourceAccess []resourceAccess `json:"resourceAccess"`
}

type resourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"` // "Role" (application permission) or "Scope" (delegated)
}

type passwordCredential struct {
	KeyID         string  `json:"keyId"`
	DisplayName   *string `json:"displayName"`
	StartDateTime string  `json:"startDateTime"`
	EndDateTime   string  `json:"endDateTime"`
	Hint          *string `json:"hint"`
}

type federatedCredential struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description *string  `json:"description"`
}

type graphSP struct {
	ID                     string       `json:"id"`
	AppID                  string       `json:"appId"`
	DisplayName            string       `json:"displayName"`
	AppOwnerOrganizationID string       `json:"appOwnerOrganizationId"`
	Tags                   []string     `json:"tags"`
	AppRoles               []permission `json:"appRoles"`
	Scopes                 []permission `json:"oauth2PermissionScopes"`
}

// permission is an app role or a delegated permission scope of a resource API.
type permission struct {
	ID          string   `json:"id"`
	Value       string   `json:"value"`
	DisplayName string   `json:"displayName"`
	IsEnabled   bool     `json:"isEnabled"`
	MemberTypes []string `json:"allowedMemberTypes"`
}

type roleAssignment struct {
	ID          string `json:"id"` // opaque, not a GUID (wire-formats C4)
	AppRoleID   string `json:"appRoleId"`
	PrincipalID string `json:"principalId"`
	ResourceID  string `json:"resourceId"`
}

type permissionGrant struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	ConsentType string `json:"consentType"`
	PrincipalID string `json:"principalId"`
	ResourceID  string `json:"resourceId"`
	Scope       string `json:"scope"`
}

const (
	appSelect = "id,appId,displayName,signInAudience,notes,tags,requiredResourceAccess,passwordCredentials"
	spSelect  = "id,appId,displayName,appOwnerOrganizationId,tags,appRoles,oauth2PermissionScopes"
)

// listAll reads every page of a collection into a slice.
func listAll[T any](ctx context.Context, c doer, path string) ([]T, error) {
	var out []T
	err := c.List(ctx, path, func(raw json.RawMessage) error {
		var v T
		if err := decodeItem(raw, path, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// maxPage is the largest page Graph serves of directory collections (wire-formats C7); the
// default is 100, so asking for it cuts the pages of a large tenant tenfold.
const maxPage = "$top=999"

// The collections every Entra type reads whole. appSelect covers what each type and the audit
// select, so that one listing serves them all.
var listingPaths = [...]string{
	"/applications?$select=" + appSelect + "&" + maxPage,
	"/servicePrincipals?$select=" + spSelect + "&" + maxPage,
	"/oauth2PermissionGrants?" + maxPage,
}

// listing is the tenant's applications, service principals and delegated grants, as read.
type listing struct {
	apps, sps, grants []json.RawMessage
}

// readListing reads the three collections together: their first pages in one $batch, then
// their next pages, round after round. Within one plan (a providers.ReadScope) the types and
// the audit that need them share one read.
func readListing(ctx context.Context, c doer) (*listing, error) {
	return providers.SharedRead(ctx, "entra: applications, service principals and grants", func(ctx context.Context) (*listing, error) {
		l := &listing{}
		err := c.BatchList(ctx, listingPaths[:], func(i int, item json.RawMessage) error {
			switch i {
			case 0:
				l.apps = append(l.apps, item)
			case 1:
				l.sps = append(l.sps, item)
			default:
				l.grants = append(l.grants, item)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return l, nil
	})
}

// decodeItems decodes the items of a listed collection; each caller gets its own values.
func decodeItems[T any](items []json.RawMessage, path string) ([]T, error) {
	out := make([]T, len(items))
	for i, raw := range items {
		if err := decodeItem(raw, path, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// itemShape describes a decode error of a collection item (see jsonShape).
func itemShape(err error) string {
	shape, whole := jsonShape(err)
	switch {
	case shape == "":
		return err.Error()
	case whole:
		return "it is " + shape
	}
	return shape
}

// decodeItem decodes one item of a Graph collection into out. Every item of the collections
// exoform reads is a directory object with an id; an item that is null, not an object, or has
// no id is a broken answer, and taking it for an object with empty names would match no
// declaration, so the plan would create the object again.
func decodeItem[T any](raw json.RawMessage, path string, out *T) error {
	where := "GET " + strings.SplitN(path, "?", 2)[0]
	var head struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("%s: an item is not the expected object: %s", where, itemShape(err))
	}
	if head.ID == nil || *head.ID == "" {
		if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
			return fmt.Errorf("%s: an item is null, not an object", where)
		}
		return fmt.Errorf("%s: an item has no id", where)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: an item is not the expected object: %s", where, itemShape(err))
	}
	return nil
}

func listApps[T any](ctx context.Context, c doer) ([]T, error) {
	l, err := readListing(ctx, c)
	if err != nil {
		return nil, err
	}
	return decodeItems[T](l.apps, listingPaths[0])
}

func listSPs(ctx context.Context, c doer) ([]graphSP, error) {
	l, err := readListing(ctx, c)
	if err != nil {
		return nil, err
	}
	return decodeItems[graphSP](l.sps, listingPaths[1])
}

func listGrants(ctx context.Context, c doer) ([]permissionGrant, error) {
	l, err := readListing(ctx, c)
	if err != nil {
		return nil, err
	}
	return decodeItems[permissionGrant](l.grants, listingPaths[2])
}

// assignedToPath lists the app role assignments granted on a resource API.
func assignedToPath(resourceID string) string {
	return "/servicePrincipals/" + url.PathEscape(resourceID) + "/appRoleAssignedTo?" + maxPage
}

// directory indexes the service principals of the tenant, so that resource APIs and their
// permissions can be named instead of given as GUIDs (principle 7).
type directory struct {
	sps     []graphSP
	byAppID map[string]*graphSP // lower-case appId
	byName  map[string][]*graphSP
	byID    map[string]*graphSP
}

func newDirectory(sps []graphSP) *directory {
	d := &directory{sps: sps, byAppID: map[string]*graphSP{}, byName: map[string][]*graphSP{}, byID: map[string]*graphSP{}}
	for i := range sps {
		sp := &sps[i]
		d.byAppID[strings.ToLower(sp.AppID)] = sp
		d.byID[strings.ToLower(sp.ID)] = sp
		n := strings.ToLower(sp.DisplayName)
		d.byName[n] = append(d.byName[n], sp)
	}
	return d
}

// api finds a resource API by display name or appId.
func (d *directory) api(name string) (*graphSP, error) {
	if sp, ok := d.byAppID[strings.ToLower(name)]; ok {
		return sp, nil
	}
	switch sps := d.byName[strings.ToLower(name)]; len(sps) {
	case 1:
		return sps[0], nil
	case 0:
		var names []string
		for _, sp := range d.sps {
			if len(sp.AppRoles)+len(sp.Scopes) > 0 {
				names = append(names, sp.DisplayName)
			}
		}
		return nil, fmt.Errorf("the tenant has no API (service principal) named %q%s. Name the API by its display name, such as \"Office 365 Exchange Online\" or \"Microsoft Graph\", or by its application id", name, closest(name, names))
	default:
		return nil, fmt.Errorf("%d service principals are named %q; name the API by its application id instead", len(sps), name)
	}
}

// role finds an application permission of an API by its value.
func (sp *graphSP) role(name string) (permission, error) {
	return findPermission(sp, sp.AppRoles, name, "application permission (app role)")
}

// scope finds a delegated permission of an API by its value.
func (sp *graphSP) scope(name string) (permission, error) {
	return findPermission(sp, sp.Scopes, name, "delegated permission (scope)")
}

func findPermission(sp *graphSP, ps []permission, name, what string) (permission, error) {
	for _, p := range ps {
		if p.Value == name {
			return p, nil
		}
	}
	for _, p := range ps {
		if strings.EqualFold(p.Value, name) {
			return permission{}, fmt.Errorf("%s has no %s %q; permission names are case-sensitive: write %q", sp.DisplayName, what, name, p.Value)
		}
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Value)
	}
	return permission{}, fmt.Errorf("%s has no %s %q%s", sp.DisplayName, what, name, closest(name, names))
}

// name returns the value of the permission with the given id on this API, or the id itself
// when the API does not define it (it was removed, or the app's manifest is wrong).
func (sp *graphSP) name(id, typ string) string {
	ps := sp.AppRoles
	if typ == "Scope" {
		ps = sp.Scopes
	}
	for _, p := range ps {
		if strings.EqualFold(p.ID, id) {
			return p.Value
		}
	}
	return id
}

// closest lists up to three candidate names nearest to the given one.
func closest(given string, candidates []string) string {
	type scored struct {
		name string
		d    int
	}
	var ss []scored
	for _, c := range candidates {
		ss = append(ss, scored{c, levenshtein.Distance(strings.ToLower(given), strings.ToLower(c), nil)})
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].d < ss[j].d || ss[i].d == ss[j].d && ss[i].name < ss[j].name })
	var out []string
	for i := 0; i < len(ss) && i < 3; i++ {
		out = append(out, fmt.Sprintf("%q", ss[i].name))
	}
	if len(out) == 0 {
		return ""
	}
	return ". The closest are " + strings.Join(out, ", ")
}
