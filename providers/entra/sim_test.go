package entra_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

// simGraph starts a simulated tenant over HTTPS and returns a registry whose Entra provider
// talks to its Graph API through the real client and azidentity, plus that client.
func simGraph(t *testing.T, opts sim.Options, mods ...func(*entra.ClientOptions)) (*providers.Registry, *entra.Client) {
	t.Helper()
	opts.StatePath = filepath.Join(t.TempDir(), "tenant.json")
	srv, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cloud, hc, cred := providertest.SimConnection(t, srv)
	co := entra.ClientOptions{BaseURL: cloud.GraphURL, Credential: cred, Scope: cloud.GraphScope, HTTPClient: hc}
	for _, m := range mods {
		m(&co)
	}
	c, err := entra.NewClient(co)
	if err != nil {
		t.Fatal(err)
	}
	reg := providers.NewRegistry()
	entra.NewProvider(c).Register(reg)
	return reg, c
}

func planSrc(t *testing.T, reg *providers.Registry, src string) (*plan.Planner, *plan.Plan) {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"w\"\n}\n" + src)})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p, pl
}

// TestSecurityDefaultsAgainstSim: plan, apply, an empty re-plan, and drift made through Graph
// by an administrator shown and repaired.
func TestSecurityDefaultsAgainstSim(t *testing.T) {
	reg, client := simGraph(t, sim.Options{})
	const src = "resource \"entra_security_defaults\" \"this\" {\n  is_enabled = false\n}\n"
	p, pl := planSrc(t, reg, src)
	if len(pl.Changes) != 1 || pl.Changes[0].Action != plan.Update {
		t.Fatalf("plan: %+v", pl.Changes)
	}
	op := pl.Changes[0].Operations[0]
	if op.Method != "PATCH" || op.Path != "/policies/identitySecurityDefaultsEnforcementPolicy" || string(op.Body) != `{"isEnabled":false}` {
		t.Errorf("operation %+v (body %s)", op, op.Body)
	}
	if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
	if _, pl = planSrc(t, reg, src); pl.HasChanges() {
		t.Fatalf("re-plan after apply: %+v", pl.Changes)
	}
	if err := client.Do(context.Background(), "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]bool{"isEnabled": true}, nil); err != nil {
		t.Fatal(err)
	}
	_, pl = planSrc(t, reg, src)
	if !pl.HasChanges() || pl.Changes[0].Attrs[0].Name != "is_enabled" {
		t.Fatalf("drift not shown: %+v", pl.Changes)
	}
	if err := p.Verify(pl); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// TestSecurityDefaultsReadError: a failed Graph read fails the plan; it is never taken as a
// policy to change.
func TestSecurityDefaultsReadError(t *testing.T) {
	// Retries of the read are the client's business; here they only need to end quickly.
	reg, _ := simGraph(t, sim.Options{Faults: "500:100%"}, func(o *entra.ClientOptions) {
		o.MaxRetries = 2
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	})
	cfg, _ := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"w\"\n}\nresource \"entra_security_defaults\" \"this\" {\n  is_enabled = false\n}\n")})
	ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
	if pl != nil || !ds.HasErrors() || !strings.Contains(ds.Error(), "identitySecurityDefaultsEnforcementPolicy") {
		t.Errorf("plan %v, diagnostics %v", pl != nil, ds)
	}
}

// TestPlanRequestsAgainstSim counts what planning Entra objects costs against a generated
// tenant of 40 app registrations: every type's reads share one listing of applications,
// service principals and grants (their first pages in one $batch; each fits one page of 999),
// and the per-object collections (the assignments on the APIs the declared apps use, their
// federated credentials and owners) go 20 to a $batch.
func TestPlanRequestsAgainstSim(t *testing.T) {
	reg, client := simGraph(t, sim.Options{Apps: 40, GenerateSeed: 1})
	ctx := context.Background()
	var names []string
	err := client.List(ctx, "/applications?$select=displayName,requiredResourceAccess", func(raw json.RawMessage) error {
		var a struct {
			DisplayName string `json:"displayName"`
			RRA         []any  `json:"requiredResourceAccess"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		if len(a.RRA) > 0 && len(names) < 12 {
			names = append(names, a.DisplayName)
		}
		return nil
	})
	if err != nil || len(names) != 12 {
		t.Fatalf("%d applications with permissions: %v", len(names), err)
	}
	var src strings.Builder
	for i, n := range names {
		fmt.Fprintf(&src, "resource \"entra_application\" \"a%d\" {\n  display_name = %q\n}\n", i, n)
	}
	src.WriteString("resource \"entra_application\" \"new\" {\n  display_name = \"A new app\"\n}\n")
	before := client.Stats()
	_, pl := planSrc(t, reg, src.String())
	after := client.Stats()
	if got := pl.Counts()[plan.Adopt]; got != 12 {
		t.Fatalf("%d adoptions, want 12", got)
	}
	// 1 $batch with the 3 listings; then the 2 APIs' assignments and 2 collections for each of
	// the 12 declared apps: 26 items, 2 $batch requests (20 + 6). The per-object way costs a
	// request for each of them: 3 listings for each of 2 types, 2 for the APIs, 24 per app, and
	// 1 listing each for secrets and the audit, 34 in all.
	want := entra.Stats{Requests: 3, BatchItems: 3 + 26, Pages: 3 + 26}
	got := entra.Stats{Requests: after.Requests - before.Requests, BatchItems: after.BatchItems - before.BatchItems, Pages: after.Pages - before.Pages}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests of the plan (-want +got):\n%s", diff)
	}
}
