package docgen

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

func offlineRegistry() *providers.Registry {
	reg := providers.NewRegistry()
	exchange.NewProvider(nil).Register(reg)
	entra.NewProvider(nil).Register(reg)
	return reg
}

// TestOwnExamples: each of docgen's own example files is a configuration that loads and
// evaluates with the real schemas, as validate checks it (warnings allowed: two of them show
// types validate warns about), and documents only types that no scenario in examples/ uses, so
// that none of them is shadowed and left unread.
func TestOwnExamples(t *testing.T) {
	reg := offlineRegistry()
	set, err := loadExamples()
	if err != nil {
		t.Fatal(err)
	}
	project := slices.DeleteFunc(slices.Clone(set), func(f exampleFile) bool { return !strings.HasPrefix(f.source, "examples/") })
	names, err := fs.Glob(ownExamples, "examples/*.exo.hcl")
	if err != nil || len(names) == 0 {
		t.Fatalf("no examples of docgen's own (%v)", err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			src, err := fs.ReadFile(ownExamples, name)
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := schema.LoadSources(map[string][]byte{name: src})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if _, more := schema.Evaluate(cfg, reg, schema.Inputs{}); more.HasErrors() {
				t.Fatal(more)
			}
			f, _ := hclwrite.ParseConfig(src, name, hcl.InitialPos)
			var documented int
			for _, b := range f.Body().Blocks() {
				if b.Type() != "resource" && b.Type() != "data" {
					continue
				}
				documented++
				if ex := project.find(b.Type(), b.Labels()[0]); ex != nil {
					t.Errorf("%s %s has an example in %s: remove it from internal/docgen/%s", b.Type(), b.Labels()[0], ex.Source, name)
				}
			}
			if documented == 0 {
				t.Errorf("%s has no resource or data block", name)
			}
		})
	}
}

// TestBuild: the reference of the real registry has, for every type, calls with known
// purposes, and an example that is a block of that type, formatted as hclwrite formats it.
func TestBuild(t *testing.T) {
	ref, err := Build(offlineRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Resources) == 0 || len(ref.DataSources) == 0 {
		t.Fatalf("%d resources, %d data sources", len(ref.Resources), len(ref.DataSources))
	}
	for _, typ := range append(slices.Clone(ref.Resources), ref.DataSources...) {
		if len(typ.Calls) == 0 {
			t.Errorf("%s documents no calls", typ.Name)
		}
		for _, c := range typ.Calls {
			for _, p := range c.Purposes {
				if !slices.Contains(providers.Purposes, providers.Purpose(p)) {
					t.Errorf("%s: %s has the unknown purpose %q", typ.Name, c.Name, p)
				}
			}
		}
		src := []byte(typ.Example.HCL)
		if got := string(hclwrite.Format(src)); got != typ.Example.HCL {
			t.Errorf("%s: the example is not formatted (-want +got):\n%s", typ.Name, cmp.Diff(got, typ.Example.HCL))
		}
		f, ds := hclwrite.ParseConfig(src, typ.Name, hcl.InitialPos)
		if ds.HasErrors() {
			t.Fatalf("%s: the example does not parse: %v", typ.Name, ds)
		}
		want := "resource"
		if typ.Kind == KindData {
			want = "data"
		}
		if bs := f.Body().Blocks(); len(bs) != 1 || bs[0].Type() != want || bs[0].Labels()[0] != typ.Name {
			t.Errorf("%s: the example is not one %s block of the type:\n%s", typ.Name, want, typ.Example.HCL)
		}
	}
}

// TestBuildIncomplete: a type that does not describe its calls, or has no example, is an error
// naming it, not a reference with a hole.
func TestBuildIncomplete(t *testing.T) {
	_, err := Build(providertest.NewTenant().Registry())
	if err == nil || !strings.Contains(err.Error(), "fake_widget does not describe its calls") {
		t.Fatalf("Build of an undescribed type: %v", err)
	}
}

func TestHCLType(t *testing.T) {
	for _, tc := range []struct {
		typ  cty.Type
		want string
	}{
		{cty.String, "string"},
		{cty.Bool, "bool"},
		{cty.Number, "number"},
		{cty.Set(cty.String), "set(string)"},
		{cty.List(cty.Number), "list(number)"},
		{cty.Map(cty.Set(cty.String)), "map(set(string))"},
	} {
		if got := hclType(tc.typ); got != tc.want {
			t.Errorf("hclType(%#v) = %q, want %q", tc.typ, got, tc.want)
		}
	}
}

func TestReference_Select(t *testing.T) {
	ref, err := Build(offlineRegistry())
	if err != nil {
		t.Fatal(err)
	}
	names := func(ts []*Type) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	tests := map[string]struct {
		args            []string
		resources, data []string
		err             string
	}{
		"one resource":         {args: []string{"exchange_cas_mailbox"}, resources: []string{"exchange_cas_mailbox"}, data: []string{}},
		"a name of both kinds": {args: []string{"entra_service_principal"}, resources: []string{"entra_service_principal"}, data: []string{"entra_service_principal"}},
		"in the order named":   {args: []string{"exchange_transport_rule", "entra_application"}, resources: []string{"exchange_transport_rule", "entra_application"}, data: []string{}},
		"a name twice":         {args: []string{"entra_application", "entra_application"}, resources: []string{"entra_application"}, data: []string{}},
		"an unknown name":      {args: []string{"exchange_cas_mailbox", "exchange_connector"}, err: `no resource type or data source "exchange_connector". The resource types are entra_application, `},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ref.Select(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Select(%q) error %v, want one containing %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([][]string{tc.resources, tc.data}, [][]string{names(got.Resources), names(got.DataSources)}); diff != "" {
				t.Errorf("Select(%q) (-want +got):\n%s", tc.args, diff)
			}
		})
	}
	if all, _ := ref.Select(nil); all != ref {
		t.Errorf("Select(nil) is not the whole reference")
	}
}
