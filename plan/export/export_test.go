package export

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

func widget(name, owner, comment string, domains ...string) providers.LiveObject {
	attrs := map[string]cty.Value{"enabled": cty.True}
	if comment != "" {
		attrs["comment"] = cty.StringVal(comment)
	}
	if domains != nil {
		vs := make([]cty.Value, len(domains))
		for i, d := range domains {
			vs[i] = cty.StringVal(d)
		}
		attrs["domains"] = cty.SetVal(vs)
	} else {
		attrs["domains"] = cty.SetValEmpty(cty.String)
	}
	return providertest.Widget(name, owner, attrs)
}

// roundTrip exports reg, loads the files with the real loader and returns the declared
// values by key.
func roundTrip(t *testing.T, o Options) (*Result, map[string]cty.Value) {
	t.Helper()
	if o.Workspace == "" {
		o.Workspace = "exported"
	}
	if o.Tenant == "" {
		o.Tenant = "contoso.onmicrosoft.com"
	}
	res, err := Export(context.Background(), o)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	cfg, ds := schema.LoadSources(res.Files)
	if ds.HasErrors() {
		t.Fatalf("the exported files do not load: %v\n%s", ds, dump(res.Files))
	}
	ev, ds := schema.Evaluate(cfg, o.Registry, schema.Inputs{Getenv: func(string) string { return "" }})
	if ds.HasErrors() {
		t.Fatalf("the exported files do not evaluate: %v\n%s", ds, dump(res.Files))
	}
	if ev.Workspace != o.Workspace {
		t.Errorf("workspace = %q, want %q", ev.Workspace, o.Workspace)
	}
	got := map[string]cty.Value{}
	for _, in := range ev.Instances {
		got[in.Type.Name+" "+in.Key()] = in.Value
	}
	return res, got
}

func dump(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString("=== " + n + "\n")
		b.Write(files[n])
	}
	return b.String()
}

// TestExport_RoundTrip: what the tenant holds, however awkward, is what the exported
// configuration declares.
func TestExport_RoundTrip(t *testing.T) {
	objs := []providers.LiveObject{
		widget("Partner A", "", "plain", "a.example", "b.example"),
		widget("partner-a", "", "interpolation ${var.x} and %{ if true }directive", "c.example", "d.example", "e.example", "f.example"),
		widget("Relay \"quoted\" \\ back", "", "line one\nline two\r\nwindows\ttab"),
		widget("365 relay", "", "starts with a digit"),
		widget("Müller Ölz", "", "unicode ‮bidi‬ and emoji 📨"),
	}
	ten := providertest.NewTenant(objs...)
	_, got := roundTrip(t, Options{Registry: ten.Registry()})
	if len(got) != len(objs) {
		t.Fatalf("declared %d objects, want %d", len(got), len(objs))
	}
	for _, o := range objs {
		v, ok := got["fake_widget "+o.Key]
		if !ok {
			t.Errorf("%q not declared", o.Key)
			continue
		}
		for _, a := range []string{"name", "comment", "enabled"} {
			if !v.GetAttr(a).RawEquals(o.Value.GetAttr(a)) {
				t.Errorf("%q: %s = %#v, want %#v", o.Key, a, v.GetAttr(a), o.Value.GetAttr(a))
			}
		}
		want := o.Value.GetAttr("domains")
		if want.LengthInt() == 0 {
			if !v.GetAttr("domains").IsNull() {
				t.Errorf("%q: an empty set is declared as %#v, want it left out", o.Key, v.GetAttr("domains"))
			}
		} else if !v.GetAttr("domains").Equals(want).True() {
			t.Errorf("%q: domains = %#v, want %#v", o.Key, v.GetAttr("domains"), want)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		keys []string
		want map[string]string
	}{
		{[]string{"Accounting relay", "support@contoso.com"}, map[string]string{"Accounting relay": "accounting_relay", "support@contoso.com": "support_contoso_com"}},
		{[]string{"365 relay"}, map[string]string{"365 relay": "_365_relay"}},
		{[]string{"Müller Ölz"}, map[string]string{"Müller Ölz": "muller_olz"}},
		{[]string{"東京"}, map[string]string{"東京": "object"}},
		{[]string{"!!!"}, map[string]string{"!!!": "object"}},
		// Two keys with one slug both get a hash, so neither name depends on the other's order.
		{[]string{"Partner A", "partner-a"}, map[string]string{"Partner A": "partner_a_" + hash("Partner A"), "partner-a": "partner_a_" + hash("partner-a")}},
		{[]string{strings.Repeat("long name ", 10)}, map[string]string{strings.Repeat("long name ", 10): strings.TrimRight(strings.Repeat("long_name_", 6), "_") + "_" + hash(strings.Repeat("long name ", 10))}},
	}
	for _, tt := range tests {
		got := names(tt.keys)
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("names(%q) (-want +got):\n%s", tt.keys, d)
		}
		rev := append([]string(nil), tt.keys...)
		sort.Sort(sort.Reverse(sort.StringSlice(rev)))
		if d := cmp.Diff(got, names(rev)); d != "" {
			t.Errorf("names depend on the order of the keys:\n%s", d)
		}
	}
}

// ruled is a fake type with export rules.
type ruled struct {
	*providertest.Tenant
	rules providers.ExportRules
}

func (r ruled) ExportRules() providers.ExportRules { return r.rules }

type scopedRuled struct {
	*providertest.ScopedTenant
	rules providers.ExportRules
}

func (r scopedRuled) ExportRules() providers.ExportRules { return r.rules }

func registryOf(rs ...providers.Resource) *providers.Registry {
	reg := providers.NewRegistry()
	for _, r := range rs {
		reg.AddResource(r)
	}
	return reg
}

// TestExport_Rules: owners, omitted objects, scoped reads and references.
func TestExport_Rules(t *testing.T) {
	boxes := providertest.NewTenantOf(providertest.BoxType,
		providertest.Object(providertest.BoxType, "info@contoso.com", "", map[string]cty.Value{"display_name": cty.StringVal("Info")}),
		providertest.Object(providertest.BoxType, "hr@contoso.com", "other", map[string]cty.Value{"display_name": cty.StringVal("HR")}),
		providertest.Object(providertest.BoxType, "mine@contoso.com", "exported", map[string]cty.Value{"display_name": cty.StringVal("Mine")}),
	)
	settings := providertest.NewTenantOf(providertest.SettingType,
		providertest.Object(providertest.SettingType, "info@contoso.com", "", map[string]cty.Value{"enabled": cty.True, "auth_disabled": cty.StringVal("false")}),
		providertest.Object(providertest.SettingType, "mine@contoso.com", "", map[string]cty.Value{"enabled": cty.True, "auth_disabled": cty.StringVal("inherit")}),
		providertest.Object(providertest.SettingType, "hr@contoso.com", "", map[string]cty.Value{"enabled": cty.True, "auth_disabled": cty.StringVal("true")}),
	)
	scoped := &providertest.ScopedTenant{Tenant: settings, Containers: map[string]bool{"info@contoso.com": true, "mine@contoso.com": true, "hr@contoso.com": true}}
	reg := registryOf(boxes, scopedRuled{scoped, providers.ExportRules{
		Scope: providertest.BoxType.Name,
		Refs:  map[string]string{"identity": providertest.BoxType.Name},
		Value: func(o providers.LiveObject) (cty.Value, bool) {
			return o.Value, o.Value.GetAttr("auth_disabled").AsString() != "inherit"
		},
	}})
	res, got := roundTrip(t, Options{Registry: reg})
	wantTypes := []TypeResult{
		{Type: "fake_box", Exported: 2, OtherWorkspaces: 1},
		{Type: "fake_setting", Exported: 1, Omitted: 1},
	}
	if d := cmp.Diff(wantTypes, res.Types); d != "" {
		t.Errorf("types (-want +got):\n%s", d)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"fake_box info@contoso.com", "fake_box mine@contoso.com", "fake_setting info@contoso.com"}
	if d := cmp.Diff(want, keys); d != "" {
		t.Errorf("declared (-want +got):\n%s", d)
	}
	// Only the exported mailboxes' settings were asked for: not hr@, owned by another workspace.
	if s := string(res.Files["fake_setting.exo.hcl"]); !strings.Contains(s, "identity      = fake_box.info_contoso_com.address") || !strings.Contains(s, "auth_disabled = false") {
		t.Errorf("fake_setting.exo.hcl does not refer to the box or lost the tri-state:\n%s", s)
	}
	if v := got["fake_setting info@contoso.com"].GetAttr("auth_disabled"); v.AsString() != "false" {
		t.Errorf("auth_disabled = %#v, want \"false\"", v)
	}
}

func TestExport_Golden(t *testing.T) {
	ten := providertest.NewTenant(
		widget("Accounting relay", "", "Invoices.\nSecond line.", "contoso.com", "billing.contoso.com", "a.contoso.com", "b.contoso.com"),
		widget("Partner fabrikam", "", "", "fabrikam.com"),
	)
	notes := providertest.NewTenantOf(providertest.NoteType,
		providertest.Object(providertest.NoteType, schema.JoinKey("info@contoso.com", "Import copy"), "", map[string]cty.Value{
			"box": cty.StringVal("info@contoso.com"), "name": cty.StringVal("Import copy"), "priority": cty.NumberIntVal(2)}),
	)
	res, _ := roundTrip(t, Options{Registry: registryOf(ten, notes), Workspace: "mail-config"})
	golden.Assert(t, "testdata/export.golden", dump(res.Files))
}

func TestExport_Errors(t *testing.T) {
	broken := providertest.NewTenant(widget("a", "", ""))
	broken.ReadErr = errors.New("HTTP 503 from Get-Widget")
	never := ruled{providertest.NewTenantOf(providertest.BoxType), providers.ExportRules{Never: true, Skip: "boxes hold secrets"}}
	tests := []struct {
		name  string
		o     Options
		wantE string
	}{
		{"failed read", Options{Registry: broken.Registry()}, "reading the live fake_widget objects: HTTP 503 from Get-Widget"},
		{"unknown type", Options{Registry: broken.Registry(), Types: []string{"fake_gadget"}}, `--types: "fake_gadget" is not a resource type; the types are fake_widget`},
		{"never exported", Options{Registry: registryOf(never), Types: []string{"fake_box"}}, "--types: fake_box cannot be exported: boxes hold secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Export(context.Background(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.wantE) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantE)
			}
			if res != nil {
				t.Errorf("a failed export returned files")
			}
		})
	}
	// A type that is skipped by default is reported, not read.
	res, err := Export(context.Background(), Options{Registry: registryOf(never, providertest.NewTenant()), Workspace: "w", Tenant: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Skipped{{Type: "fake_box", Reason: "boxes hold secrets"}}, res.Skipped); d != "" {
		t.Errorf("skipped (-want +got):\n%s", d)
	}
}

// FuzzExport_Strings: any text an object holds comes back from the exported file unchanged.
func FuzzExport_Strings(f *testing.F) {
	for _, s := range []string{"plain", "${a}", "%{ if x }", "$${x}", "a\"b\\c", "line\r\nnext", "\x7f\u202e", "}\n}"} {
		f.Add("name "+s, s)
	}
	f.Fuzz(func(t *testing.T, name, comment string) {
		if !utf8.ValidString(name) || !utf8.ValidString(comment) || strings.ContainsRune(name+comment, 0) || strings.TrimSpace(name) == "" {
			t.Skip()
		}
		ten := providertest.NewTenant(widget(name, "", comment))
		_, got := roundTrip(t, Options{Registry: ten.Registry()})
		// cty keeps strings in normal form C, on the live side as on the configured one.
		name, comment = cty.StringVal(name).AsString(), cty.StringVal(comment).AsString()
		v, ok := got["fake_widget "+name]
		if !ok {
			t.Fatalf("%q not declared: %v", name, got)
		}
		if comment != "" && v.GetAttr("comment").AsString() != comment {
			t.Fatalf("comment %q came back as %q", comment, v.GetAttr("comment").AsString())
		}
	})
}
