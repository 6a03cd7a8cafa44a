package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// The guards of the Entra types, held to the simulated tenant: for each change of a plan, the
// guard's read (sent through the real client) finds the object as the plan saw it before the
// change and as the change left it afterwards, the way the generated script uses them, and a
// skipped change provides the values apply recorded.

const guardVendorApp = "5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13" // the sim's Northwind Mail Relay

// guardEnv is one simulated tenant with a registry whose entra_application_password reads a
// clock the test moves.
type guardEnv struct {
	client *Client
	reg    *providers.Registry
	now    time.Time
	users  []string // user principal names of the tenant, sorted
}

func newGuardEnv(t *testing.T) *guardEnv {
	t.Helper()
	e := &guardEnv{client: pwSim(t), now: time.Now().UTC()}
	e.reg = providers.NewRegistry()
	NewProvider(e.client).Register(e.reg)
	e.reg.AddResource(&applicationPassword{c: e.client, now: func() time.Time { return e.now }})
	var users struct {
		Value []struct {
			UPN string `json:"userPrincipalName"`
		} `json:"value"`
	}
	if err := e.client.Do(context.Background(), "GET", "/users?$select=userPrincipalName", nil, &users); err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Value {
		e.users = append(e.users, u.UPN)
	}
	slices.Sort(e.users)
	if len(e.users) < 2 {
		t.Fatalf("the simulated tenant has %d users", len(e.users))
	}
	return e
}

// plan plans a configuration of workspace w.
func (e *guardEnv) plan(t *testing.T, src string) (*plan.Planner, *plan.Plan) {
	t.Helper()
	ctx := context.Background()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"w\"\n}\n" + src)})
	p := &plan.Planner{Registry: e.reg, Deliver: func(*plan.Change, providers.Delivery, string) error { return nil }}
	ev, more := p.Evaluate(ctx, cfg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := p.Plan(ctx, ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p, pl
}

// apply plans and applies a configuration, for a scenario's starting state.
func (e *guardEnv) apply(t *testing.T, src string) {
	t.Helper()
	p, pl := e.plan(t, src)
	if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
}

// providerChange is the change as the resource compiled it (plan's own providerChange, which
// is unexported); the test checks that it compiles to the recorded operations.
func providerChange(c *plan.Change) providers.Change {
	pc := providers.Change{Addr: c.Addr, Prior: c.Prior, Desired: c.After, Marker: c.Marker, Facts: c.Facts}
	switch c.Action {
	case plan.Create:
		pc.Kind = providers.Create
	case plan.Adopt, plan.Update:
		pc.Kind = providers.Update
		pc.WriteMarker = c.Action == plan.Adopt
	case plan.Delete:
		pc.Kind = providers.Delete
	}
	for _, a := range c.Attrs {
		if a.Name == plan.PreventDestroyAttr || a.Name == plan.AllowDestroyAttr {
			pc.WriteMarker = true
			continue
		}
		pc.Set = append(pc.Set, a.Name)
	}
	return pc
}

// guardOf builds a change's guard, after checking that the change as rebuilt compiles to the
// operations the plan recorded.
func (e *guardEnv) guardOf(t *testing.T, c *plan.Change) (providers.Guard, providers.Change) {
	t.Helper()
	res, _ := e.reg.Resource(c.Type)
	pc := providerChange(c)
	ops, err := res.Compile(pc)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(ops)
	b, _ := json.Marshal(c.Operations)
	if !bytes.Equal(a, b) {
		t.Fatalf("%s: the change as rebuilt compiles to other operations:\n%s\n%s", c.Addr, a, b)
	}
	gd, ok := res.(providers.Guarder)
	if !ok {
		t.Fatalf("%s is not a providers.Guarder", c.Type)
	}
	g, err := gd.Guard(pc)
	if err != nil {
		t.Fatalf("%s: %v", c.Addr, err)
	}
	if g.Read.Service != providers.Graph || g.Read.Method != "GET" || g.Read.Body != nil || len(g.Read.Produces) > 0 || g.Read.Deliver != nil {
		t.Fatalf("%s: the guard's read is not a plain Graph GET: %+v", c.Addr, g.Read)
	}
	// Every value the change produces for its own attributes is provided or listed unchecked.
	for _, op := range c.Operations {
		for _, ref := range op.Produces {
			if r, ok := schema.PlaceholderRef(ref); ok {
				ref = r
			}
			attr, ok := strings.CutPrefix(ref, c.Addr+".")
			if !ok || res.Type().Attribute(attr) == nil {
				continue
			}
			provided := slices.ContainsFunc(g.Provides, func(f providers.Field) bool { return f.Value == ref }) ||
				slices.ContainsFunc(g.Lookups, func(l providers.Lookup) bool { return l.Ref == ref })
			if !provided && !slices.Contains(g.Unchecked, attr) {
				t.Errorf("%s: %s is produced but neither provided, looked up nor unchecked", c.Addr, ref)
			}
		}
	}
	return g, pc
}

// read sends a guard's read, its placeholders filled with the values apply recorded, and
// decodes the answer as the script does; a 404 is no object.
func (e *guardEnv) read(t *testing.T, g providers.Guard, known map[string]string) any {
	t.Helper()
	op, missing, err := g.Read.Fill(known)
	if err != nil || len(missing) > 0 {
		t.Fatalf("%s: missing %v, %v", g.Read, missing, err)
	}
	var raw json.RawMessage
	if err := e.client.Do(context.Background(), op.Method, op.Path, nil, &raw); err != nil {
		if IsNotFound(err) {
			return nil
		}
		t.Fatalf("%s: %v", op, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// guardScenario is a plan against a tenant set up for it.
type guardScenario struct {
	name  string
	setup func(t *testing.T, e *guardEnv)
	src   func(e *guardEnv) string
	want  map[string]plan.Action // the plan's actions, NoOp changes left out
	// onlyUnchecked: the change alters only what its guard does not compare, so before and
	// after look alike to it (a limitation the script states with the guard's Unchecked).
	onlyUnchecked map[string]bool
	// drift changes the tenant behind the plan's back; the guards of the changes named in
	// stale must then find neither state, naming the attributes given.
	drift func(t *testing.T, e *guardEnv)
	stale map[string][]string
}

const guardSDOff = "resource \"entra_security_defaults\" \"this\" {\n  is_enabled = false\n}\n"

func guardAppSrc(e *guardEnv, notes, tags, audience, subject, owner string, fics int, roles bool, scopes string) string {
	s := fmt.Sprintf(`resource "entra_application" "pms" {
  display_name     = "O'Brien & Söhne #1 + property management"
  sign_in_audience = %q
  notes            = %q
  tags             = [%s]
  owners           = [%q]
  api_permission {
    api    = "Microsoft Graph"
    scopes = [%s]
  }
`, audience, notes, tags, owner, scopes)
	if roles {
		s += `  api_permission {
    api       = "Office 365 Exchange Online"
    app_roles = ["full_access_as_app"]
  }
`
	}
	for i := 0; i < fics; i++ {
		s += fmt.Sprintf(`  federated_identity_credential {
    name      = "gh-%d"
    issuer    = "https://token.actions.githubusercontent.com"
    subject   = "%s-%d"
    audiences = ["api://AzureADTokenExchange"]
  }
`, i, subject, i)
	}
	return s + "  admin_consent = true\n}\n"
}

const guardSecretSrc = `resource "entra_application_password" "pms" {
  application   = entra_application.pms.app_id
  display_name  = "ci"
  lifetime      = "4320h"
  rotate_before = "720h"
  value_file    = "pms.secret"
}
`

func guardSPSrc(consent bool) string {
	return fmt.Sprintf(`resource "entra_service_principal" "relay" {
  app_id = %q
  api_permission {
    api    = "Office 365 Exchange Online"
    scopes = ["SMTP.Send"]
  }
  api_permission {
    api    = "Microsoft Graph"
    scopes = ["offline_access"]
  }
  admin_consent = %t
}
`, guardVendorApp, consent)
}

func guardScenarios() []guardScenario {
	app1 := func(e *guardEnv) string {
		return guardAppSrc(e, "first", `"pms"`, "AzureADMyOrg", "repo:contoso/pms:ref:refs/heads/main", e.users[0], 2, true, `"User.Read", "offline_access"`)
	}
	return []guardScenario{
		{name: "security defaults turned off", src: func(*guardEnv) string { return guardSDOff },
			want: map[string]plan.Action{"entra_security_defaults.this": plan.Update}},
		{name: "application and its secret created", src: func(e *guardEnv) string { return app1(e) + guardSecretSrc },
			want: map[string]plan.Action{"entra_application.pms": plan.Create, "entra_application_password.pms": plan.Create}},
		{name: "application updated", setup: func(t *testing.T, e *guardEnv) { e.apply(t, app1(e)) },
			src: func(e *guardEnv) string {
				return guardAppSrc(e, "second", `"pms", "prod"`, "AzureADMultipleOrgs", "repo:contoso/pms:environment:production", e.users[1], 1, false, `"User.Read"`)
			},
			want: map[string]plan.Action{"entra_application.pms": plan.Update}},
		{name: "application adopted",
			setup: func(t *testing.T, e *guardEnv) {
				if err := e.client.Do(context.Background(), "POST", "/applications", map[string]any{"displayName": "Legacy relay", "tags": []string{"legacy"}, "notes": "made by hand"}, nil); err != nil {
					t.Fatal(err)
				}
			},
			src: func(*guardEnv) string {
				return "resource \"entra_application\" \"legacy\" {\n  display_name = \"legacy RELAY\"\n  notes = \"adopted\"\n}\n"
			},
			want: map[string]plan.Action{"entra_application.legacy": plan.Adopt}},
		{name: "application deleted", setup: func(t *testing.T, e *guardEnv) { e.apply(t, app1(e)) },
			src:  func(*guardEnv) string { return "" },
			want: map[string]plan.Action{`entra_application["O'Brien & Söhne #1 + property management"]`: plan.Delete}},
		{name: "secret rotated",
			setup: func(t *testing.T, e *guardEnv) {
				e.apply(t, app1(e)+guardSecretSrc)
				e.now = e.now.Add(4320*time.Hour - 700*time.Hour)
			},
			src:  func(e *guardEnv) string { return app1(e) + guardSecretSrc },
			want: map[string]plan.Action{"entra_application_password.pms": plan.Update}},
		{name: "vendor service principal created", src: func(*guardEnv) string { return guardSPSrc(true) },
			want: map[string]plan.Action{"entra_service_principal.relay": plan.Create}},
		{name: "vendor service principal adopted",
			setup: func(t *testing.T, e *guardEnv) {
				if err := e.client.Do(context.Background(), "POST", "/servicePrincipals", map[string]any{"appId": guardVendorApp, "tags": []string{"WindowsAzureActiveDirectoryIntegratedApp"}}, nil); err != nil {
					t.Fatal(err)
				}
			},
			src:  func(*guardEnv) string { return guardSPSrc(true) },
			want: map[string]plan.Action{"entra_service_principal.relay": plan.Adopt}},
		{name: "vendor consent revoked", setup: func(t *testing.T, e *guardEnv) { e.apply(t, guardSPSrc(true)) },
			src:           func(*guardEnv) string { return guardSPSrc(false) },
			want:          map[string]plan.Action{"entra_service_principal.relay": plan.Update},
			onlyUnchecked: map[string]bool{"entra_service_principal.relay": true}},
		{name: "vendor service principal deleted", setup: func(t *testing.T, e *guardEnv) { e.apply(t, guardSPSrc(true)) },
			src:  func(*guardEnv) string { return "" },
			want: map[string]plan.Action{`entra_service_principal["` + guardVendorApp + `"]`: plan.Delete}},
		{name: "notes changed behind the plan's back", setup: func(t *testing.T, e *guardEnv) { e.apply(t, app1(e)) },
			src: func(e *guardEnv) string {
				return guardAppSrc(e, "second", `"pms"`, "AzureADMyOrg", "repo:contoso/pms:ref:refs/heads/main", e.users[0], 2, true, `"User.Read", "offline_access"`)
			},
			want: map[string]plan.Action{"entra_application.pms": plan.Update},
			drift: func(t *testing.T, e *guardEnv) {
				var apps struct {
					Value []struct{ ID string } `json:"value"`
				}
				if err := e.client.Do(context.Background(), "GET", "/applications?$filter=startswith(displayName,'O''Brien')&$select=id", nil, &apps); err != nil || len(apps.Value) != 1 {
					t.Fatalf("%v %+v", err, apps)
				}
				if err := e.client.Do(context.Background(), "PATCH", "/applications/"+apps.Value[0].ID, map[string]any{"notes": "edited in the portal"}, nil); err != nil {
					t.Fatal(err)
				}
			},
			stale: map[string][]string{"entra_application.pms": {"notes"}}},
		{name: "marker removed behind the plan's back", setup: func(t *testing.T, e *guardEnv) { e.apply(t, guardSPSrc(true)) },
			src:  func(*guardEnv) string { return "" },
			want: map[string]plan.Action{`entra_service_principal["` + guardVendorApp + `"]`: plan.Delete},
			drift: func(t *testing.T, e *guardEnv) {
				if err := e.client.Do(context.Background(), "PATCH", "/servicePrincipals(appId='"+guardVendorApp+"')", map[string]any{"tags": []string{}}, nil); err != nil {
					t.Fatal(err)
				}
			},
			stale: map[string][]string{`entra_service_principal["` + guardVendorApp + `"]`: {"ownership marker and publisher tags"}}},
	}
}

// runGuardScenario plans the scenario, then, change by change as the script does, reads with
// the change's guard before it (the object as the plan saw it), applies it, and reads again
// (as the change left it, with the values a skipped change provides). visit sees every
// operation the plan compiled and every guard read.
func runGuardScenario(t *testing.T, sc guardScenario, visit func(providers.Operation)) {
	e := newGuardEnv(t)
	if sc.setup != nil {
		sc.setup(t, e)
	}
	p, pl := e.plan(t, sc.src(e))
	got := map[string]plan.Action{}
	var changes []*plan.Change
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			got[c.Addr] = c.Action
			changes = append(changes, c)
		}
	}
	if d := cmp.Diff(sc.want, got); d != "" {
		t.Fatalf("plan (-want +got):\n%s", d)
	}
	guards := make([]providers.Guard, len(changes))
	kinds := make([]providers.ChangeKind, len(changes))
	for i, c := range changes {
		var pc providers.Change
		guards[i], pc = e.guardOf(t, c)
		kinds[i] = pc.Kind
		for _, op := range c.Operations {
			visit(op)
		}
		visit(guards[i].Read)
	}

	if sc.drift != nil {
		sc.drift(t, e)
		for i, c := range changes {
			want, ok := sc.stale[c.Addr]
			if !ok {
				continue
			}
			st := guards[i].Evaluate(kinds[i], c.Pending, e.read(t, guards[i], nil))
			if d := cmp.Diff(providers.GuardState{Mismatches: want}, st); d != "" {
				t.Errorf("%s after drift (-want +got):\n%s", c.Addr, d)
			}
		}
		return
	}

	known := map[string]string{}
	check := func(when string, i int, wantBefore, wantAfter bool) map[string]any {
		t.Helper()
		c, g := changes[i], guards[i]
		answer := e.read(t, g, known)
		st := g.Evaluate(kinds[i], c.Pending, answer)
		if st.Before != wantBefore || st.After != wantAfter || len(st.Mismatches) > 0 {
			t.Errorf("%s %s: guard finds %+v, want before %t, after %t\nread %s\nchecks %+v\nanswer %v",
				c.Addr, when, st, wantBefore, wantAfter, g.Read, g.Checks, answer)
		}
		return g.Pick(answer)
	}
	provided := func(i int, obj map[string]any) {
		t.Helper()
		for _, f := range guards[i].Provides {
			v, ok := known[f.Value]
			if !ok || v == "" {
				t.Errorf("%s: apply recorded no value for %s", changes[i].Addr, f.Value)
			}
			if s, _ := obj[f.Property].(string); s != v {
				t.Errorf("%s: %s is %q in the guard's object, apply recorded %q for %s", changes[i].Addr, f.Property, s, v, f.Value)
			}
		}
		// A lookup runs with the values Provides gave, as the script runs it.
		for _, l := range guards[i].Lookups {
			lg := providers.Guard{Read: l.Read, List: l.List}
			found := lg.Pick(e.read(t, lg, known))
			if s, _ := found[l.Property].(string); s == "" || s != known[l.Ref] {
				t.Errorf("%s: the lookup of %s finds %q, apply recorded %q", changes[i].Addr, l.Ref, s, known[l.Ref])
			}
		}
	}
	for i, c := range changes {
		unchecked := sc.onlyUnchecked[c.Addr]
		check("before the change", i, true, unchecked)
		if _, ds := p.Apply(context.Background(), &plan.Plan{Workspace: pl.Workspace, Changes: []*plan.Change{c}, Known: known}, nil); ds.HasErrors() {
			t.Fatal(ds)
		}
		provided(i, check("after the change", i, unchecked, true))
	}
	// A second run of the whole script: every change is recognised as made.
	for i, c := range changes {
		provided(i, check("on a second run", i, sc.onlyUnchecked[c.Addr], true))
	}
}

func TestGuardsAgainstSim(t *testing.T) {
	for _, sc := range guardScenarios() {
		t.Run(sc.name, func(t *testing.T) { runGuardScenario(t, sc, func(providers.Operation) {}) })
	}
}

// TestGuardShapes pins down what each guard reads, checks, provides and leaves unchecked.
func TestGuardShapes(t *testing.T) {
	e := newGuardEnv(t)
	e.apply(t, guardSPSrc(true))
	_, pl := e.plan(t, guardAppSrc(e, "n", `"pms"`, "AzureADMyOrg", "repo:contoso/pms:ref:refs/heads/main", e.users[0], 1, true, `"User.Read"`)+guardSecretSrc+guardSDOff)
	got := map[string]providers.Guard{}
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			got[c.Addr], _ = e.guardOf(t, c)
		}
	}
	marker := providers.Marker{Workspace: "w"}.String()
	appID := schema.Placeholder("entra_application.pms", "app_id")
	spDelete := `entra_service_principal["` + guardVendorApp + `"]`
	spID := ""
	for _, c := range pl.Changes {
		if c.Addr == spDelete {
			spID = c.Prior.ID
		}
	}
	want := map[string]providers.Guard{
		"entra_security_defaults.this": {
			Read:   graphOp("GET", "/policies/identitySecurityDefaultsEnforcementPolicy", nil),
			Checks: []providers.GuardCheck{{Attr: "is_enabled", Property: "isEnabled", Before: true, After: false}},
		},
		"entra_application.pms": {
			Read: graphOp("GET", "/applications?$filter=displayName%20eq%20'O''Brien%20%26%20S%C3%B6hne%20%231%20%2B%20property%20management'&$select=id,appId,displayName,signInAudience,notes,tags", nil),
			List: "value",
			Checks: []providers.GuardCheck{
				{Attr: "display_name", Property: "displayName", Before: nil, After: "O'Brien & Söhne #1 + property management", Compare: providers.CompareFold},
				{Attr: "sign_in_audience", Property: "signInAudience", Before: nil, After: "AzureADMyOrg"},
				{Attr: "notes", Property: "notes", Before: nil, After: "n"},
				{Attr: "tags and ownership marker", Property: "tags", Before: []string{}, After: []string{"pms", marker}, Compare: providers.CompareSet},
			},
			Provides: []providers.Field{{Property: "appId", Value: "entra_application.pms.app_id"}, {Property: "id", Value: "entra_application.pms.id"}},
			Lookups: []providers.Lookup{{Read: graphOp("GET", "/servicePrincipals?$filter=appId%20eq%20'"+appID+"'&$select=id", nil),
				List: "value", Property: "id", Ref: "entra_application.pms.service_principal_id"}},
			Unchecked: []string{"admin_consent", "api_permission", "federated_identity_credential", "owners"},
		},
		"entra_application_password.pms": {
			Read:      graphOp("GET", "/applications(appId='"+appID+"')?$select=passwordCredentials", nil),
			List:      "passwordCredentials",
			Match:     []providers.Field{{Property: "displayName", Value: "ci"}},
			Checks:    []providers.GuardCheck{{Attr: "end_date_time", Property: "endDateTime", Before: nil, After: e.now.Truncate(time.Minute).Add(4320 * time.Hour).Format(time.RFC3339)}},
			Provides:  []providers.Field{{Property: "keyId", Value: "entra_application_password.pms.key_id"}},
			Unchecked: []string{"lifetime"},
		},
		spDelete: {
			Read:      graphOp("GET", "/servicePrincipals/"+spID+"?$select=id,appId,displayName,tags", nil),
			Checks:    []providers.GuardCheck{{Attr: "app_id", Property: "appId", Before: guardVendorApp, After: guardVendorApp, Compare: providers.CompareFold}, {Attr: "ownership marker and publisher tags", Property: "tags", Before: []string{marker}, After: []string{marker}, Compare: providers.CompareSet}},
			Unchecked: []string{"admin_consent", "api_permission"},
		},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("guards (-want +got):\n%s", d)
	}
}

func TestFilterEq(t *testing.T) {
	ph := schema.Placeholder("entra_application.x", "app_id")
	for _, tc := range []struct{ prop, value, want string }{
		{"appId", "5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13", "appId%20eq%20'5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13'"},
		{"displayName", "O'Brien's app", "displayName%20eq%20'O''Brien''s%20app'"},
		{"displayName", "a&$top=1#x+y%z?=", "displayName%20eq%20'a%26%24top%3D1%23x%2By%25z%3F%3D'"},
		{"displayName", "Ünïcode", "displayName%20eq%20'%C3%9Cn%C3%AFcode'"},
		{"appId", ph, "appId%20eq%20'" + ph + "'"},
		{"displayName", "it's " + ph + " & " + ph, "displayName%20eq%20'it''s%20" + ph + "%20%26%20" + ph + "'"},
	} {
		if got := filterEq(tc.prop, tc.value); got != tc.want {
			t.Errorf("filterEq(%q, %q) = %q, want %q", tc.prop, tc.value, got, tc.want)
		}
	}
}
