package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// appKind is one kind of app registration: how it is named and the
// permissions it asks for (values of the resource's app roles and scopes).
type appKind struct {
	name        func(r *rand.Rand) string
	description string
	audience    string
	exoRoles    []string
	graphRoles  []string
	exoScopes   []string
	graphScopes []string
	secret      float64 // how likely it has client secrets
}

var appKinds = []appKind{
	{name: productName("%s EWS connector"), exoRoles: []string{"full_access_as_app", "Calendars.ReadWrite.All"}, secret: 0.9,
		description: "Reads and writes the calendars of room and project mailboxes through EWS."},
	{name: productName("%s – send as user"), audience: "AzureADMultipleOrgs", exoScopes: []string{"SMTP.Send"},
		graphScopes: []string{"offline_access", "openid", "profile"}, secret: 0.5},
	{name: func(r *rand.Rand) string { return "Exchange automation – " + pick(r, genTeams) },
		exoRoles: []string{"Exchange.ManageAsApp"}, secret: 0.6, description: "Runbooks that manage mailboxes and connectors."},
	{name: productName("%s mail sender"), graphRoles: []string{"Mail.Send"}, secret: 0.8},
	{name: productName("%s directory sync"), graphRoles: []string{"User.Read.All", "Directory.Read.All"}, secret: 0.7},
	{name: productName("%s IMAP import"), exoRoles: []string{"IMAP.AccessAsApp", "POP.AccessAsApp"}, secret: 0.8},
	{name: func(r *rand.Rand) string { return pick(r, genRelayApps) + " SMTP sender" }, exoRoles: []string{"SMTP.SendAsApp"}, secret: 0.9},
	{name: productName("%s SSO"), graphScopes: []string{"User.Read", "openid", "profile"}, secret: 0.2},
	{name: func(r *rand.Rand) string {
		return pick(r, []string{pick(r, genFirstNames) + "'s test app", "PoC – " + pick(r, genProducts) + " (delete me)",
			"test-app-" + strconv.Itoa(1+r.IntN(40))})
	}, secret: 0.5},
}

func productName(format string) func(r *rand.Rand) string {
	return func(r *rand.Rand) string { return fmt.Sprintf(format, pick(r, genProducts)) }
}

// appResource is a first-party resource the generated apps ask permissions of.
type appResource struct {
	sp     *gServicePrincipal
	roles  []string
	scopes []string
}

// apps adds Options.Apps app registrations, each with its service principal,
// built like POST /applications and POST /servicePrincipals: most ask for
// Exchange or Graph permissions, which about three in four have admin
// consent for (app role assignments for application permissions, an
// AllPrincipals grant for delegated ones); about half have client secrets,
// of which some have expired and some expire within 30 days of
// generateNow; some have owners (user mailboxes' users), notes or a
// description.
func (g *generator) apps() error {
	r := g.rng("apps")
	t := g.st.Tenant
	exo := g.st.Graph.ServicePrincipals[nameGUID(t.ID+":service-principal:"+exchangeResourceApp)]
	graph := g.st.Graph.ServicePrincipals[nameGUID(t.ID+":service-principal:"+graphResourceApp)]
	if exo == nil || graph == nil {
		return fmt.Errorf("sim: the seeded tenant lacks the Exchange Online or Microsoft Graph service principal")
	}
	for i := 0; i < g.opts.Apps; i++ {
		kind := pick(r, appKinds)
		resources := []appResource{{exo.Current, kind.exoRoles, kind.exoScopes}, {graph.Current, kind.graphRoles, kind.graphScopes}}
		if err := g.app(r, i, kind, resources); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) app(r *rand.Rand, i int, kind appKind, resources []appResource) error {
	t := g.st.Tenant
	id := strconv.Itoa(i)
	body := map[string]any{"displayName": g.unique("app", kind.name(r), 120)}
	if kind.audience != "" {
		body["signInAudience"] = kind.audience
	}
	if kind.description != "" && chance(r, 0.7) {
		body["description"] = kind.description
	}
	if chance(r, 0.3) {
		body["notes"] = fmt.Sprintf("Owner: %s. Vendor contact: support@%s – review before %d.", pick(r, genTeams), pick(r, genCompanies).ascii, 2026+r.IntN(3))
	}
	var rra []gRequiredResourceAccess
	for _, res := range resources {
		if a, ok := requiredAccess(res); ok {
			rra = append(rra, a)
		}
	}
	if rra != nil {
		body["requiredResourceAccess"] = rra
	}
	created := between(r, generateEpoch, generateNow.Add(-days(5)))
	app, err := graphApply(newApplication(g.guid("application", id), g.guid("app-id", id), "", t, created), body, "application", gAppWritable)
	if err != nil {
		return err
	}
	if e := validateApplication(app); e != nil {
		return generatedInvalid("application", body, e)
	}
	if chance(r, kind.secret) {
		for j := range 1 + r.IntN(2) {
			pc := g.secret(r, id, j)
			app.PasswordCredentials = append(app.PasswordCredentials, pc)
			if start, _ := parseGraphTime(pc.StartDateTime); start.Before(created) {
				created = start.Add(-days(r.IntN(30)))
			}
		}
		app.CreatedDateTime = graphTime(created)
	}
	rec := &gAppRecord{App: *app}
	if chance(r, 0.4) {
		for range 1 + r.IntN(2) {
			if u := pick(r, g.users).ExternalDirectoryObjectId; !slices.Contains(rec.Owners, u) {
				rec.Owners = append(rec.Owners, u)
			}
		}
	}
	g.st.Graph.Applications[app.ID] = &versioned[gAppRecord]{Current: rec}

	sp := spFromApplication(app, g.guid("service-principal", id), t.ID)
	if chance(r, 0.8) {
		sp.Tags = []string{"WindowsAzureActiveDirectoryIntegratedApp"}
	}
	g.st.Graph.ServicePrincipals[sp.ID] = &versioned[gServicePrincipal]{Current: sp}
	if rra == nil || !chance(r, 0.75) {
		return nil
	}
	consented := between(r, created, generateNow)
	for _, res := range resources {
		if err := g.consent(r, sp, res, consented); err != nil {
			return err
		}
	}
	return nil
}

// requiredAccess is the requiredResourceAccess entry asking res for its
// roles and scopes, by their ids on the resource's service principal.
func requiredAccess(res appResource) (gRequiredResourceAccess, bool) {
	out := gRequiredResourceAccess{ResourceAppID: res.sp.AppID}
	for _, v := range res.roles {
		if i := slices.IndexFunc(res.sp.AppRoles, func(a gAppRole) bool { return a.Value == v }); i >= 0 {
			out.ResourceAccess = append(out.ResourceAccess, gResourceAccess{ID: res.sp.AppRoles[i].ID, Type: "Role"})
		}
	}
	for _, v := range res.scopes {
		if i := slices.IndexFunc(res.sp.Oauth2PermissionScopes, func(s gPermissionScope) bool { return s.Value == v }); i >= 0 {
			out.ResourceAccess = append(out.ResourceAccess, gResourceAccess{ID: res.sp.Oauth2PermissionScopes[i].ID, Type: "Scope"})
		}
	}
	return out, len(out.ResourceAccess) > 0
}

// consent grants what sp's application asks of res, as an administrator's
// "Grant admin consent" does: an app role assignment per application
// permission, checked as POST appRoleAssignedTo checks it, and one
// AllPrincipals grant for the delegated permissions.
func (g *generator) consent(r *rand.Rand, sp *gServicePrincipal, res appResource, at time.Time) error {
	for _, v := range res.roles {
		i := slices.IndexFunc(res.sp.AppRoles, func(a gAppRole) bool {
			return a.Value == v && a.IsEnabled && slices.Contains(a.AllowedMemberTypes, "Application")
		})
		if i < 0 {
			return generatedInvalid("app role assignment", v, fmt.Errorf("%s has no application permission %s", res.sp.DisplayName, v))
		}
		a := &gAppRoleAssignment{ID: opaque(r), AppRoleID: res.sp.AppRoles[i].ID, CreatedDateTime: graphTime(at),
			PrincipalDisplayName: sp.DisplayName, PrincipalID: sp.ID, PrincipalType: "ServicePrincipal",
			ResourceDisplayName: res.sp.DisplayName, ResourceID: res.sp.ID}
		g.st.Graph.AppRoleAssignments[a.ID] = &versioned[gAppRoleAssignment]{Current: a}
	}
	if len(res.scopes) > 0 {
		gr := &gPermissionGrant{ID: opaque(r), ClientID: sp.ID, ConsentType: "AllPrincipals", ResourceID: res.sp.ID, Scope: strings.Join(res.scopes, " ")}
		g.st.Graph.PermissionGrants[gr.ID] = &versioned[gPermissionGrant]{Current: gr}
	}
	return nil
}

// secret is the j-th client secret of app id: expired (about one in five),
// expiring within 30 days of generateNow (about one in six) or valid, with a
// lifetime of six months to two years. Only its metadata exists: the value
// was never generated.
func (g *generator) secret(r *rand.Rand, id string, j int) gPasswordCredential {
	life := pick(r, []int{180, 365, 730})
	lifetime := days(life)
	var end time.Time
	switch k := r.Float64(); {
	case k < 0.2:
		end = generateNow.Add(-days(1 + r.IntN(500)))
	case k < 0.37:
		end = generateNow.Add(days(1 + r.IntN(29)))
	default: // valid for 60 days or more, and created in the past
		end = generateNow.Add(days(60 + r.IntN(life-60)))
	}
	end = end.Add(time.Duration(r.IntN(86400)) * time.Second)
	hint := make([]byte, 3)
	for i := range hint {
		hint[i] = secretAlphabet[r.IntN(len(secretAlphabet))]
	}
	return gPasswordCredential{DisplayName: strPtr(pick(r, genSecretNames)), Hint: string(hint),
		KeyID: g.guid("secret", id, strconv.Itoa(j)), StartDateTime: graphTime(end.Add(-lifetime)), EndDateTime: graphTime(end)}
}

// graphApply sets body's properties on obj as a Graph POST or PATCH does
// (the same property rules, through JSON).
func graphApply[T any](obj *T, body map[string]any, typeName string, allowed []string) (*T, error) {
	raw := make(map[string]json.RawMessage, len(body))
	for k, v := range body {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw[k] = b
	}
	out, e := applyProps(obj, raw, typeName, allowed...)
	if e != nil {
		return nil, generatedInvalid(typeName, body, e)
	}
	return out, nil
}
