package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// callRecorder is a doer that notes every request it passes on: a page read as one request, a
// $batch as the requests inside it.
type callRecorder struct {
	doer
	mu  sync.Mutex
	ops []providers.Operation
}

func (r *callRecorder) note(method, path string) {
	r.mu.Lock()
	r.ops = append(r.ops, graphOp(method, path, nil))
	r.mu.Unlock()
}

// take returns the requests noted since the last take.
func (r *callRecorder) take() []providers.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

func (r *callRecorder) Do(ctx context.Context, method, path string, body, out any) error {
	r.note(method, path)
	return r.doer.Do(ctx, method, path, body, out)
}

func (r *callRecorder) List(ctx context.Context, path string, each func(json.RawMessage) error) error {
	r.note("GET", path)
	return r.doer.List(ctx, path, each)
}

func (r *callRecorder) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	for _, q := range reqs {
		r.note(q.Method, q.URL)
	}
	return r.doer.Batch(ctx, reqs)
}

// BatchList is noted as the first page of each collection it reads (the pages after it are
// the same request, continued).
func (r *callRecorder) BatchList(ctx context.Context, paths []string, each func(int, json.RawMessage) error) error {
	for _, p := range paths {
		r.note("GET", p)
	}
	return r.doer.BatchList(ctx, paths, each)
}

// TestCallsAgainstSim holds every type's documented calls (providers.APIDescriber) to what it
// sends to the simulated tenant, both ways: for each guard scenario and each of
// callGapScenarios, every type is read as the
// planner reads it for the scenario's declarations, one type at a time, through a recorder;
// every operation the plan's changes compile to, and every guard read and lookup, is noted with
// its change's purpose; the data source looks a service principal up by app_id and by
// display_name. Every request must be documented with that purpose (its path fitting the
// template), and every documented request and purpose must have been seen.
func TestCallsAgainstSim(t *testing.T) {
	seen := map[string]map[providers.Purpose][]providers.Operation{}
	record := func(typ string, p providers.Purpose, ops ...providers.Operation) {
		if seen[typ] == nil {
			seen[typ] = map[providers.Purpose][]providers.Operation{}
		}
		seen[typ][p] = append(seen[typ][p], ops...)
	}
	ctx := context.Background()
	var reg *providers.Registry
	for _, sc := range append(guardScenarios(), callGapScenarios()...) {
		e := newGuardEnv(t)
		if sc.setup != nil {
			sc.setup(t, e)
		}
		_, pl := e.plan(t, sc.src(e))
		got := map[string]plan.Action{}
		for _, c := range pl.Changes {
			if c.Action != plan.NoOp {
				got[c.Addr] = c.Action
			}
		}
		if d := cmp.Diff(sc.want, got); d != "" {
			t.Fatalf("%s: plan (-want +got):\n%s", sc.name, d)
		}
		rec := &callRecorder{doer: e.client}
		reg = providers.NewRegistry()
		(&Provider{client: rec, now: func() time.Time { return e.now }}).Register(reg)
		keys := map[string][]string{}
		for _, c := range pl.Changes {
			if c.Action != plan.Delete && !schema.HasPlaceholder(c.Key) {
				keys[c.Type] = append(keys[c.Type], c.Key)
			}
		}
		for _, name := range reg.ResourceTypeNames() {
			res, _ := reg.Resource(name)
			var err error
			if dr, ok := res.(providers.DeclaredReader); ok {
				_, err = dr.ReadDeclared(ctx, keys[name])
			} else {
				_, err = res.ReadAll(ctx)
			}
			if err != nil {
				t.Fatalf("%s: reading %s: %v", sc.name, name, err)
			}
			record(name, providers.PurposeRead, rec.take()...)
		}
		for _, c := range pl.Changes {
			if c.Action == plan.NoOp {
				continue
			}
			g, pc := e.guardOf(t, c)
			record(c.Type, providers.PurposeOf(pc.Kind), c.Operations...)
			record(c.Type, providers.PurposeGuard, g.Read)
			for _, l := range g.Lookups {
				record(c.Type, providers.PurposeGuard, l.Read)
			}
		}
	}
	// Office 365 Exchange Online, by its well-known app id; Microsoft Graph by its name.
	rec := &callRecorder{doer: newGuardEnv(t).client}
	for _, q := range []map[string]cty.Value{{"app_id": cty.StringVal("00000002-0000-0ff1-ce00-000000000000")}, {"display_name": cty.StringVal("Microsoft Graph")}} {
		attrs := map[string]cty.Value{}
		for _, a := range ServicePrincipalDataType.Attributes {
			attrs[a.Name] = cty.NullVal(a.Type)
		}
		for k, v := range q {
			attrs[k] = v
		}
		d := &servicePrincipalData{c: rec}
		if _, err := d.Query(ctx, cty.ObjectVal(attrs)); err != nil {
			t.Fatalf("data source query %v: %v", q, err)
		}
		record("data."+ServicePrincipalDataType.Name, providers.PurposeRead, rec.take()...)
	}

	check := func(name string, v any) {
		d, ok := v.(providers.APIDescriber)
		if !ok {
			t.Errorf("%s is not a providers.APIDescriber", name)
			return
		}
		for _, c := range d.Calls() {
			if _, path, _ := strings.Cut(c.Name, " "); strings.ContainsAny(path, "?") || guidIn(path) {
				t.Errorf("%s documents %s: a path template has no query and no ids", name, c.Name)
			}
		}
		for _, problem := range providers.CheckCalls(d.Calls(), seen[name]) {
			t.Errorf("%s %s", name, problem)
		}
	}
	for _, name := range reg.ResourceTypeNames() {
		res, _ := reg.Resource(name)
		check(name, res)
	}
	for _, name := range reg.DataSourceTypeNames() {
		ds, _ := reg.DataSource(name)
		check("data."+name, ds)
	}
}

// guidIn reports whether any part of a path is a GUID.
func guidIn(path string) bool {
	for _, s := range strings.FieldsFunc(path, func(r rune) bool { return strings.ContainsRune("/()='", r) }) {
		if schema.IsGUID(s) {
			return true
		}
	}
	return false
}

// callGapScenarios make the changes the guard scenarios never reach: permissions and federated
// credentials added to an application and its consent revoked, consent to an adopted
// application that has no service principal, and a vendor's service
// principal created with application permissions, then changed.
func callGapScenarios() []guardScenario {
	app := func(fics int, exchange string, consent bool) string {
		s := "resource \"entra_application\" \"pms\" {\n  display_name = \"Gap app\"\n"
		s += "  api_permission {\n    api    = \"Microsoft Graph\"\n    scopes = [\"User.Read\"]\n  }\n"
		if exchange != "" {
			s += "  api_permission {\n    api = \"Office 365 Exchange Online\"\n" + exchange + "\n  }\n"
		}
		for i := 0; i < fics; i++ {
			s += fmt.Sprintf("  federated_identity_credential {\n    name      = \"gh-%d\"\n    issuer    = \"https://token.actions.githubusercontent.com\"\n    subject   = \"repo:contoso/gap:ref:refs/heads/b%d\"\n    audiences = [\"api://AzureADTokenExchange\"]\n  }\n", i, i)
		}
		return s + fmt.Sprintf("  admin_consent = %t\n}\n", consent)
	}
	const smtp = `    scopes    = ["SMTP.Send"]
    app_roles = ["full_access_as_app"]`
	sp := func(perms string, consent bool) string {
		return fmt.Sprintf("resource \"entra_service_principal\" \"relay\" {\n  app_id = %q\n%s  admin_consent = %t\n}\n", guardVendorApp, perms, consent)
	}
	const exoRoles = "  api_permission {\n    api       = \"Office 365 Exchange Online\"\n    app_roles = [\"full_access_as_app\"]\n    scopes    = [\"SMTP.Send\"]\n  }\n"
	const exoScopes = "  api_permission {\n    api    = \"Office 365 Exchange Online\"\n    scopes = [\"SMTP.Send\", \"IMAP.AccessAsUser.All\"]\n  }\n"
	return []guardScenario{
		{name: "application permissions and credentials added", setup: func(t *testing.T, e *guardEnv) { e.apply(t, app(1, "", true)) },
			src:  func(*guardEnv) string { return app(2, smtp, true) },
			want: map[string]plan.Action{"entra_application.pms": plan.Update}},
		{name: "application consent revoked", setup: func(t *testing.T, e *guardEnv) { e.apply(t, app(0, smtp, true)) },
			src:  func(*guardEnv) string { return app(0, smtp, false) },
			want: map[string]plan.Action{"entra_application.pms": plan.Update}},
		{name: "adopted application consented",
			setup: func(t *testing.T, e *guardEnv) {
				if err := e.client.Do(context.Background(), "POST", "/applications", map[string]any{"displayName": "Gap app"}, nil); err != nil {
					t.Fatal(err)
				}
			},
			src:  func(*guardEnv) string { return app(0, smtp, true) },
			want: map[string]plan.Action{"entra_application.pms": plan.Adopt}},
		{name: "vendor service principal created with application permissions", src: func(*guardEnv) string { return sp(exoRoles, true) },
			want: map[string]plan.Action{"entra_service_principal.relay": plan.Create}},
		{name: "vendor application permissions taken away", setup: func(t *testing.T, e *guardEnv) { e.apply(t, sp(exoRoles, true)) },
			src:  func(*guardEnv) string { return sp(exoScopes, true) },
			want: map[string]plan.Action{"entra_service_principal.relay": plan.Update}},
		{name: "vendor application permissions added", setup: func(t *testing.T, e *guardEnv) { e.apply(t, sp(exoScopes, true)) },
			src:  func(*guardEnv) string { return sp(exoRoles, true) },
			want: map[string]plan.Action{"entra_service_principal.relay": plan.Update}},
	}
}
