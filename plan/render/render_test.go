package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/render"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

func samplePlan(t *testing.T) (*plan.Plan, *providers.Registry) {
	t.Helper()
	tenant := pt.NewTenant(
		pt.Widget("Existing", "", map[string]cty.Value{"enabled": cty.True}),
		pt.Widget("Mine", "ws", map[string]cty.Value{"enabled": cty.True, "domains": cty.SetVal([]cty.Value{cty.StringVal("a.com")})}),
		pt.Widget("Gone", "ws", map[string]cty.Value{"size": cty.StringVal("Large"), "comment": cty.StringVal("it's | <old>")}),
		pt.Widget("Same", "ws", nil),
	)
	reg := tenant.Registry()
	src := `exoform {
  workspace = "ws"
}
resource "fake_widget" "new" {
  name    = "New"
  size    = "Small"
  domains = ["b.com", "a.com"]
  comment = "O'Brien's\nsecond line"
}
resource "fake_widget" "existing" {
  name    = "Existing"
  enabled = false
}
resource "fake_widget" "mine" {
  name    = "Mine"
  domains = ["a.com", "c.com"]
}
resource "fake_widget" "same" {
  name = "Same"
}
`
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl.Tenant = "contoso.onmicrosoft.com"
	pl.Outputs = []schema.OutputValue{
		{Name: "relay", Value: cty.StringVal("Accounting relay")},
		{Name: "client_secret", Sensitive: true, Value: cty.StringVal("must-not-appear")},
	}
	return pl, reg
}

func TestRenderings(t *testing.T) {
	pl, reg := samplePlan(t)
	m := render.NewModel(pl, reg)
	var text, color, md, js bytes.Buffer
	render.Text(&text, m, render.Style{})
	render.Text(&color, m, render.Style{Color: true})
	if err := render.Markdown(&md, m, render.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := render.JSON(&js, m); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/plan.txt", text.String())
	golden.Assert(t, "testdata/plan.color.txt", color.String())
	golden.Assert(t, "testdata/plan.md", md.String())
	golden.Assert(t, "testdata/plan.json", js.String())
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back["format_version"] != render.FormatVersion {
		t.Errorf("JSON output does not carry its format_version: %v", err)
	}
	if bytes.Contains(text.Bytes(), []byte("\x1b[")) {
		t.Error("colour codes without colour")
	}
	for _, out := range []*bytes.Buffer{&text, &color, &md, &js} {
		if bytes.Contains(out.Bytes(), []byte("must-not-appear")) {
			t.Errorf("a sensitive output is printed:\n%s", out)
		}
	}
}

func TestNoChanges(t *testing.T) {
	reg := pt.NewTenant().Registry()
	// The nightly report of a tenant without drift: its warnings, and the outputs after them.
	m := render.NewModel(&plan.Plan{Workspace: "ws", Tenant: "t",
		Diagnostics: diag.Diagnostics{{Severity: diag.Warning, Summary: "Client secret expires soon", Address: "entra_application.relay", Detail: "It ends in 8 days."}},
		Outputs:     []schema.OutputValue{{Name: "relay", Value: cty.StringVal("Accounting relay")}},
	}, reg)
	var text, md bytes.Buffer
	render.Text(&text, m, render.Style{})
	if err := render.Markdown(&md, m, render.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/nochanges.txt", text.String())
	golden.Assert(t, "testdata/nochanges.md", md.String())
}

func TestCommand(t *testing.T) {
	op := providers.Operation{Service: providers.Exchange, Cmdlet: "Set-Mailbox", Parameters: providers.Params{
		{Name: "Identity", Value: "info@contoso.com"},
		{Name: "EmailAddresses", Value: providers.AddRemove{Add: []string{"smtp:a@contoso.com"}, Remove: []string{"smtp:o'b@contoso.com"}}},
		{Name: "HiddenFromAddressListsEnabled", Value: true},
		{Name: "CustomAttribute15", Value: nil},
		{Name: "Confirm", Value: providers.Switch(false)},
		{Name: "Shared", Value: providers.Switch(true)},
		{Name: "Priority", Value: int64(2)},
	}}
	want := `Set-Mailbox -Identity 'info@contoso.com' -EmailAddresses @{Add=@('smtp:a@contoso.com'); Remove=@('smtp:o''b@contoso.com')} -HiddenFromAddressListsEnabled:$true -CustomAttribute15 $null -Confirm:$false -Shared -Priority 2`
	if got := render.Command(op); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
