package plan_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

const graphAppID = "00000003-0000-0000-c000-000000000000"

// liveSetup is a registry of widgets (read as a DeclaredReader) and applications, and a data
// source of service principals.
type liveSetup struct {
	widgets    *pt.DeclaredTenant
	apps       *pt.AppTenant
	principals *pt.Principals
	reg        *providers.Registry
}

func newLiveSetup(apps ...providers.LiveObject) *liveSetup {
	s := &liveSetup{
		widgets:    &pt.DeclaredTenant{Tenant: pt.NewTenant()},
		apps:       pt.NewAppTenant(apps...),
		principals: pt.NewPrincipals(map[string]string{graphAppID: "sp-graph"}, "Mail.Send", "User.Read.All"),
		reg:        providers.NewRegistry(),
	}
	s.reg.AddResource(s.widgets)
	s.reg.AddResource(s.apps)
	s.reg.AddDataSource(s.principals)
	s.reg.AddExecutor(s.widgets)
	s.reg.AddExecutor(s.apps)
	return s
}

func load(t *testing.T, src string) *schema.Config {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform { workspace = \"ws\" }\n" + src)})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return cfg
}

func change(t *testing.T, pl *plan.Plan, addr string) *plan.Change {
	t.Helper()
	for _, c := range pl.Changes {
		if c.Addr == addr {
			return c
		}
	}
	t.Fatalf("no change %s in %v", addr, summarize(pl))
	return nil
}

const portalSrc = `resource "fake_app" "portal" { name = "Portal" }
resource "fake_widget" "w" {
  name    = "W"
  comment = fake_app.portal.app_id
}
output "app_id" { value = fake_app.portal.app_id }
`

// An application that exists: its app_id is read from the tenant, by the same single bulk read
// the plan is made from.
func TestEvaluateComputedOfExistingObject(t *testing.T) {
	s := newLiveSetup(pt.App("Portal", "ws", "live-app-1"))
	p := &plan.Planner{Registry: s.reg}
	ev, ds := p.Evaluate(context.Background(), load(t, portalSrc), schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	// Evaluate starts the reads of every type the plan will read, not only those it looks up,
	// and the plan waits for them instead of reading again (below).
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := []row{
		{Addr: "fake_app.portal", Action: "no-op"},
		{Addr: "fake_widget.w", Action: "create", Attrs: []string{`comment: null -> "live-app-1"`}, Ops: []string{"New-Widget Name,Comment"}},
	}
	if diff := cmp.Diff(want, summarize(pl)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if s.apps.Reads != 1 {
		t.Errorf("fake_app was read %d times; want one read for evaluating and planning", s.apps.Reads)
	}
	if s.widgets.Reads != 1 || len(s.widgets.Keys) != 1 {
		t.Errorf("fake_widget was read %d times (%d declared reads); want one", s.widgets.Reads, len(s.widgets.Keys))
	}
	if len(ev.Outputs) != 1 || !ev.Outputs[0].Value.RawEquals(cty.StringVal("live-app-1")) {
		t.Errorf("outputs %+v", ev.Outputs)
	}
}

// An application the plan creates: what refers to its app_id holds the placeholder, is planned
// as a create, and apply fills the value the service answered in before sending.
func TestEvaluateComputedOfMissingObject(t *testing.T) {
	s := newLiveSetup()
	p := &plan.Planner{Registry: s.reg}
	src := portalSrc + `resource "fake_widget" "named" { name = fake_app.portal.app_id }
resource "fake_widget" "plain" { name = "Plain" }
`
	ev, ds := p.Evaluate(context.Background(), load(t, src), schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	ph := schema.Placeholder("fake_app.portal", "app_id")
	app := change(t, pl, "fake_app.portal")
	if app.Action != plan.Create || len(app.Operations) != 1 || app.Operations[0].Produces["appId"] != "fake_app.portal.app_id" {
		t.Fatalf("fake_app.portal: %s %+v", app.Action, app.Operations)
	}
	w := change(t, pl, "fake_widget.w")
	if w.Action != plan.Create || !w.After.GetAttr("comment").RawEquals(cty.StringVal(ph)) {
		t.Errorf("fake_widget.w: %s, comment %#v", w.Action, w.After.GetAttr("comment"))
	}
	if got, _ := w.Operations[0].Parameters.Get("Comment"); got != ph {
		t.Errorf("New-Widget -Comment %v", got)
	}
	named := change(t, pl, "fake_widget.named")
	if named.Action != plan.Create || named.Key != ph {
		t.Errorf("fake_widget.named: %s, key %q", named.Action, named.Key)
	}
	// The application comes first: the widgets depend on it.
	if pl.Changes[0].Addr != "fake_app.portal" {
		t.Errorf("order %v", summarize(pl))
	}
	// A key known only after apply names nothing that exists: it is not asked for.
	if diff := cmp.Diff([][]string{{"W", "Plain"}}, s.widgets.Keys, cmp.Transformer("sort", sortedCopy)); diff != "" {
		t.Errorf("declared keys read (-want +got):\n%s", diff)
	}
	if s.apps.Reads != 1 || s.widgets.Reads != 1 {
		t.Errorf("reads: apps %d widgets %d", s.apps.Reads, s.widgets.Reads)
	}
	if len(ev.Outputs) != 1 || !ev.Outputs[0].Value.RawEquals(cty.StringVal(ph)) {
		t.Errorf("outputs %+v", ev.Outputs)
	}

	pl.Outputs = ev.Outputs
	n, ds := p.Apply(context.Background(), pl, nil)
	if ds.HasErrors() || n != 4 {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if diff := cmp.Diff(map[string]string{"fake_app.portal.app_id": "app-id-of-portal"}, pl.Known); diff != "" {
		t.Errorf("known (-want +got):\n%s", diff)
	}
	var comments, names []any
	for _, op := range s.widgets.Ops {
		if c, ok := op.Parameters.Get("Comment"); ok {
			comments = append(comments, c)
		}
		n, _ := op.Parameters.Get("Name")
		names = append(names, n)
	}
	if diff := cmp.Diff([]any{"app-id-of-portal"}, comments); diff != "" {
		t.Errorf("comments sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"app-id-of-portal", "Plain", "W"}, names, cmp.Transformer("sort", sortedAny)); diff != "" {
		t.Errorf("names sent (-want +got):\n%s", diff)
	}
	if out := pl.KnownOutputs(); len(out) != 1 || !out[0].Value.RawEquals(cty.StringVal("app-id-of-portal")) {
		t.Errorf("known outputs %+v", out)
	}
	// The plan itself keeps its placeholders: it is what was reviewed.
	if got, _ := w.Operations[0].Parameters.Get("Comment"); got != ph {
		t.Errorf("apply rewrote the plan's operation: %v", got)
	}
}

// A data block is answered by the registered data source.
func TestEvaluateDataSource(t *testing.T) {
	s := newLiveSetup()
	p := &plan.Planner{Registry: s.reg}
	src := `data "fake_principal" "graph" { app_id = "` + graphAppID + `" }
resource "fake_widget" "w" {
  name    = "W"
  comment = data.fake_principal.graph.object_id
  domains = data.fake_principal.graph.roles
}
`
	ev, ds := p.Evaluate(context.Background(), load(t, src), schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := []row{{Addr: "fake_widget.w", Action: "create", Attrs: []string{`domains: null -> ["Mail.Send", "User.Read.All"]`, `comment: null -> "sp-graph"`}, Ops: []string{"New-Widget Name,Domains,Comment"}}}
	if diff := cmp.Diff(want, summarize(pl)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if len(s.principals.Queries) != 1 {
		t.Errorf("the data source was asked %d times", len(s.principals.Queries))
	}

	// An unknown principal is an error at the data block.
	s = newLiveSetup()
	p = &plan.Planner{Registry: s.reg}
	_, ds = p.Evaluate(context.Background(), load(t, strings.Replace(src, graphAppID, "nope", 1)), schema.Inputs{})
	if !ds.HasErrors() || ds[0].Summary != "Cannot read data.fake_principal.graph" || ds[0].Subject == nil || ds[0].Subject.Start.Line != 2 {
		t.Errorf("got %v", ds)
	}
}

// A failed read is an error, never taken for an absence; it is read once.
func TestEvaluateReadError(t *testing.T) {
	s := newLiveSetup(pt.App("Portal", "ws", "live-app-1"))
	s.apps.ReadErr = errors.New("Graph: 503 Service Unavailable")
	p := &plan.Planner{Registry: s.reg}
	_, ds := p.Evaluate(context.Background(), load(t, portalSrc), schema.Inputs{})
	if !ds.HasErrors() {
		t.Fatal("no error")
	}
	var found bool
	for _, d := range ds {
		found = found || d.Summary == "Cannot read the live fake_app objects" && d.Subject != nil && strings.Contains(d.Detail, "503")
		if strings.Contains(d.String(), "⟪") {
			t.Errorf("a failed read gave a placeholder: %s", d)
		}
	}
	// Reported once, where the read was needed: not again at each reference to the object
	// (the widget's comment, the output) as a value "not known until apply".
	if len(ds) != 1 {
		t.Errorf("want the read error alone, got %v", ds)
	}
	if !found {
		t.Errorf("got %v", ds)
	}
	if s.apps.Reads != 1 {
		t.Errorf("read %d times", s.apps.Reads)
	}
}

// A configuration that does not evaluate offline is not read at all.
func TestEvaluateOfflineErrorsReadNothing(t *testing.T) {
	s := newLiveSetup()
	p := &plan.Planner{Registry: s.reg}
	_, ds := p.Evaluate(context.Background(), load(t, `resource "fake_widget" "w" {
  name    = "W"
  comment = upper(fake_app.nope.app_id)
}`), schema.Inputs{})
	if !ds.HasErrors() {
		t.Fatal("no error")
	}
	if s.apps.Reads+s.widgets.Reads != 0 || len(s.principals.Queries) != 0 {
		t.Errorf("read the tenant: apps %d widgets %d", s.apps.Reads, s.widgets.Reads)
	}
}

func sortedCopy(in [][]string) [][]string {
	out := make([][]string, len(in))
	for i, ks := range in {
		out[i] = append([]string{}, ks...)
		sort.Strings(out[i])
	}
	return out
}

func sortedAny(in []any) []string {
	var out []string
	for _, v := range in {
		s, _ := v.(string)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// A key known only from the tenant (a data block's answer) is not among the keys Evaluate
// started the type's read with: the plan reads the type again with its own keys, rather than
// plan from a read that did not ask for that object.
func TestPlanReadsAgainForKeysFromTheTenant(t *testing.T) {
	s := newLiveSetup()
	p := &plan.Planner{Registry: s.reg}
	src := `data "fake_principal" "graph" { app_id = "` + graphAppID + `" }
resource "fake_widget" "w" { name = "W" }
resource "fake_widget" "by_data" { name = data.fake_principal.graph.object_id }
`
	ev, ds := p.Evaluate(context.Background(), load(t, src), schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if _, ds := p.Plan(context.Background(), ev); ds.HasErrors() {
		t.Fatal(ds)
	}
	var got []string
	for _, ks := range sortedCopy(s.widgets.Keys) {
		got = append(got, strings.Join(ks, ","))
	}
	sort.Strings(got)
	// Offline, by_data's key is unknown (""); the plan's read asks for the tenant's answer.
	want := []string{",W", "W,sp-graph"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declared keys read (-want +got):\n%s", diff)
	}
}

// blockingWidgets is a widget read that lasts until its context is cancelled.
type blockingWidgets struct {
	*pt.DeclaredTenant
	returned chan struct{}
}

func (b *blockingWidgets) ReadDeclared(ctx context.Context, _ []string) ([]providers.LiveObject, error) {
	<-ctx.Done()
	close(b.returned)
	return nil, ctx.Err()
}

// An evaluation that stops at a failed read stops the other reads it started, and returns only
// once they have: none outlives the command (writing to its log after it reported the error).
func TestEvaluateReadErrorStopsTheOtherReads(t *testing.T) {
	apps := pt.NewAppTenant(pt.App("Portal", "ws", "live-app-1"))
	apps.ReadErr = errors.New("Graph: 503 Service Unavailable")
	widgets := &blockingWidgets{DeclaredTenant: &pt.DeclaredTenant{Tenant: pt.NewTenant()}, returned: make(chan struct{})}
	reg := providers.NewRegistry()
	reg.AddResource(widgets)
	reg.AddResource(apps)
	p := &plan.Planner{Registry: reg}
	_, ds := p.Evaluate(context.Background(), load(t, portalSrc), schema.Inputs{})
	if !ds.HasErrors() {
		t.Fatal("no error")
	}
	select {
	case <-widgets.returned:
	default:
		t.Fatal("Evaluate returned while the widget read was still under way")
	}
}
