package plan_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/render"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

// FuzzRead: a plan file from anywhere must be read or refused with an error, never panic. One
// that is read must write back, and what is written must read back to the same plan (a reader
// that dropped a field would apply a plan other than the one reviewed); it can be verified and
// shown. Seeds: hand-written files, and files Write made from plans of every fake type, action
// and kind of attribute.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"format_version":"1","changes":[]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"address":"fake_widget.a","type":"fake_widget","key":"A","action":"create","prior":null,"after":{"name":"A","size":null,"enabled":true,"domains":["a.com"],"comment":null},"operations":[{"service":"fake","cmdlet":"New-Widget","parameters":{"Name":"A","X":[1]}}]}]}`))
	f.Add([]byte(`{"format_version":"1","changes":[{"type":"fake_widget","action":"delete","prior":{"key":"A","values":{"name":1}},"after":null}]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"type":"fake_widget","action":"update","key":"A","prior":{"key":"A","owner":"w","values":null},"after":{"name":"A"}}]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"type":"fake_widget","action":"delete","key":"A","prior":{"key":"A","owner":"w","values":{"name":"A","size":null,"enabled":null,"domains":null,"comment":null}},"after":null,"operations":[{"service":"fake","cmdlet":"Remove-Widget","parameters":{"Identity":"A"}}]}]}`))
	f.Add([]byte(`{"format_version":"1","changes":[null]}`))
	f.Add([]byte(`{"format_version":"2","changes":[]}`))
	f.Add([]byte(`{"format_version":"1","changes":[{"type":"fake_widget","action":"create","after":{"name":"A"},"attributes":[{"name":"nope","before":null,"after":1}]}]}`))
	f.Add([]byte("\xef\xbb\xbf{\"format_version\":\"1\"}"))
	f.Add([]byte(strings.Repeat("[", 20_000)))
	reg, seeds := planSeeds(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := plan.Read(bytes.NewReader(data), reg)
		if err != nil {
			msg := err.Error()
			if msg == "" || strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine") {
				t.Fatalf("refusal does not say why: %q", msg)
			}
			return
		}
		var first bytes.Buffer
		if err := plan.Write(&first, p, "fuzz", reg); err != nil {
			t.Fatalf("a plan that was read cannot be written: %v", err)
		}
		again, _, err := plan.Read(bytes.NewReader(first.Bytes()), reg)
		if err != nil {
			t.Fatalf("a plan written from one that was read cannot be read: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := plan.Write(&second, again, "fuzz", reg); err != nil {
			t.Fatalf("a plan read back cannot be written: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("a plan changed through writing and reading:\nfirst:\n%s\nsecond:\n%s", first.Bytes(), second.Bytes())
		}
		// Whatever was read can be verified and shown without a panic.
		_ = (&plan.Planner{Registry: reg}).Verify(p)
		render.Text(io.Discard, render.NewModel(p, reg), render.Style{})
	})
}

// planSeeds returns a registry of every fake type and plan files Write made from plans against
// it: create, update, adopt and delete, sets, tri-states, numbers, and a data-bearing type.
func planSeeds(f *testing.F) (*providers.Registry, [][]byte) {
	f.Helper()
	widgets := pt.NewTenant(
		pt.Widget("Existing", "", map[string]cty.Value{"enabled": cty.True}),
		pt.Widget("Changed", "ws", map[string]cty.Value{"size": cty.StringVal("Small"), "domains": cty.SetVal([]cty.Value{cty.StringVal("a.com")})}),
		pt.Widget("Gone", "ws", map[string]cty.Value{"comment": cty.StringVal("line one\nline two ' \" ⟪x⟫")}),
	)
	settings := pt.NewTenantOf(pt.SettingType, pt.Object(pt.SettingType, "alice@contoso.com", "", map[string]cty.Value{"enabled": cty.False}))
	notes := pt.NewTenantOf(pt.NoteType)
	boxes := pt.NewTenantOf(pt.BoxType, pt.Object(pt.BoxType, "old@contoso.com", "ws", nil))
	reg := pt.Registry(widgets, settings, notes, boxes)
	configs := []string{
		`resource "fake_widget" "new" {
  name    = "New"
  size    = "large"
  domains = ["contoso.com", "fabrikam.com"]
  comment = "A 'quoted' comment"
}
resource "fake_widget" "existing" {
  name    = "Existing"
  enabled = false
}
resource "fake_widget" "changed" {
  name    = "Changed"
  size    = "Large"
  domains = []
}
resource "fake_setting" "alice" {
  identity      = "alice@contoso.com"
  enabled       = true
  auth_disabled = "inherit"
}
resource "fake_note" "n" {
  box      = "alice@contoso.com"
  name     = "Import"
  priority = 2
}
resource "fake_box" "b" {
  address      = "new@contoso.com"
  display_name = "New box"
  lifecycle {
    prevent_destroy = true
  }
}
resource "fake_box" "old" {
  address = "old@contoso.com"
}`,
		`resource "fake_box" "old" {
  address = "old@contoso.com"
  lifecycle {
    allow_destroy = true
  }
}`,
	}
	var out [][]byte
	for _, src := range configs {
		cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform { workspace = \"ws\" }\n" + src)})
		if ds.HasErrors() {
			f.Fatal(ds)
		}
		ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
		if ds.HasErrors() {
			f.Fatal(ds)
		}
		p, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
		if ds.HasErrors() {
			f.Fatal(ds)
		}
		var b bytes.Buffer
		if err := plan.Write(&b, p, "seed", reg); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return reg, out
}
