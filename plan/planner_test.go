package plan_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

func evaluate(t *testing.T, reg *providers.Registry, src string) *schema.Evaluated {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ev
}

type row struct {
	Addr   string
	Action string
	Attrs  []string
	Ops    []string
}

func summarize(p *plan.Plan) []row {
	var out []row
	for _, c := range p.Changes {
		r := row{Addr: c.Addr, Action: c.Action.String()}
		for _, a := range c.Attrs {
			r.Attrs = append(r.Attrs, a.Name+": "+plan.Display(a.Before)+" -> "+plan.Display(a.After))
		}
		for _, op := range c.Operations {
			var ps []string
			for _, p := range op.Parameters {
				ps = append(ps, p.Name)
			}
			r.Ops = append(r.Ops, op.Cmdlet+" "+strings.Join(ps, ","))
		}
		out = append(out, r)
	}
	return out
}

func TestPlan(t *testing.T) {
	const head = "exoform { workspace = \"ws\" }\n"
	strs := func(ss ...string) cty.Value {
		var vs []cty.Value
		for _, s := range ss {
			vs = append(vs, cty.StringVal(s))
		}
		return cty.SetVal(vs)
	}
	tests := []struct {
		name string
		live []providers.LiveObject
		src  string
		want []row
	}{
		{
			name: "create when absent",
			src: `resource "fake_widget" "a" {
  name = "A"
  size = "small"
  enabled = true
}`,
			want: []row{{Addr: "fake_widget.a", Action: "create",
				Attrs: []string{`size: null -> "Small"`, "enabled: null -> true"},
				Ops:   []string{"New-Widget Name,Size,Enabled"}}},
		},
		{
			name: "no-op when equal, ignoring case of names and domain sets, and unset attributes",
			live: []providers.LiveObject{pt.Widget("a", "ws", map[string]cty.Value{"domains": strs("Contoso.com", "b.com"), "comment": cty.StringVal("admin note")})},
			src: `resource "fake_widget" "a" {
  name = "A"
  domains = ["b.com", "contoso.COM"]
}`,
			want: []row{{Addr: "fake_widget.a", Action: "no-op"}},
		},
		{
			name: "update only what differs",
			live: []providers.LiveObject{pt.Widget("A", "ws", map[string]cty.Value{"enabled": cty.True, "size": cty.StringVal("Small")})},
			src: `resource "fake_widget" "a" {
  name = "A"
  enabled = false
  size = "Small"
}`,
			want: []row{{Addr: "fake_widget.a", Action: "update", Attrs: []string{"enabled: true -> false"}, Ops: []string{"Set-Widget Identity,Enabled"}}},
		},
		{
			name: "null and empty sets are equal",
			live: []providers.LiveObject{pt.Widget("A", "ws", map[string]cty.Value{"domains": cty.SetValEmpty(cty.String)})},
			src: `resource "fake_widget" "a" {
  name = "A"
  domains = []
}`,
			want: []row{{Addr: "fake_widget.a", Action: "no-op"}},
		},
		{
			name: "adopt an unmarked object",
			live: []providers.LiveObject{pt.Widget("A", "", map[string]cty.Value{"enabled": cty.True})},
			src: `resource "fake_widget" "a" {
  name = "A"
  enabled = true
}`,
			want: []row{{Addr: "fake_widget.a", Action: "adopt", Ops: []string{"Set-Widget Identity,Owner"}}},
		},
		{
			name: "adopt with changes",
			live: []providers.LiveObject{pt.Widget("A", "", map[string]cty.Value{"enabled": cty.True})},
			src: `resource "fake_widget" "a" {
  name = "A"
  enabled = false
}`,
			want: []row{{Addr: "fake_widget.a", Action: "adopt", Attrs: []string{"enabled: true -> false"}, Ops: []string{"Set-Widget Identity,Enabled,Owner"}}},
		},
		{
			name: "delete only what this workspace owns",
			live: []providers.LiveObject{
				pt.Widget("mine", "ws", nil),
				pt.Widget("unmarked", "", nil),
				pt.Widget("theirs", "other", nil),
			},
			src:  ``,
			want: []row{{Addr: `fake_widget["mine"]`, Action: "delete", Ops: []string{"Remove-Widget Identity"}}},
		},
		{
			name: "ignore_changes",
			live: []providers.LiveObject{pt.Widget("A", "ws", map[string]cty.Value{"enabled": cty.True, "comment": cty.StringVal("x")})},
			src: `resource "fake_widget" "a" { 
  name = "A"
  enabled = false
  comment = "y"
  lifecycle { ignore_changes = [enabled] }
}`,
			want: []row{{Addr: "fake_widget.a", Action: "update", Attrs: []string{`comment: "x" -> "y"`}, Ops: []string{"Set-Widget Identity,Comment"}}},
		},
		{
			name: "dependency order, then deletes",
			live: []providers.LiveObject{pt.Widget("old", "ws", nil)},
			src: `resource "fake_widget" "b" {
  name = "B"
  comment = fake_widget.a.name
}
resource "fake_widget" "a" { name = "A" }`,
			want: []row{
				{Addr: "fake_widget.a", Action: "create", Ops: []string{"New-Widget Name"}},
				{Addr: "fake_widget.b", Action: "create", Attrs: []string{`comment: null -> "A"`}, Ops: []string{"New-Widget Name,Comment"}},
				{Addr: `fake_widget["old"]`, Action: "delete", Ops: []string{"Remove-Widget Identity"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tenant := pt.NewTenant(tc.live...)
			reg := tenant.Registry()
			p := &plan.Planner{Registry: reg}
			pl, ds := p.Plan(context.Background(), evaluate(t, reg, head+tc.src))
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if diff := cmp.Diff(tc.want, summarize(pl)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			if tenant.Reads != 1 {
				t.Errorf("planning read the type %d times; want one bulk read", tenant.Reads)
			}
		})
	}
}

func TestPlanRefusesObjectOfAnotherWorkspace(t *testing.T) {
	tenant := pt.NewTenant(pt.Widget("A", "other", nil))
	reg := tenant.Registry()
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, "exoform { workspace = \"ws\" }\nresource \"fake_widget\" \"a\" { name = \"A\" }"))
	if pl != nil || !ds.HasErrors() {
		t.Fatalf("want an error and no plan, got %v", ds)
	}
	if got := ds[0].Summary; got != "Object owned by another workspace" || ds[0].Subject == nil {
		t.Errorf("got %q at %v", got, ds[0].Subject)
	}
}

// A failed read must never become a plan, least of all one that creates or deletes.
func TestPlanFailsOnReadError(t *testing.T) {
	tenant := pt.NewTenant(pt.Widget("mine", "ws", nil))
	tenant.ReadErr = errors.New("Get-Widget: 500 InternalServerError")
	reg := tenant.Registry()
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, "exoform { workspace = \"ws\" }\nresource \"fake_widget\" \"a\" { name = \"A\" }"))
	if pl != nil {
		t.Fatalf("got a plan from a failed read: %+v", summarize(pl))
	}
	if !ds.HasErrors() || !strings.Contains(ds.Error(), "500 InternalServerError") {
		t.Errorf("diagnostics %v", ds)
	}
}

func TestSavedPlanRoundTripAndStaleness(t *testing.T) {
	tenant := pt.NewTenant(pt.Widget("A", "ws", map[string]cty.Value{"enabled": cty.True}))
	reg := tenant.Registry()
	p := &plan.Planner{Registry: reg}
	ev := evaluate(t, reg, "exoform { workspace = \"ws\" }\nresource \"fake_widget\" \"a\" {\n  name = \"A\"\n  enabled = false\n}\nresource \"fake_widget\" \"b\" { name = \"B\" }")
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl.Fingerprint = plan.Fingerprint(ev)
	var buf bytes.Buffer
	if err := plan.Write(&buf, pl, "test", reg); err != nil {
		t.Fatal(err)
	}
	back, version, err := plan.Read(bytes.NewReader(buf.Bytes()), reg)
	if err != nil {
		t.Fatal(err)
	}
	if version != "test" || back.Fingerprint != pl.Fingerprint {
		t.Errorf("version %q fingerprint %q", version, back.Fingerprint)
	}
	if diff := cmp.Diff(summarize(pl), summarize(back)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if ds := p.CheckStale(context.Background(), back); ds.HasErrors() {
		t.Fatalf("fresh plan reported stale: %v", ds)
	}

	// An administrator changes the object, and another creates B.
	tenant.Set(pt.Widget("A", "ws", map[string]cty.Value{"enabled": cty.True, "size": cty.StringVal("Large")}))
	tenant.Set(pt.Widget("B", "", nil))
	ds = p.CheckStale(context.Background(), back)
	if !ds.HasErrors() {
		t.Fatal("stale plan accepted")
	}
	want := diag.Diagnostics{{Severity: diag.Error, Summary: "Saved plan is stale"}}
	if diff := cmp.Diff(want, ds, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Detail" }, cmp.Ignore())); diff != "" {
		t.Error(diff)
	}
	for _, s := range []string{`fake_widget.a: size was null, now "Large"`, "fake_widget.b: the plan creates it, but it now exists"} {
		if !strings.Contains(ds[0].Detail, s) {
			t.Errorf("detail lacks %q:\n%s", s, ds[0].Detail)
		}
	}
}

func TestReadRejectsBadPlanFiles(t *testing.T) {
	reg := pt.NewTenant().Registry()
	tests := map[string]string{
		"not json":             "hello",
		"other version":        `{"format_version":"99"}`,
		"unknown type":         `{"format_version":"1","changes":[{"type":"nope","action":"create","after":null}]}`,
		"unknown action":       `{"format_version":"1","changes":[{"type":"fake_widget","action":"explode","after":null}]}`,
		"unknown field":        `{"format_version":"1","surprise":1}`,
		"update without prior": `{"format_version":"1","changes":[{"type":"fake_widget","action":"update","after":null}]}`,
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := plan.Read(strings.NewReader(src), reg); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestApplyStopsAtFirstFailure(t *testing.T) {
	tenant := pt.NewTenant()
	reg := tenant.Registry()
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }
resource "fake_widget" "a" { name = "A" }
resource "fake_widget" "b" {
  name = "B"
  comment = fake_widget.a.name
}`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	tenant.FailOp = "New-Widget"
	n, ds := p.Apply(context.Background(), pl, nil)
	if n != 0 || !ds.HasErrors() || !strings.Contains(ds[0].Detail, "Not applied: fake_widget.a, fake_widget.b") {
		t.Errorf("applied %d, %v", n, ds)
	}
	tenant.FailOp = ""
	n, ds = p.Apply(context.Background(), pl, nil)
	if n != 2 || ds.HasErrors() {
		t.Errorf("applied %d, %v", n, ds)
	}
}

func TestPreventDestroy(t *testing.T) {
	const head = "exoform { workspace = \"ws\" }\n"
	protected := pt.Widget("Keep", "ws", nil)
	protected.Protected = true

	// Turning prevent_destroy on is an update of the marker alone.
	tenant := pt.NewTenant(pt.Widget("Keep", "ws", nil))
	reg := tenant.Registry()
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, head+`resource "fake_widget" "k" {
  name = "Keep"
  lifecycle {
    prevent_destroy = true
  }
}`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := []row{{Addr: "fake_widget.k", Action: "update", Attrs: []string{"lifecycle.prevent_destroy: false -> true"},
		Ops: []string{"Set-Widget Identity,Owner"}}}
	if diff := cmp.Diff(want, summarize(pl)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got, _ := pl.Changes[0].Operations[0].Parameters.Get("Owner"); got != "[managed-by exoform workspace=ws prevent_destroy]" {
		t.Errorf("marker written: %v", got)
	}

	// A protected object is not deleted when its block goes away: the plan fails.
	tenant = pt.NewTenant(protected, pt.Widget("Other", "ws", nil))
	reg = tenant.Registry()
	pl, ds = (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, head))
	if pl != nil || !ds.HasErrors() || ds[0].Summary != "Object protected by prevent_destroy" {
		t.Fatalf("plan %v, diagnostics %v", pl, ds)
	}
}

// TestVerifyRefusesAlteredPlans: a saved plan whose operations do not follow from its changes,
// or whose changes break the ownership rules, is refused before anything is sent.
func TestVerifyRefusesAlteredPlans(t *testing.T) {
	tenant := pt.NewTenant(pt.Widget("Mine", "ws", map[string]cty.Value{"enabled": cty.True}), pt.Widget("Theirs", "", nil))
	reg := tenant.Registry()
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }
resource "fake_widget" "m" {
  name    = "Mine"
  enabled = false
}`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var buf bytes.Buffer
	if err := plan.Write(&buf, pl, "test", reg); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	read := func(s string) *plan.Plan {
		t.Helper()
		back, _, err := plan.Read(strings.NewReader(s), reg)
		if err != nil {
			t.Fatal(err)
		}
		return back
	}
	if err := p.Verify(read(good)); err != nil {
		t.Fatalf("an unaltered plan is refused: %v", err)
	}
	theirs := `"prior": {
        "key": "Theirs",
        "id": "id-theirs",
        "values": {"comment": null, "domains": null, "enabled": null, "name": "Theirs", "size": null}
      }`
	tests := map[string]struct{ from, to string }{
		"operations swapped":           {`"cmdlet": "Set-Widget"`, `"cmdlet": "Remove-Widget"`},
		"identity retargeted":          {`"Identity": "Mine"`, `"Identity": "Theirs"`},
		"attribute value":              {`"Enabled": false`, `"Enabled": true`},
		"workspace changed":            {`"workspace": "ws"`, `"workspace": "other"`},
		"delete of an unmarked object": {`"action": "update"`, `"action": "delete"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("the plan file has no %s:\n%s", tc.from, good)
			}
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if name == "delete of an unmarked object" {
				i := strings.Index(bad, `"prior": {`)
				j := strings.Index(bad[i:], "}\n      },") + i + len("}\n      }")
				bad = bad[:i] + theirs + bad[j:]
			}
			back, _, err := plan.Read(strings.NewReader(bad), reg)
			if err != nil {
				return // refused already while reading
			}
			if err := p.Verify(back); err == nil {
				t.Errorf("altered plan accepted:\n%s", bad)
			}
		})
	}
}

func TestEmptyStringEqualsNull(t *testing.T) {
	tenant := pt.NewTenant(pt.Widget("A", "ws", nil))
	reg := tenant.Registry()
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }
resource "fake_widget" "a" {
  name    = "A"
  comment = ""
}`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if pl.HasChanges() {
		t.Errorf("comment \"\" against an unset comment plans %v", summarize(pl))
	}
}
