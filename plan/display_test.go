package plan_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

func TestDisplay(t *testing.T) {
	grantType := pt.AppType.Attribute("grant").Type
	tests := []struct {
		v    cty.Value
		want string
	}{
		{cty.NilVal, "null"},
		{cty.NullVal(cty.String), "null"},
		{cty.StringVal(`say "hi"`), `"say \"hi\""`},
		{cty.NumberIntVal(42), "42"},
		{cty.NumberFloatVal(2.5), "2.5"},
		{cty.False, "false"},
		{cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), `["a", "b"]`},
		{cty.SetValEmpty(cty.String), "[]"},
		// A block, as written in the configuration: attributes sorted, null and empty ones left out.
		{pt.Grant("Graph", "Delegated", "User.Read", "Mail.Send"), `{ kind = "Delegated", resource = "Graph", scopes = ["Mail.Send", "User.Read"] }`},
		{pt.Grant("Graph", ""), `{ resource = "Graph" }`},
		{pt.Grant("Graph", "", []string{}...), `{ resource = "Graph" }`},
		{cty.SetVal([]cty.Value{pt.Grant("Graph", "Delegated", "Mail.Send")}), `[{ kind = "Delegated", resource = "Graph", scopes = ["Mail.Send"] }]`},
		{cty.SetValEmpty(grantType.ElementType()), "[]"},
		{cty.NullVal(grantType), "null"},
		{cty.StringVal(schema.Placeholder("fake_app.a", "app_id")), `"⟪Known after apply: fake_app.a.app_id⟫"`},
	}
	for _, tc := range tests {
		if got := plan.Display(tc.v); got != tc.want {
			t.Errorf("Display(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
	// Two blocks: each is shown whole, in a stable order.
	two := cty.SetVal([]cty.Value{pt.Grant("Graph", "", "Mail.Send"), pt.Grant("Exchange", "Application")})
	got := plan.Display(two)
	if got != plan.Display(two) || !strings.HasPrefix(got, "[{ ") || !strings.HasSuffix(got, " }]") ||
		!strings.Contains(got, `{ resource = "Graph", scopes = ["Mail.Send"] }`) || !strings.Contains(got, `{ kind = "Application", resource = "Exchange" }`) {
		t.Errorf("Display = %s", got)
	}
}

// Repeatable blocks in a plan: equal sets plan nothing whatever their order and case; a changed
// block is an update showing the blocks before and after.
func TestPlanBlocks(t *testing.T) {
	live := pt.App("Portal", "ws", "app-1",
		pt.Grant("Graph", "Delegated", "Mail.Send", "User.Read"),
		pt.Grant("Exchange", "Application", "full_access_as_app"))
	src := `resource "fake_app" "portal" {
  name = "portal"
  grant {
    resource = "exchange"
    kind     = "application"
    scopes   = ["Full_Access_As_App"]
  }
  grant {
    resource = "Graph"
    kind     = "Delegated"
    scopes   = ["user.read", "Mail.Send"]
  }
}
`
	plans := func(src string) *plan.Plan {
		t.Helper()
		s := newLiveSetup(live)
		p := &plan.Planner{Registry: s.reg}
		ev, ds := p.Evaluate(context.Background(), load(t, src), schema.Inputs{})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		pl, ds := p.Plan(context.Background(), ev)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return pl
	}
	if diff := cmp.Diff([]row{{Addr: "fake_app.portal", Action: "no-op"}}, summarize(plans(src))); diff != "" {
		t.Errorf("equal blocks (-want +got):\n%s", diff)
	}

	pl := plans(strings.Replace(src, `"Mail.Send"`, `"Mail.Read"`, 1))
	if len(pl.Changes) != 1 || pl.Changes[0].Action != plan.Update || len(pl.Changes[0].Attrs) != 1 {
		t.Fatalf("changed block: %+v", summarize(pl))
	}
	a := pl.Changes[0].Attrs[0]
	before, after := plan.Display(a.Before), plan.Display(a.After)
	if a.Name != "grant" || !strings.Contains(before, `scopes = ["Mail.Send", "User.Read"]`) || !strings.Contains(after, `scopes = ["Mail.Read", "user.read"]`) ||
		!strings.Contains(after, `{ kind = "Application", resource = "exchange", scopes = ["Full_Access_As_App"] }`) {
		t.Errorf("grant: %s -> %s", before, after)
	}
	op := pl.Changes[0].Operations[0]
	if op.Method != "PATCH" || !strings.Contains(string(op.Body), `"grants":[`) || !strings.Contains(string(op.Body), `"Mail.Read"`) {
		t.Errorf("operation %s %s", op, op.Body)
	}

	// A block with a bad enum value is refused before anything is read.
	s := newLiveSetup(live)
	_, ds := (&plan.Planner{Registry: s.reg}).Evaluate(context.Background(), load(t, strings.Replace(src, `"application"`, `"Applicaton"`, 1)), schema.Inputs{})
	if !ds.HasErrors() || !strings.Contains(ds.Error(), `"Applicaton" is not a valid value for kind`) || s.apps.Reads != 0 {
		t.Errorf("reads %d, %v", s.apps.Reads, ds)
	}
}

// A saved plan keeps placeholders and what operations produce, and verifies.
func TestSavedPlanWithPlaceholders(t *testing.T) {
	s := newLiveSetup()
	p := &plan.Planner{Registry: s.reg}
	ev, ds := p.Evaluate(context.Background(), load(t, portalSrc+`resource "fake_app" "uses" {
  name = "Uses"
  grant {
    resource = fake_app.portal.app_id
    scopes   = ["x"]
  }
}
`), schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var buf bytes.Buffer
	if err := plan.Write(&buf, pl, "test", s.reg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"produces": {`, `"appId": "fake_app.portal.app_id"`, schema.Placeholder("fake_app.portal", "app_id")} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the plan file lacks %s:\n%s", want, buf.String())
		}
	}
	back, _, err := plan.Read(bytes.NewReader(buf.Bytes()), s.reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(back); err != nil {
		t.Fatalf("the saved plan does not verify: %v", err)
	}
	if diff := cmp.Diff(summarize(pl), summarize(back)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	uses := change(t, back, "fake_app.uses")
	g := uses.After.GetAttr("grant")
	if g.LengthInt() != 1 || !strings.Contains(plan.Display(g), schema.Placeholder("fake_app.portal", "app_id")) {
		t.Errorf("grant after reading: %s", plan.Display(g))
	}
}
