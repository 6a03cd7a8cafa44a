package schema_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// testTypes is a small registry of made-up types that exercise every kind of attribute.
type testTypes map[string]*schema.ResourceType

func (tt testTypes) ResourceType(n string) (*schema.ResourceType, bool) { t, ok := tt[n]; return t, ok }
func (tt testTypes) ResourceTypeNames() []string {
	var out []string
	for n := range tt {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var types = testTypes{
	"test_widget": {
		Name: "test_widget", Keys: []string{"name"},
		Attributes: []*schema.Attribute{
			{Name: "name", Type: cty.String, Required: true, FoldCase: true},
			{Name: "kind", Type: cty.String, Enum: []string{"Small", "Large"}},
			{Name: "enabled", Type: cty.Bool},
			{Name: "tags", Type: cty.Set(cty.String), Validate: func(s string) string {
				if strings.Contains(s, " ") {
					return "Tags contain no spaces."
				}
				return ""
			}},
			{Name: "note", Type: cty.String},
		},
		Check: func(v cty.Value) []schema.AttrProblem {
			if k := v.GetAttr("kind"); !k.IsNull() && k.AsString() == "Large" && v.GetAttr("enabled").IsNull() {
				return []schema.AttrProblem{{Attr: "kind", Summary: "Large widgets need enabled", Detail: "Set enabled."}}
			}
			return nil
		},
	},
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srcs := map[string][]byte{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), schema.FileSuffix) {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			srcs[e.Name()] = b
		}
	}
	return srcs
}

func loadAndEval(t *testing.T, srcs map[string][]byte, in schema.Inputs) (*schema.Evaluated, diag.Diagnostics) {
	t.Helper()
	cfg, ds := schema.LoadSources(srcs)
	if ds.HasErrors() {
		return nil, ds
	}
	ev, more := schema.Evaluate(cfg, types, in)
	ds.Append(more)
	return ev, ds
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Severity.String() + ": " + d.String() + "\n")
	}
	return b.String()
}

// TestInvalid loads each directory under testdata/invalid and compares the diagnostics with
// its diags.golden. Every diagnostic must carry a source location.
func TestInvalid(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/invalid/*")
	if len(dirs) == 0 {
		t.Fatal("no test cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			env := map[string]string{}
			_, ds := loadAndEval(t, readDir(t, dir), schema.Inputs{Getenv: func(k string) string { return env[k] }})
			if !ds.HasErrors() {
				t.Fatalf("want errors, got none")
			}
			for _, d := range ds {
				if d.Subject == nil {
					t.Errorf("diagnostic without a location: %s", d)
				}
			}
			golden.Assert(t, filepath.Join(dir, "diags.golden"), diagText(ds))
		})
	}
}

func TestValid(t *testing.T) {
	ev, ds := loadAndEval(t, readDir(t, "testdata/valid"), schema.Inputs{
		Vars:   []string{"count_extra=2"},
		Getenv: func(k string) string { return map[string]string{"EXOFORM_VAR_env_note": "from env"}[k] },
	})
	if ds.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", diagText(ds))
	}
	type inst struct {
		Addr      string
		Value     string
		DependsOn []string
	}
	var got []inst
	for _, in := range ev.Instances {
		got = append(got, inst{in.Addr, in.Value.GoString(), in.DependsOn})
	}
	var b strings.Builder
	for _, g := range got {
		b.WriteString(g.Addr + " depends_on=" + strings.Join(g.DependsOn, ",") + "\n  " + g.Value + "\n")
	}
	golden.Assert(t, "testdata/valid/instances.golden", b.String())
	var outs []string
	for _, o := range ev.Outputs {
		outs = append(outs, fmt.Sprintf("%s sensitive=%v %s", o.Name, o.Sensitive, o.Value.GoString()))
	}
	if diff := cmp.Diff([]string{
		`extras sensitive=false cty.ObjectVal(map[string]cty.Value{"extra-0":cty.StringVal("follows BASE"), "extra-1":cty.StringVal("follows BASE")})`,
		`secret sensitive=true cty.StringVal("hunter2")`,
	}, outs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if ev.Workspace != "test" || ev.TenantID != "contoso.onmicrosoft.com" {
		t.Errorf("workspace %q tenant %q", ev.Workspace, ev.TenantID)
	}
}

func TestVariablePrecedence(t *testing.T) {
	src := map[string][]byte{"main.exo.hcl": []byte(`
exoform { workspace = "w" }
variable "v" { default = "default" }
resource "test_widget" "a" { name = var.v }
`)}
	dir := t.TempDir()
	varFile := filepath.Join(dir, "vars.hcl")
	if err := os.WriteFile(varFile, []byte(`v = "file"`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "EXOFORM_VAR_v" {
			return "env"
		}
		return ""
	}
	tests := []struct {
		name string
		in   schema.Inputs
		want string
	}{
		{"default", schema.Inputs{}, "default"},
		{"env over default", schema.Inputs{Getenv: env}, "env"},
		{"file over env", schema.Inputs{Getenv: env, VarFiles: []string{varFile}}, "file"},
		{"flag over file", schema.Inputs{Getenv: env, VarFiles: []string{varFile}, Vars: []string{"v=flag"}}, "flag"},
		{"last flag wins", schema.Inputs{Vars: []string{"v=one", "v=two"}}, "two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, ds := loadAndEval(t, src, tc.in)
			if ds.HasErrors() {
				t.Fatal(diagText(ds))
			}
			if diff := cmp.Diff(tc.want, ev.Instances[0].Key()); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestTenantFromEnvironment(t *testing.T) {
	src := map[string][]byte{"main.exo.hcl": []byte(`exoform { workspace = "w" }`)}
	ev, ds := loadAndEval(t, src, schema.Inputs{Getenv: func(k string) string {
		if k == "AZURE_TENANT_ID" {
			return "fabrikam.onmicrosoft.com"
		}
		return ""
	}})
	if ds.HasErrors() {
		t.Fatal(diagText(ds))
	}
	if ev.TenantID != "fabrikam.onmicrosoft.com" {
		t.Errorf("tenant %q", ev.TenantID)
	}
}
