package entra_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/providers/entra"
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
	b, _ := json.Marshal(srv.Cloud())
	var cloud azure.Cloud
	if err := json.Unmarshal(b, &cloud); err != nil {
		t.Fatal(err)
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cred, _, err := azure.NewCredential(azure.CredentialOptions{Cloud: cloud, HTTPClient: hc, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
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
