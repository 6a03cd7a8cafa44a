package script_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/internal/pwshgrammar"
	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/script"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

// planOf plans src against a fake tenant holding objs.
func planOf(t *testing.T, src string, objs ...providers.LiveObject) (*plan.Plan, *providers.Registry) {
	t.Helper()
	reg := pt.NewTenant(objs...).Registry()
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
	return pl, reg
}

const sample = `exoform {
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
`

func samplePlan(t *testing.T) (*plan.Plan, *providers.Registry) {
	return planOf(t, sample,
		pt.Widget("Existing", "", map[string]cty.Value{"enabled": cty.True}),
		pt.Widget("Mine", "ws", map[string]cty.Value{"enabled": cty.True, "domains": cty.SetVal([]cty.Value{cty.StringVal("a.com")})}),
		pt.Widget("Gone", "ws", map[string]cty.Value{"size": cty.StringVal("Large"), "comment": cty.StringVal("it's | <old>")}),
	)
}

func TestScriptGolden(t *testing.T) {
	pl, reg := samplePlan(t)
	got, ds := script.Write(pl, reg, script.Source{Version: "test", Plan: "ws.plan", Config: "main.exo.hcl"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	golden.Assert(t, "testdata/sample.ps1", got)
	for _, want := range []string{
		"#Requires -Version 7.0\n",
		"\nSet-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n",
		"# Plan: 1 to create, 1 to adopt, 1 to update, 1 to delete.",
		"New-Widget -Name 'New'",
		"Remove-Widget -Identity 'Gone'",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
}

func TestScriptParsesAndRunsOnlyThePlansCommands(t *testing.T) {
	pl, reg := samplePlan(t)
	got, ds := script.Write(pl, reg, script.Source{Version: "test"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res := pwshgrammar.ParseSource(t, got)
	if len(res.Errors) > 0 {
		t.Fatalf("the script does not parse: %v", res.Errors)
	}
	want := map[string]int{"New-Widget": 1, "Set-Widget": 2, "Remove-Widget": 1, "Get-Widget": 4}
	counts := map[string]int{}
	for _, c := range res.Commands {
		if strings.HasSuffix(c.Name, "-Widget") {
			counts[c.Name]++
		}
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("widget commands (-want +got):\n%s", diff)
	}
}

// hostileNames are names built to end a literal and run a command of their own.
var hostileNames = []string{
	"O'Brien", "\u2019; Remove-Widget -Identity boss; \u2018", "a\u2018b\u2019c\u201ad\u201be",
	"x'; Remove-Widget -Identity boss; 'y", "$(Remove-Widget -Identity boss)", "`$(Remove-Widget boss)`",
	"line one\nRemove-Widget -Identity boss", "semi; Remove-Widget boss", "hash # Remove-Widget boss",
	"\"; Remove-Widget boss; \"", "@'\nRemove-Widget boss\n'@", "crlf\r\nRemove-Widget boss", "bidi\u202eRemove-Widget",
}

// TestHostileNamesProduceNoCommand writes a plan whose names and values are built to break
// out of their literals, parses the script with the PowerShell grammar, and checks that it
// holds exactly the commands of the plan: no value became a command.
func TestHostileNamesProduceNoCommand(t *testing.T) {
	var b strings.Builder
	b.WriteString("exoform {\n  workspace = \"ws\"\n}\n")
	var objs []providers.LiveObject
	for i, n := range hostileNames {
		fmt.Fprintf(&b, "resource \"fake_widget\" \"w%d\" {\n  name = %s\n  domains = [%s]\n}\n", i, hclString(n), hclString(n+".example"))
		// Half exist unmarked, so the plan adopts them and their prior values are in the guards.
		if i%2 == 0 {
			objs = append(objs, pt.Widget(n, "", map[string]cty.Value{"size": cty.StringVal(n)}))
		}
	}
	pl, reg := planOf(t, b.String(), objs...)
	got, ds := script.Write(pl, reg, script.Source{Version: "test", Config: hostileNames[0]})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res := pwshgrammar.ParseSource(t, got)
	if len(res.Errors) > 0 {
		t.Fatalf("the script does not parse: %v", res.Errors)
	}
	counts := map[string]int{}
	for _, c := range res.Commands {
		if strings.HasSuffix(c.Name, "-Widget") {
			counts[c.Name]++
		}
	}
	want := map[string]int{"Get-Widget": len(hostileNames), "New-Widget": len(hostileNames) / 2, "Set-Widget": (len(hostileNames) + 1) / 2}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("widget commands (-want +got); a value became a command:\n%s", diff)
	}
}

func hclString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(s) + `"`
}

func TestRefusesWhatAScriptCannotCarry(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
	}{
		{"NUL in a value", "exoform {\n  workspace = \"ws\"\n}\nresource \"fake_widget\" \"a\" {\n  name = \"a\"\n  size = \"Small\"\n  domains = [\"x\\u0000y\"]\n}\n", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, reg := planOf(t, tt.src)
			_, ds := script.Write(pl, reg, script.Source{})
			if !ds.HasErrors() || !strings.Contains(ds.Error(), tt.want) {
				t.Fatalf("got %v, want an error about %s", ds, tt.want)
			}
			if !strings.Contains(ds.Error(), "fake_widget.a") {
				t.Errorf("the error does not name the change: %v", ds)
			}
		})
	}
}

func TestNoChangesScript(t *testing.T) {
	pl, reg := planOf(t, "exoform {\n  workspace = \"ws\"\n}\nresource \"fake_widget\" \"a\" {\n  name = \"a\"\n}\n", pt.Widget("a", "ws", nil))
	got, ds := script.Write(pl, reg, script.Source{Version: "test"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if !strings.Contains(got, "nothing to do") || strings.Contains(got, "Widget") {
		t.Errorf("a plan without changes should do nothing:\n%s", got)
	}
}
