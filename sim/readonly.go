package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Caller names the permissions the sim's admin app holds, so that the same
// tenant can be read by an app that may only read (what a pull request's
// "exoform plan" signs in as) and changed by one that may write. The admin
// app keeps its client id and secret; only what its tokens carry changes,
// as when an administrator changes an app's permissions in Entra.
type Caller string

const (
	// CallerAdmin is the seeded admin app: the Graph application permissions
	// exoform's Entra resources write with, Exchange.ManageAsApp and the
	// Exchange Administrator directory role.
	CallerAdmin Caller = "admin"
	// CallerReadOnly may only read: Application.Read.All, Directory.Read.All
	// and Policy.Read.All on Microsoft Graph, Exchange.ManageAsApp and the
	// Global Reader directory role. Graph answers its writes 403
	// Authorization_RequestDenied and Exchange its writing cmdlets 403
	// CmdletAccessDeniedException.
	CallerReadOnly Caller = "read-only"
)

// callerGrant is what the admin app's tokens carry as a caller: application
// permissions per resource URI (the roles claim) and directory role
// template ids (the wids claim).
type callerGrant struct {
	appRoles       map[string][]string
	directoryRoles []string
}

// callerGrants are the callers' permissions. The admin grant is the seed's
// (seedGenerated), taken from a fresh seed so the two cannot drift apart.
var callerGrants = sync.OnceValue(func() map[Caller]callerGrant {
	admin := callerGrant{appRoles: map[string][]string{}}
	if st, err := seedState(""); err == nil {
		admin = callerGrant{appRoles: st.AdminApp.AppRoles, directoryRoles: st.AdminApp.DirectoryRoles}
	}
	return map[Caller]callerGrant{
		CallerAdmin: admin,
		CallerReadOnly: {
			appRoles: map[string][]string{
				exchangeResource: {roleManageAsApp},
				// What exoform's plan reads, by the least privileged permission of each
				// API's table: Application.Read.All for applications (one by id and
				// their federated credentials take no Directory permission), service
				// principals and assignments; Directory.Read.All for
				// oauth2PermissionGrants (and the owners' user details);
				// Policy.Read.All for security defaults.
				graphResource: {"Application.Read.All", "Directory.Read.All", "Policy.Read.All"},
			},
			directoryRoles: []string{widGlobalReader},
		},
	}
})

// Callers lists the caller names ParseCaller accepts.
func Callers() []string { return []string{string(CallerAdmin), string(CallerReadOnly)} }

// ParseCaller reads a caller name: "admin" or "read-only".
func ParseCaller(s string) (Caller, error) {
	c := Caller(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := callerGrants()[c]; !ok {
		return "", fmt.Errorf("unknown caller %q: give %s", s, strings.Join(Callers(), " or "))
	}
	return c, nil
}

// SetCaller gives the admin app of the tenant in statePath the permissions of
// caller c, under the state lock: the roles and directory roles its tokens
// carry, and, as Entra keeps them, its application's requiredResourceAccess
// and its service principal's app role assignments. Servers serving the file
// see the change on their next request; tokens issued before it keep their
// claims until they expire, as Entra's do. The state file must exist.
func SetCaller(statePath string, c Caller) error {
	g, ok := callerGrants()[c]
	if !ok {
		return fmt.Errorf("sim: unknown caller %q: give %s", c, strings.Join(Callers(), " or "))
	}
	s := &store{path: statePath, lockPath: statePath + ".lock", pages: newPageCache()}
	s.saved = sync.NewCond(&s.mu)
	now := time.Now()
	if err := s.do(now, func(st *state) (bool, error) {
		st.applyCaller(g, now)
		return true, nil
	}); err != nil {
		return fmt.Errorf("sim: setting the caller: %w", err)
	}
	return nil
}

// applyCaller sets the admin app's permissions to g, in the state and in
// the Graph objects that show them (what seedGraph made at the seed): the
// application's requiredResourceAccess for Exchange and Graph, and one app
// role assignment of its service principal per role, with the seed's ids.
// Assignments the caller keeps are left as they are. Only roles the
// resource's service principal defines get an assignment. The change is visible at once: consent is not
// subject to the sim's replication lag.
func (st *state) applyCaller(g callerGrant, now time.Time) {
	a := &st.AdminApp
	a.AppRoles = map[string][]string{}
	for k, v := range g.appRoles {
		a.AppRoles[k] = slices.Clone(v)
	}
	a.DirectoryRoles = slices.Clone(g.directoryRoles)
	gs := &st.Graph
	t := st.Tenant
	want := map[string]*gAppRoleAssignment{}
	resourceIDs := map[string]bool{}
	var rras []gRequiredResourceAccess
	for _, r := range []struct{ uri, appID string }{{exchangeResource, exchangeResourceApp}, {graphResource, graphResourceApp}} {
		rra := gRequiredResourceAccess{ResourceAppID: r.appID, ResourceAccess: []gResourceAccess{}}
		v := gs.ServicePrincipals[nameGUID(t.ID+":service-principal:"+r.appID)]
		if v == nil || v.Current == nil { // deleted through Graph: nothing to assign on
			rras = append(rras, rra)
			continue
		}
		sp := v.Current
		resourceIDs[sp.ID] = true
		for _, value := range a.AppRoles[r.uri] {
			i := slices.IndexFunc(sp.AppRoles, func(role gAppRole) bool { return role.Value == value })
			if i < 0 {
				continue
			}
			role := sp.AppRoles[i]
			rra.ResourceAccess = append(rra.ResourceAccess, gResourceAccess{ID: role.ID, Type: "Role"})
			id := nameOpaqueID(t.ID + ":admin-assignment:" + role.ID)
			want[id] = &gAppRoleAssignment{
				ID: id, AppRoleID: role.ID, CreatedDateTime: graphTime(now.UTC().Truncate(time.Second)),
				PrincipalDisplayName: a.DisplayName, PrincipalID: a.ServicePrincipalID, PrincipalType: "ServicePrincipal",
				ResourceDisplayName: sp.DisplayName, ResourceID: sp.ID,
			}
		}
		rras = append(rras, rra)
	}
	for _, k := range sortedKeys(gs.AppRoleAssignments) {
		v := gs.AppRoleAssignments[k]
		if as := v.Current; as != nil && as.PrincipalID == a.ServicePrincipalID && resourceIDs[as.ResourceID] && want[k] == nil {
			v.put(nil, now, 0)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		v := gs.AppRoleAssignments[id]
		if v != nil && v.Current != nil {
			continue // kept, with its creation time
		}
		if v == nil {
			v = &versioned[gAppRoleAssignment]{}
			gs.AppRoleAssignments[id] = v
		}
		v.put(want[id], now, 0)
	}
	for _, k := range sortedKeys(gs.Applications) {
		v := gs.Applications[k]
		if v.Current == nil || v.Current.App.AppID != a.ClientID {
			continue
		}
		nr := clone(v.Current)
		nr.App.RequiredResourceAccess = rras
		v.put(nr, now, 0)
	}
}
