package exchange_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

// simTenant starts a simulated tenant over a real HTTPS listener and returns a registry whose
// Exchange provider talks to it through the real client and azidentity.
func simTenant(t *testing.T, opts sim.Options) (*sim.Server, *providers.Registry, *exchange.Client) {
	t.Helper()
	if opts.StatePath == "" {
		opts.StatePath = filepath.Join(t.TempDir(), "tenant.json")
	}
	srv, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := simClient(t, srv, 0)
	reg := providers.NewRegistry()
	exchange.NewProvider(c).Register(reg)
	return srv, reg, c
}

func planSource(n int) string {
	var b strings.Builder
	b.WriteString("exoform {\n  workspace = \"bulk\"\n}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `resource "exchange_inbound_connector" "c%d" {
  name                = "Connector %03d"
  connector_type      = "OnPremises"
  sender_domains      = ["d%d.contoso.com"]
  sender_ip_addresses = ["203.0.113.%d"]
  require_tls         = true
}
`, i, i, i, i%250+1)
	}
	return b.String()
}

// simClient builds the real client, with azidentity, for a simulated tenant.
func simClient(t *testing.T, srv *sim.Server, pageSize int) *exchange.Client {
	t.Helper()
	cloud, hc, cred := providertest.SimConnection(t, srv)
	c, err := exchange.NewClient(exchange.ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantDomain, Credential: cred,
		Scope: cloud.ExchangeScope, HTTPClient: hc, PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlanApplyAgainstSim drives the whole path against the simulated tenant and counts the
// requests: planning costs one bulk read per page, not one request per declared object.
func TestPlanApplyAgainstSim(t *testing.T) {
	const n = 60
	srv, reg, client := simTenant(t, sim.Options{})
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(planSource(n))})
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
	if got := pl.Counts()[plan.Create]; got != n {
		t.Fatalf("%d creates, want %d", got, n)
	}
	if got := srv.Stats().Requests["Get-InboundConnector"]; got != 1 {
		t.Errorf("planning %d connectors sent %d Get-InboundConnector requests; want 1 bulk read", n, got)
	}
	if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
	before := srv.Stats().Requests["Get-InboundConnector"]
	pl, ds = p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if pl.HasChanges() {
		t.Errorf("re-plan after apply is not empty: %v", pl.Counts())
	}
	if got := srv.Stats().Requests["Get-InboundConnector"] - before; got != 1 {
		t.Errorf("re-plan sent %d reads; want 1", got)
	}
	if st := client.Stats(); st.Retries != 0 {
		t.Errorf("unexpected retries: %+v", st)
	}
}

// TestPagedRead reads more connectors than fit one page.
func TestPagedRead(t *testing.T) {
	srv, reg, _ := simTenant(t, sim.Options{})
	ctx := context.Background()
	ex, _ := reg.Executor(providers.Exchange)
	for i := 0; i < 5; i++ {
		op := providers.Operation{Service: providers.Exchange, Cmdlet: "New-InboundConnector", Parameters: providers.Params{
			{Name: "Name", Value: fmt.Sprintf("Paged %d", i)}, {Name: "SenderDomains", Value: []string{"contoso.com"}}}}
		if err := ex.Execute(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	c := simClient(t, srv, 2)
	res, err := c.Invoke(ctx, "Get-InboundConnector", providers.Params{{Name: "ResultSize", Value: "Unlimited"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) < 5 || res.Pages < 3 {
		t.Errorf("%d objects in %d pages", len(res.Objects), res.Pages)
	}
}

// TestReadErrorIsNotAbsence: a failing read gives an error, never an empty list.
func TestReadErrorIsNotAbsence(t *testing.T) {
	_, reg, _ := simTenant(t, sim.Options{Faults: "500:100%:Get-InboundConnector"})
	res, _ := reg.Resource("exchange_inbound_connector")
	objs, err := res.ReadAll(context.Background())
	if err == nil {
		t.Fatalf("read succeeded with %d objects under a 100%% fault", len(objs))
	}
	if !strings.Contains(err.Error(), "Get-InboundConnector") {
		t.Errorf("error does not name the request: %v", err)
	}
}
