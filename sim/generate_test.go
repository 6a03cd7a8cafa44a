package sim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// genSmall is a small generated tenant with every kind of object.
var genSmall = Options{Mailboxes: 30, SharedMailboxes: 10, MailboxPermissions: 30, Connectors: 20,
	TransportRules: 25, Apps: 20, SMTPAuthOverrides: 8, GenerateSeed: 7}

// generated seeds a tenant with opts, failing the test on an error.
func generated(t *testing.T, opts Options) *state {
	t.Helper()
	st, err := seedStateWith(opts)
	if err != nil {
		t.Fatalf("seedStateWith(%+v) = %v", opts, err)
	}
	return st
}

// blankSecrets clears the values of st that are random by design: the
// signing key, the admin app's secret and its hint.
func blankSecrets(st *state) *state {
	st.TokenSigningKey, st.AdminApp.ClientSecret = "", ""
	for _, v := range st.Graph.Applications {
		if v.Current.App.AppID == st.AdminApp.ClientID {
			for i := range v.Current.App.PasswordCredentials {
				v.Current.App.PasswordCredentials[i].Hint = ""
			}
		}
	}
	return st
}

// stableJSON is the state file of st without the values that are random by
// design.
func stableJSON(t *testing.T, st *state) []byte {
	t.Helper()
	b, err := json.MarshalIndent(blankSecrets(st), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDifference names the first line where a and b differ.
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + la[i] + " vs " + lb[i]
		}
	}
	return "one is a prefix of the other"
}

func TestGenerate_Deterministic(t *testing.T) {
	other := genSmall
	other.GenerateSeed = 8
	fabrikam := genSmall
	fabrikam.Tenant = "fabrikam.onmicrosoft.com"
	cases := []struct {
		name  string
		a, b  Options
		equal bool
	}{
		{"same seed", genSmall, genSmall, true},
		{"demo tenant", Options{}, Options{}, true},
		{"other seed", genSmall, other, false},
		{"other tenant", genSmall, fabrikam, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, b := stableJSON(t, generated(t, c.a)), stableJSON(t, generated(t, c.b))
			if got := bytes.Equal(a, b); got != c.equal {
				t.Errorf("states equal = %v, want %v (%s)", got, c.equal, firstDifference(a, b))
			}
		})
	}
}

// TestGenerate_KindsAreIndependent: more connectors leave the other kinds
// as they were and keep the first connectors.
func TestGenerate_KindsAreIndependent(t *testing.T) {
	more := genSmall
	more.Connectors = 2 * genSmall.Connectors
	a, b := blankSecrets(generated(t, genSmall)), blankSecrets(generated(t, more))
	for _, part := range []struct {
		name string
		of   func(st *state) any
	}{
		{"mailboxes", func(st *state) any { return st.Exchange.Mailboxes }},
		{"transport rules", func(st *state) any { return st.Exchange.TransportRules }},
		{"applications", func(st *state) any { return st.Graph.Applications }},
		{"service principals", func(st *state) any { return st.Graph.ServicePrincipals }},
	} {
		ja, _ := json.Marshal(part.of(a))
		jb, _ := json.Marshal(part.of(b))
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s changed when only Connectors did", part.name)
		}
	}
	for id, c := range a.Exchange.InboundConnectors {
		if diff := cmp.Diff(c, b.Exchange.InboundConnectors[id]); diff != "" {
			t.Errorf("connector %s changed when more were generated (-before +after):\n%s", c.Current.Name, diff)
		}
	}
}

// genCounts counts what a tenant holds.
type genCounts struct {
	Users, Shared, FullAccess, SendAs, Connectors, Rules, Apps, ServicePrincipals, SMTPAuth int
}

func countState(st *state) genCounts {
	var c genCounts
	for _, m := range masterList(st.Exchange.Mailboxes) {
		if m.Shared {
			c.Shared++
		} else {
			c.Users++
		}
		c.FullAccess += len(m.FullAccess)
		c.SendAs += len(m.SendAs)
		if _, ok := m.CAS.Bools["SmtpClientAuthenticationDisabled"]; ok {
			c.SMTPAuth++
		}
	}
	c.Connectors, c.Rules = len(st.Exchange.InboundConnectors), len(st.Exchange.TransportRules)
	c.Apps, c.ServicePrincipals = len(st.Graph.Applications), len(st.Graph.ServicePrincipals)
	return c
}

func TestGenerate_Counts(t *testing.T) {
	// The demo tenant: 4 users, Info with one FullAccess and one SendAs
	// entry, 2 connectors, 1 rule, the admin app, and the service principals
	// of Exchange, Graph and the admin app.
	demo := genCounts{Users: 4, Shared: 1, FullAccess: 1, SendAs: 1, Connectors: 2, Rules: 1, Apps: 1, ServicePrincipals: 3}
	cases := []struct {
		name string
		opts Options
		want genCounts
	}{
		{"demo", Options{}, demo},
		{"users only", Options{Mailboxes: 100}, genCounts{104, 1, 1, 1, 2, 1, 1, 3, 0}},
		{"small", genSmall, genCounts{34, 11, 16, 16, 22, 26, 21, 23, 8}},
		{"odd permissions", Options{Mailboxes: 2, SharedMailboxes: 1, MailboxPermissions: 11}, genCounts{6, 2, 7, 6, 2, 1, 1, 3, 0}},
		{"every pair taken", Options{Mailboxes: 1, SharedMailboxes: 2, MailboxPermissions: 20}, genCounts{5, 3, 11, 11, 2, 1, 1, 3, 0}},
		{"every generated user overridden", Options{Mailboxes: 12, SMTPAuthOverrides: 12}, genCounts{16, 1, 1, 1, 2, 1, 1, 3, 12}},
		{"many apps", Options{Apps: 300, GenerateSeed: 2}, genCounts{4, 1, 1, 1, 2, 1, 301, 303, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := generated(t, c.opts)
			if diff := cmp.Diff(c.want, countState(st)); diff != "" {
				t.Errorf("counts mismatch (-want +got):\n%s", diff)
			}
			checkGenerated(t, st)
		})
	}
}

// checkGenerated checks the invariants of any seeded tenant: unique names,
// consecutive rule priorities, references that resolve, secrets that were
// created in the past, and no exoform ownership marker anywhere.
func checkGenerated(t *testing.T, st *state) {
	t.Helper()
	b, _ := json.Marshal(st)
	if bytes.Contains(bytes.ToLower(b), []byte("managed-by")) {
		t.Error("the state carries an exoform ownership marker")
	}
	unique := func(kind string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[strings.ToLower(n)] || n == "" || len([]rune(n)) > 64 {
				t.Errorf("%s name %q is repeated, empty or too long", kind, n)
			}
			seen[strings.ToLower(n)] = true
		}
	}
	var mailboxes, aliases, connectors, rules, apps []string
	users := map[string]*mailbox{}
	for _, m := range masterList(st.Exchange.Mailboxes) {
		mailboxes, aliases = append(mailboxes, m.Name), append(aliases, m.Alias)
		if !m.Shared {
			users[m.Guid] = m
		}
	}
	for _, m := range masterList(st.Exchange.Mailboxes) {
		var trustees []string
		for _, a := range m.FullAccess {
			trustees = append(trustees, a.User)
		}
		for _, list := range [][]string{trustees, m.SendAs} {
			for i, u := range list {
				if users[u] == nil || slices.Contains(list[:i], u) {
					t.Errorf("%s: trustee %s is not a user mailbox or is repeated", m.Name, u)
				}
			}
		}
	}
	for _, c := range masterList(st.Exchange.InboundConnectors) {
		connectors = append(connectors, c.Name)
	}
	var priorities []int
	for _, r := range masterList(st.Exchange.TransportRules) {
		rules, priorities = append(rules, r.Name), append(priorities, r.Priority)
	}
	slices.Sort(priorities)
	for i, p := range priorities {
		if p != i {
			t.Fatalf("rule priorities %v are not 0..%d", priorities, len(priorities)-1)
		}
	}
	spByApp := map[string]string{}
	for _, sp := range masterList(st.Graph.ServicePrincipals) {
		spByApp[sp.AppID] = sp.ID
	}
	userIDs := map[string]bool{}
	for _, u := range users {
		userIDs[u.ExternalDirectoryObjectId] = true
	}
	for _, rec := range masterList(st.Graph.Applications) {
		apps = append(apps, rec.App.DisplayName)
		if spByApp[rec.App.AppID] == "" {
			t.Errorf("application %q has no service principal", rec.App.DisplayName)
		}
		for _, o := range rec.Owners {
			if !userIDs[o] {
				t.Errorf("application %q: owner %s is not a user", rec.App.DisplayName, o)
			}
		}
		for _, pc := range rec.App.PasswordCredentials {
			start, _ := parseGraphTime(pc.StartDateTime)
			end, _ := parseGraphTime(pc.EndDateTime)
			if start.After(generateNow) || !end.After(start) || pc.SecretText != nil {
				t.Errorf("application %q: secret %+v", rec.App.DisplayName, pc)
			}
		}
	}
	for _, a := range masterList(st.Graph.AppRoleAssignments) {
		if st.Graph.ServicePrincipals[a.PrincipalID] == nil || st.Graph.ServicePrincipals[a.ResourceID] == nil {
			t.Errorf("assignment %+v names a missing service principal", a)
		}
	}
	for _, g := range masterList(st.Graph.PermissionGrants) {
		if st.Graph.ServicePrincipals[g.ClientID] == nil || st.Graph.ServicePrincipals[g.ResourceID] == nil {
			t.Errorf("grant %+v names a missing service principal", g)
		}
	}
	unique("mailbox", mailboxes)
	unique("alias", aliases)
	unique("connector", connectors)
	unique("rule", rules)
	unique("application", apps)
}

// TestGenerate_Secrets: a tenant with many apps has expired secrets,
// secrets that expire within 30 days and valid ones, all made in the past.
func TestGenerate_Secrets(t *testing.T) {
	st := generated(t, Options{Apps: 300, GenerateSeed: 2})
	var expired, expiring, valid int
	for _, rec := range masterList(st.Graph.Applications) {
		if rec.App.AppID == st.AdminApp.ClientID {
			continue
		}
		for _, pc := range rec.App.PasswordCredentials {
			end, _ := parseGraphTime(pc.EndDateTime)
			switch {
			case !end.After(generateNow):
				expired++
			case end.Before(generateNow.Add(30 * 24 * time.Hour)):
				expiring++
			default:
				valid++
			}
		}
	}
	if expired == 0 || expiring == 0 || valid == 0 {
		t.Errorf("secrets: %d expired, %d expiring within 30 days, %d valid; want some of each", expired, expiring, valid)
	}
}

func TestGenerate_Errors(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"negative mailboxes", Options{Mailboxes: -1}, "Options.Mailboxes is -1; a count can't be negative"},
		{"negative shared", Options{SharedMailboxes: -2}, "Options.SharedMailboxes is -2"},
		{"negative permissions", Options{MailboxPermissions: -1}, "Options.MailboxPermissions is -1"},
		{"negative connectors", Options{Connectors: -1}, "Options.Connectors is -1"},
		{"negative rules", Options{TransportRules: -1}, "Options.TransportRules is -1"},
		{"negative apps", Options{Apps: -1}, "Options.Apps is -1"},
		{"negative SMTP AUTH", Options{SMTPAuthOverrides: -1}, "Options.SMTPAuthOverrides is -1"},
		{"permissions without shared mailboxes", Options{Mailboxes: 5, MailboxPermissions: 3}, "no generated shared mailboxes to grant them on; set Options.SharedMailboxes too"},
		{"more permissions than pairs", Options{SharedMailboxes: 1, MailboxPermissions: 11}, "doesn't fit: 1 shared and 4 user mailboxes hold at most 4 FullAccess"},
		{"SMTP AUTH without generated users", Options{SMTPAuthOverrides: 1}, "more than the 0 generated user mailboxes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.json")
			if err := ResetWith(path, Options{}); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			err := ResetWith(path, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ResetWith(%+v) = %v, want an error containing %q", c.opts, err, c.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("a refused ResetWith changed the state file")
			}
		})
	}
}

// generatedSim writes a tenant seeded with opts (recording the Exchange
// calls that make the same objects) and serves it.
func generatedSim(t *testing.T, opts Options, record func(string, map[string]any)) (*Server, *state) {
	t.Helper()
	st, err := seedGenerated(opts, record)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "generated.json")
	if err := (&store{path: path}).save(st); err != nil {
		t.Fatal(err)
	}
	return startSim(t, Options{StatePath: path}), st
}

// volatile are the properties that differ between a generated object and
// the same object made through the API now: ids and timestamps.
var volatile = map[string]bool{
	"Guid": true, "ExchangeGuid": true, "ExternalDirectoryObjectId": true, "WhenChanged": true, "WhenCreated": true,
	"WhenChangedUTC": true, "WhenCreatedUTC": true, "WhenMailboxCreated": true,
	"createdDateTime": true, "keyId": true, "hint": true, "@odata.context": true,
}

var ignoreVolatile = cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return volatile[k] })

// TestGenerate_ReplayThroughAPIs makes the generated objects again through
// the real cmdlets and Graph requests on a second simulated tenant, and
// requires every read of both to agree but for ids and timestamps: each
// generated object is valid by the sim's own rules and is exactly what the
// API would have made.
func TestGenerate_ReplayThroughAPIs(t *testing.T) {
	type call struct {
		cmdlet string
		args   map[string]any
	}
	var calls []call
	gen, st := generatedSim(t, genSmall, func(c string, a map[string]any) { calls = append(calls, call{c, a}) })
	// The replay tenant has the same user mailboxes (and demo tenant), nothing else generated.
	replay := startSim(t, Options{Mailboxes: genSmall.Mailboxes, GenerateSeed: genSmall.GenerateSeed})
	gc, rc := newClient(t, gen), newClient(t, replay)
	for _, c := range calls {
		if r := rc.invoke(c.cmdlet, c.args); r.err != nil || r.status != 200 {
			t.Fatalf("replaying %s %v: %d %v %s", c.cmdlet, c.args, r.status, r.err, r.body)
		}
	}
	unlimited := map[string]any{"ResultSize": "Unlimited"}
	reads := []struct {
		cmdlet string
		params map[string]any
	}{
		{"Get-Mailbox", unlimited}, {"Get-CASMailbox", unlimited}, {"Get-RecipientPermission", unlimited},
		{"Get-InboundConnector", unlimited}, {"Get-TransportRule", unlimited},
	}
	for _, m := range masterList(st.Exchange.Mailboxes) {
		if m.Shared {
			reads = append(reads, struct {
				cmdlet string
				params map[string]any
			}{"Get-MailboxPermission", map[string]any{"Identity": m.primary()}})
		}
	}
	for _, rd := range reads {
		want, _, _ := rcpPageAll(t, gc, rd.cmdlet, rd.params, nil)
		got, _, _ := rcpPageAll(t, rc, rd.cmdlet, rd.params, nil)
		if diff := cmp.Diff(want, got, ignoreVolatile); diff != "" {
			t.Errorf("%s %v: generated and replayed differ (-generated +replayed):\n%s", rd.cmdlet, rd.params, diff)
		}
	}
	replayApps(t, newGraphClient(t, gen), newGraphClient(t, replay))
}

// replayApps makes each generated app registration again on the replay
// tenant (application, secrets, owners, service principal, admin consent)
// and compares what Graph shows of both, with their ids swapped for
// placeholders.
func replayApps(t *testing.T, ga, ra *graphClient) {
	t.Helper()
	schema := loadCSDLIfPresent(t)
	apps := values(ga.must(200, "GET", "/applications?$top=999", nil))
	if len(apps) != genSmall.Apps+1 {
		t.Fatalf("%d applications, want %d", len(apps), genSmall.Apps+1)
	}
	for _, app := range apps {
		if app["appId"] == ga.cloud.ClientID {
			continue
		}
		body := map[string]any{}
		for _, k := range gAppWritable {
			if v, ok := app[k]; ok {
				body[k] = v
			}
		}
		made := ra.must(201, "POST", "/applications", body).obj
		for _, pc := range app["passwordCredentials"].([]any) {
			p := pc.(map[string]any)
			ra.must(200, "POST", "/applications/"+made["id"].(string)+"/addPassword", map[string]any{"passwordCredential": map[string]any{
				"displayName": p["displayName"], "startDateTime": p["startDateTime"], "endDateTime": p["endDateTime"]}})
		}
		for _, o := range values(ga.must(200, "GET", "/applications/"+app["id"].(string)+"/owners", nil)) {
			ra.must(204, "POST", "/applications/"+made["id"].(string)+"/owners/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + o["id"].(string)})
		}
		sp := ga.must(200, "GET", "/servicePrincipals(appId='"+app["appId"].(string)+"')", nil).obj
		madeSP := ra.must(201, "POST", "/servicePrincipals", map[string]any{"appId": made["appId"], "tags": sp["tags"]}).obj
		for _, a := range values(ga.must(200, "GET", "/servicePrincipals/"+sp["id"].(string)+"/appRoleAssignments", nil)) {
			ra.must(201, "POST", "/servicePrincipals/"+a["resourceId"].(string)+"/appRoleAssignedTo",
				map[string]any{"principalId": madeSP["id"], "resourceId": a["resourceId"], "appRoleId": a["appRoleId"]})
		}
		for _, g := range values(ga.must(200, "GET", "/servicePrincipals/"+sp["id"].(string)+"/oauth2PermissionGrants", nil)) {
			ra.must(201, "POST", "/oauth2PermissionGrants", map[string]any{"clientId": madeSP["id"], "consentType": g["consentType"],
				"resourceId": g["resourceId"], "scope": g["scope"]})
		}
		views := func(c *graphClient, appID, appAppID, spID string) map[string]any {
			out := map[string]any{
				"application": c.must(200, "GET", "/applications/"+appID, nil).obj,
				"owners":      c.must(200, "GET", "/applications/"+appID+"/owners", nil).obj["value"],
				"sp":          c.must(200, "GET", "/servicePrincipals/"+spID, nil).obj,
				"assignments": c.must(200, "GET", "/servicePrincipals/"+spID+"/appRoleAssignments", nil).obj["value"],
				"grants":      c.must(200, "GET", "/servicePrincipals/"+spID+"/oauth2PermissionGrants", nil).obj["value"],
			}
			if schema != nil {
				schema.check(t, "application", "application", out["application"].(map[string]any))
				schema.check(t, "servicePrincipal", "servicePrincipal", out["sp"].(map[string]any))
				for _, a := range out["assignments"].([]any) {
					schema.check(t, "appRoleAssignment", "appRoleAssignment", a.(map[string]any))
				}
				for _, g := range out["grants"].([]any) {
					schema.check(t, "oAuth2PermissionGrant", "oAuth2PermissionGrant", g.(map[string]any))
				}
			}
			b, _ := json.Marshal(out)
			b = []byte(strings.NewReplacer(appID, "APP", appAppID, "APPID", spID, "SP").Replace(string(b)))
			var norm map[string]any
			json.Unmarshal(b, &norm)
			for _, list := range []string{"assignments", "grants"} { // their ids are opaque and new, and order the lists
				items := norm[list].([]any)
				for _, it := range items {
					delete(it.(map[string]any), "id")
				}
				slices.SortFunc(items, func(a, b any) int {
					ja, _ := json.Marshal(a)
					jb, _ := json.Marshal(b)
					return bytes.Compare(ja, jb)
				})
			}
			return norm
		}
		want := views(ga, app["id"].(string), app["appId"].(string), sp["id"].(string))
		got := views(ra, made["id"].(string), made["appId"].(string), madeSP["id"].(string))
		if diff := cmp.Diff(want, got, ignoreVolatile); diff != "" {
			t.Errorf("application %q: generated and replayed differ (-generated +replayed):\n%s", app["displayName"], diff)
		}
	}
}

// loadCSDLIfPresent is loadCSDL, or nil (rather than a skip) without the
// reference, so the rest of a test still runs.
func loadCSDLIfPresent(t *testing.T) *csdlSchema {
	t.Helper()
	if _, err := os.Stat(csdlPath); err != nil {
		t.Logf("Graph CSDL not available (%v); shapes not checked", err)
		return nil
	}
	return loadCSDL(t)
}

// TestGenerate_BulkReadsPage: a generated tenant with a few thousand
// objects serves each bulk read completely, every object once, over the
// expected number of pages.
func TestGenerate_BulkReadsPage(t *testing.T) {
	opts := Options{Mailboxes: 2500, SharedMailboxes: 500, MailboxPermissions: 2000, Connectors: 1100,
		TransportRules: 40, Apps: 450, SMTPAuthOverrides: 300, GenerateSeed: 3}
	s, st := generatedSim(t, opts, nil)
	c, g := newClient(t, s), newGraphClient(t, s)
	var mailboxes, connectors, apps []string
	for _, m := range masterList(st.Exchange.Mailboxes) {
		mailboxes = append(mailboxes, m.Name)
	}
	for _, cn := range masterList(st.Exchange.InboundConnectors) {
		connectors = append(connectors, cn.Name)
	}
	for _, a := range masterList(st.Graph.Applications) {
		apps = append(apps, a.App.ID)
	}
	exchangeRead := func(cmdlet string) func() ([]string, int) {
		return func() ([]string, int) {
			all, pages, warnings := rcpPageAll(t, c, cmdlet, map[string]any{"ResultSize": "Unlimited"}, nil)
			if len(warnings) != 0 {
				t.Errorf("%s: warnings %q", cmdlet, warnings)
			}
			return names(all), pages
		}
	}
	cases := []struct {
		name  string
		read  func() ([]string, int)
		want  []string
		pages int
	}{
		{"Get-Mailbox", exchangeRead("Get-Mailbox"), mailboxes, 4},
		{"Get-InboundConnector", exchangeRead("Get-InboundConnector"), connectors, 2},
		{"GET /applications", func() ([]string, int) {
			var ids []string
			pages := 0
			for u := g.cloud.GraphURL + "/v1.0/applications?$select=id"; u != ""; pages++ {
				r := g.doURL("GET", u, nil, g.bearer)
				if r.status != 200 {
					t.Fatalf("GET %s = %d %s", u, r.status, r.raw)
				}
				for _, a := range values(r) {
					ids = append(ids, a["id"].(string))
				}
				u, _ = r.obj["@odata.nextLink"].(string)
			}
			return ids, pages
		}, apps, 5},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			got, pages := cs.read()
			if diff := cmp.Diff(cs.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("objects read (-in the tenant +read):\n%s", diff)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Error("an object was read twice")
			}
			if pages != cs.pages {
				t.Errorf("%d pages, want %d", pages, cs.pages)
			}
		})
	}
}
