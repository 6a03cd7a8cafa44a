package schema_test

import (
	"errors"
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

// grantAttrs are the attributes of test_app's repeatable grant block.
var grantAttrs = []*schema.Attribute{
	{Name: "resource", Type: cty.String, Required: true, FoldCase: true},
	{Name: "scope", Type: cty.String, Enum: []string{"Delegated", "Application"}},
	{Name: "values", Type: cty.Set(cty.String), Validate: func(s string) string {
		if strings.Contains(s, " ") {
			return "Permission values contain no spaces."
		}
		return ""
	}},
}

// appType has a computed attribute (set by the service) and a repeatable block.
var appType = &schema.ResourceType{
	Name: "test_app", Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Type: cty.String, Required: true, FoldCase: true},
		{Name: "app_id", Type: cty.String, Computed: true},
		{Name: "object_ids", Type: cty.Set(cty.String), Computed: true},
		{Name: "grant", Type: schema.BlockType(grantAttrs...), Nested: grantAttrs},
	},
}

// principalType is a data source: app_id is the query, the rest is the answer.
var principalType = &schema.ResourceType{
	Name: "test_principal", Keys: []string{"app_id"},
	Attributes: []*schema.Attribute{
		{Name: "app_id", Type: cty.String, Required: true},
		{Name: "object_id", Type: cty.String, Computed: true},
		{Name: "roles", Type: cty.Set(cty.String), Computed: true},
	},
}

// computedTypes is the test registry of schema_test.go plus test_app and the test_principal
// data source. It is separate from types so that the golden diagnostics of testdata/invalid,
// which list the type names, stay as they are.
type computedTypes struct{ testTypes }

func (computedTypes) DataSourceType(n string) (*schema.ResourceType, bool) {
	if n == principalType.Name {
		return principalType, true
	}
	return nil, false
}

func (computedTypes) DataSourceTypeNames() []string { return []string{principalType.Name} }

var ctypes = func() computedTypes {
	tt := testTypes{"test_app": appType}
	for n, t := range types {
		tt[n] = t
	}
	return computedTypes{tt}
}()

// fakeLive is a schema.Live over a few objects and data answers; it counts its calls.
type fakeLive struct {
	objects map[string]map[string]cty.Value // type → lower-case key → object
	answers map[string]cty.Value            // data: the query's app_id → answer
	lookups []string                        // "type/key" as asked
	queries []cty.Value
	err     error
}

func (f *fakeLive) Lookup(t *schema.ResourceType, key string) (cty.Value, bool, error) {
	f.lookups = append(f.lookups, t.Name+"/"+key)
	if f.err != nil {
		return cty.NilVal, false, f.err
	}
	v, ok := f.objects[t.Name][strings.ToLower(key)]
	return v, ok, nil
}

func (f *fakeLive) Query(t *schema.ResourceType, query cty.Value) (cty.Value, error) {
	f.queries = append(f.queries, query)
	id := query.GetAttr("app_id")
	if id.IsNull() || !id.IsKnown() {
		return cty.NilVal, errors.New("no app_id")
	}
	v, ok := f.answers[id.AsString()]
	if !ok {
		return cty.NilVal, fmt.Errorf("no service principal has the appId %q", id.AsString())
	}
	return v, nil
}

// object builds a value of t with the given attributes and every other one null.
func object(t *schema.ResourceType, attrs map[string]cty.Value) cty.Value {
	all := map[string]cty.Value{}
	for _, a := range t.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	for k, v := range attrs {
		all[k] = v
	}
	return cty.ObjectVal(all)
}

const graphAppID = "00000003-0000-0000-c000-000000000000"

// newLive is a tenant where the application "Existing" exists and Microsoft Graph's service
// principal answers data blocks.
func newLive() *fakeLive {
	return &fakeLive{
		objects: map[string]map[string]cty.Value{"test_app": {
			"existing": object(appType, map[string]cty.Value{
				"name": cty.StringVal("Existing"), "app_id": cty.StringVal("11111111-aaaa-bbbb-cccc-000000000001"),
				"object_ids": cty.SetVal([]cty.Value{cty.StringVal("oid-1")})}),
		}},
		answers: map[string]cty.Value{graphAppID: object(principalType, map[string]cty.Value{
			"app_id": cty.StringVal(graphAppID), "object_id": cty.StringVal("sp-graph"),
			"roles": cty.SetVal([]cty.Value{cty.StringVal("Mail.Send"), cty.StringVal("User.Read.All")})})},
	}
}

func evalComputed(t *testing.T, src string, live schema.Live) (*schema.Evaluated, diag.Diagnostics) {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	if ds.HasErrors() {
		return nil, ds
	}
	in := schema.Inputs{}
	if live != nil {
		in.Live = live
	}
	ev, more := schema.Evaluate(cfg, ctypes, in)
	ds.Append(more)
	return ev, ds
}

func instance(t *testing.T, ev *schema.Evaluated, addr string) *schema.Instance {
	t.Helper()
	for _, in := range ev.Instances {
		if in.Addr == addr {
			return in
		}
	}
	var addrs []string
	for _, in := range ev.Instances {
		addrs = append(addrs, in.Addr)
	}
	t.Fatalf("no instance %s; have %v", addr, addrs)
	return nil
}

func strSet(ss ...string) cty.Value {
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.SetVal(vs)
}

// skipBug skips a test that pins a known framework bug; EXOFORM_RUN_BUGS=1 runs it (and it fails
// until the bug is fixed).
func skipBug(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("EXOFORM_RUN_BUGS") == "" {
		t.Skip("BUG: " + msg)
	}
}

// TestComputedInvalid loads each directory under testdata/computed with the types of
// computedTypes, against a tenant (newLive) and offline, and compares the diagnostics with its
// diags.golden. Each case must fail the same way offline (validate) as when planning.
func TestComputedInvalid(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/computed/*")
	if len(dirs) == 0 {
		t.Fatal("no test cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			srcs := readDir(t, dir)
			run := func(live schema.Live) diag.Diagnostics {
				cfg, ds := schema.LoadSources(srcs)
				if ds.HasErrors() {
					return ds
				}
				_, more := schema.Evaluate(cfg, ctypes, schema.Inputs{Live: live})
				ds.Append(more)
				return ds
			}
			ds := run(newLive())
			if !ds.HasErrors() {
				t.Fatalf("want errors, got none")
			}
			for _, d := range ds {
				if d.Subject == nil {
					t.Errorf("diagnostic without a location: %s", d)
				}
			}
			golden.Assert(t, filepath.Join(dir, "diags.golden"), diagText(ds))
			if diff := cmp.Diff(diagText(ds), diagText(run(nil))); diff != "" {
				t.Errorf("offline evaluation reports otherwise (-live +offline):\n%s", diff)
			}
		})
	}
}

// TestComputedValues: what references to computed attributes and data blocks evaluate to,
// offline and against a tenant.
func TestComputedValues(t *testing.T) {
	const head = "exoform { workspace = \"w\" }\n"
	liveID := cty.StringVal("11111111-aaaa-bbbb-cccc-000000000001")
	newID := cty.StringVal(schema.Placeholder("test_app.n", "app_id"))
	grant := func(resource, scope string, values ...string) cty.Value {
		vs := cty.NullVal(cty.Set(cty.String))
		if len(values) > 0 {
			vs = strSet(values...)
		}
		sc := cty.NullVal(cty.String)
		if scope != "" {
			sc = cty.StringVal(scope)
		}
		return cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal(resource), "scope": sc, "values": vs})
	}
	tests := []struct {
		name    string
		src     string
		live    bool
		addrs   []string                        // every instance, in evaluation order
		want    map[string]map[string]cty.Value // address → attribute → value
		outputs map[string]cty.Value
		lookups []string // what Live.Lookup was asked, when not nil
		queries []cty.Value
	}{
		{
			name: "offline, a data block is unknown and what depends on it is not checked",
			src: `data "test_principal" "graph" { app_id = "` + graphAppID + `" }
resource "test_widget" "w" {
  name = "w"
  note = data.test_principal.graph.object_id
  tags = data.test_principal.graph.roles
}
resource "test_widget" "per_role" {
  for_each = data.test_principal.graph.roles
  name     = each.key
}
output "sp" { value = data.test_principal.graph.object_id }`,
			addrs:   []string{"test_widget.w"},
			want:    map[string]map[string]cty.Value{"test_widget.w": {"note": cty.NullVal(cty.String), "tags": cty.NullVal(cty.Set(cty.String))}},
			outputs: map[string]cty.Value{},
		},
		{
			name: "against the tenant, Live.Query answers a data block",
			src: `data "test_principal" "graph" { app_id = "` + graphAppID + `" }
resource "test_widget" "w" {
  name = "w"
  note = data.test_principal.graph.object_id
  tags = data.test_principal.graph.roles
}
resource "test_widget" "per_role" {
  for_each = data.test_principal.graph.roles
  name     = each.key
}
output "sp" { value = data.test_principal.graph.object_id }`,
			live:  true,
			addrs: []string{`test_widget.per_role["Mail.Send"]`, `test_widget.per_role["User.Read.All"]`, "test_widget.w"},
			want: map[string]map[string]cty.Value{
				"test_widget.w":                         {"note": cty.StringVal("sp-graph"), "tags": strSet("Mail.Send", "User.Read.All")},
				`test_widget.per_role["User.Read.All"]`: {"name": cty.StringVal("User.Read.All")},
			},
			outputs: map[string]cty.Value{"sp": cty.StringVal("sp-graph")},
			queries: []cty.Value{object(principalType, map[string]cty.Value{"app_id": cty.StringVal(graphAppID)})},
		},
		{
			name: "a computed attribute of an object that exists is its live value",
			src: `resource "test_app" "e" { name = "EXISTING" }
resource "test_widget" "w" {
  name = "w"
  note = test_app.e.app_id
  tags = test_app.e.object_ids
}
output "id" { value = test_app.e.app_id }`,
			live:  true,
			addrs: []string{"test_app.e", "test_widget.w"},
			want: map[string]map[string]cty.Value{
				"test_widget.w": {"note": liveID, "tags": strSet("oid-1")},
				// The instance itself never carries computed values: they are not configured.
				"test_app.e": {"app_id": cty.NullVal(cty.String), "object_ids": cty.NullVal(cty.Set(cty.String))},
			},
			outputs: map[string]cty.Value{"id": liveID},
			lookups: []string{"test_app/EXISTING"},
		},
		{
			name: "a computed attribute of a missing object is a placeholder, alone or in a set",
			src: `resource "test_app" "n" { name = "New" }
resource "test_widget" "w" {
  name = "w"
  note = test_app.n.app_id
  tags = [test_app.n.app_id, "plain"]
}
output "id" { value = test_app.n.app_id }
output "all" { value = [test_app.n.app_id, "plain"] }`,
			live:  true,
			addrs: []string{"test_app.n", "test_widget.w"},
			want: map[string]map[string]cty.Value{"test_widget.w": {
				"note": newID,
				"tags": cty.SetVal([]cty.Value{newID, cty.StringVal("plain")}),
			}},
			outputs: map[string]cty.Value{"id": newID, "all": cty.TupleVal([]cty.Value{newID, cty.StringVal("plain")})},
			lookups: []string{"test_app/New"},
		},
		{
			name: "offline, a computed attribute is a placeholder even for an object that exists",
			src: `resource "test_app" "e" { name = "Existing" }
resource "test_widget" "w" {
  name = "w"
  note = test_app.e.app_id
  tags = test_app.e.object_ids
}`,
			addrs: []string{"test_app.e", "test_widget.w"},
			want: map[string]map[string]cty.Value{"test_widget.w": {
				"note": cty.StringVal(schema.Placeholder("test_app.e", "app_id")),
				// Not a string: there is no placeholder, and offline nothing is checked.
				"tags": cty.NullVal(cty.Set(cty.String)),
			}},
		},
		{
			name: "placeholders of for_each instances name their key",
			src: `resource "test_app" "apps" {
  for_each = toset(["a b", "Existing"])
  name     = each.key
}
resource "test_widget" "w" {
  name = "w"
  tags = [for k, a in test_app.apps : a.app_id]
}
output "one" { value = test_app.apps["a b"].app_id }`,
			live:  true,
			addrs: []string{`test_app.apps["Existing"]`, `test_app.apps["a b"]`, "test_widget.w"},
			want: map[string]map[string]cty.Value{"test_widget.w": {
				"tags": cty.SetVal([]cty.Value{liveID, cty.StringVal(schema.Placeholder(`test_app.apps["a b"]`, "app_id"))}),
			}},
			outputs: map[string]cty.Value{"one": cty.StringVal(schema.Placeholder(`test_app.apps["a b"]`, "app_id"))},
			lookups: []string{"test_app/Existing", "test_app/a b"},
		},
		{
			name: "repeatable blocks are a set of objects, enum values in canonical case",
			src: `resource "test_app" "n" {
  name = "New"
  grant {
    resource = "Graph"
    scope    = "delegated"
    values   = ["Mail.Send", "User.Read"]
  }
  grant {
    resource = "Exchange"
  }
}
resource "test_app" "none" { name = "None" }`,
			live:  true,
			addrs: []string{"test_app.n", "test_app.none"},
			want: map[string]map[string]cty.Value{
				"test_app.n":    {"grant": cty.SetVal([]cty.Value{grant("Graph", "Delegated", "Mail.Send", "User.Read"), grant("Exchange", "")})},
				"test_app.none": {"grant": cty.SetValEmpty(appType.Attribute("grant").Type.ElementType())},
			},
		},
		{
			name: "a placeholder may be used as it is inside a repeatable block",
			src: `resource "test_app" "n" { name = "New" }
resource "test_app" "m" {
  name = "M"
  grant {
    resource = test_app.n.app_id
    values   = [test_app.n.app_id]
  }
}`,
			live:  true,
			addrs: []string{"test_app.n", "test_app.m"},
			want: map[string]map[string]cty.Value{"test_app.m": {
				"grant": cty.SetVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"resource": newID, "scope": cty.NullVal(cty.String), "values": cty.SetVal([]cty.Value{newID})})}),
			}},
		},
		{
			name: "a placeholder may be passed on through another block's attribute",
			src: `resource "test_app" "n" { name = "New" }
resource "test_widget" "a" {
  name = "a"
  note = test_app.n.app_id
}
resource "test_widget" "b" {
  name = "b"
  note = test_widget.a.note
  tags = [test_widget.a.note]
}`,
			live:  true,
			addrs: []string{"test_app.n", "test_widget.a", "test_widget.b"},
			want:  map[string]map[string]cty.Value{"test_widget.b": {"note": newID, "tags": cty.SetVal([]cty.Value{newID})}},
		},
		{
			name: "a placeholder may name an object, and a lone interpolation is the value itself",
			src: `resource "test_app" "n" { name = "New" }
resource "test_widget" "w" {
  name = test_app.n.app_id
  note = "${test_app.n.app_id}"
}`,
			live:  true,
			addrs: []string{"test_app.n", "test_widget.w"},
			want:  map[string]map[string]cty.Value{"test_widget.w": {"name": newID, "note": newID}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var live *fakeLive
			var ev *schema.Evaluated
			var ds diag.Diagnostics
			if tc.live {
				live = newLive()
				ev, ds = evalComputed(t, head+tc.src, live)
			} else {
				ev, ds = evalComputed(t, head+tc.src, nil)
			}
			if ds.HasErrors() {
				t.Fatalf("unexpected errors:\n%s", diagText(ds))
			}
			var addrs []string
			for _, in := range ev.Instances {
				addrs = append(addrs, in.Addr)
			}
			sort.Strings(addrs)
			want := append([]string{}, tc.addrs...)
			sort.Strings(want)
			if diff := cmp.Diff(want, addrs); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
			for addr, attrs := range tc.want {
				in := instance(t, ev, addr)
				for name, w := range attrs {
					if got := in.Value.GetAttr(name); !got.RawEquals(w) {
						t.Errorf("%s.%s = %#v\nwant %#v", addr, name, got, w)
					}
				}
			}
			if tc.outputs != nil {
				got := map[string]cty.Value{}
				for _, o := range ev.Outputs {
					got[o.Name] = o.Value
				}
				if len(got) != len(tc.outputs) {
					t.Errorf("outputs %v, want %v", got, tc.outputs)
				}
				for name, w := range tc.outputs {
					if g, ok := got[name]; !ok || !g.RawEquals(w) {
						t.Errorf("output %s = %#v\nwant %#v", name, g, w)
					}
				}
			}
			if live != nil && tc.lookups != nil {
				got := append([]string{}, live.lookups...)
				sort.Strings(got)
				if diff := cmp.Diff(tc.lookups, got); diff != "" {
					t.Errorf("Live.Lookup calls (-want +got):\n%s", diff)
				}
			}
			if live != nil {
				if len(live.queries) != len(tc.queries) {
					t.Fatalf("Live.Query called %d times, want %d", len(live.queries), len(tc.queries))
				}
				for i, q := range tc.queries {
					if !live.queries[i].RawEquals(q) {
						t.Errorf("query %d = %#v\nwant %#v", i, live.queries[i], q)
					}
				}
			}
		})
	}
}

// TestComputedAttributeRefused: a computed attribute set in a block is refused where it is
// written.
func TestComputedAttributeRefused(t *testing.T) {
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" {\n  name   = \"New\"\n  app_id = \"0000\"\n}\n"
	for _, live := range []schema.Live{nil, newLive()} {
		_, ds := evalComputed(t, src, live)
		want := "main.exo.hcl:4:3: app_id cannot be configured: app_id is set by the service when the object is created. Remove the line; other blocks can refer to it as test_app.NAME.app_id."
		if !strings.Contains(diagText(ds), "error: "+want+"\n") {
			t.Errorf("live=%v: want\n%s\ngot\n%s", live != nil, want, diagText(ds))
		}
	}
}

// TestComputedAttributeRefusedOnce: the friendly refusal replaces HCL's generic one.
func TestComputedAttributeRefusedOnce(t *testing.T) {
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" {\n  name   = \"New\"\n  app_id = \"0000\"\n}\n"
	_, ds := evalComputed(t, src, nil)
	if len(ds) != 1 {
		t.Errorf("want one diagnostic, got:\n%s", diagText(ds))
	}
}

// TestNestedDiagnosticsPointAtTheirBlock: a problem in the second of several blocks is reported
// at that block, not at the first one.
func TestNestedDiagnosticsPointAtTheirBlock(t *testing.T) {
	skipBug(t, "schema/eval.go checkBlocks(): every nested Enum/Validate/Required problem is reported at the range of the attribute as a whole (the first block), whatever block it is in")
	src := `exoform { workspace = "w" }
resource "test_app" "n" {
  name = "New"
  grant {
    resource = "Graph"
  }
  grant {
    resource = "Exchange"
    scope    = "bogus"
  }
}
`
	_, ds := evalComputed(t, src, nil)
	if len(ds) != 1 || ds[0].Subject == nil || ds[0].Subject.Start.Line < 7 || ds[0].Subject.Start.Line > 9 {
		t.Errorf("want one diagnostic on lines 7-9 (the second grant block), got:\n%s", diagText(ds))
	}
}

// TestPlaceholderThroughIdentityFunctionRefused: lower() of a placeholder is the placeholder's
// own text (it is lower case already), but not lower() of the value apply fills in.
func TestPlaceholderThroughIdentityFunctionRefused(t *testing.T) {
	skipBug(t, `schema/eval.go attrValue(): a placeholder that went through a function is refused only when its text changed (lower() and upper() change it); trimspace(test_app.n.app_id) and replace(..., "X", "y") return it unchanged, so they are accepted and apply fills in the raw value without the function applied`)
	for _, expr := range []string{"lower(test_app.n.app_id)", "trimspace(test_app.n.app_id)", `replace(test_app.n.app_id, "X", "y")`} {
		src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" { name = \"New\" }\nresource \"test_widget\" \"w\" {\n  name = \"w\"\n  note = " + expr + "\n}\n"
		_, ds := evalComputed(t, src, newLive())
		if !strings.Contains(diagText(ds), "Value known only after apply") {
			t.Errorf("note = %s accepted:\n%s", expr, diagText(ds))
		}
	}
}

// TestHandTypedPlaceholderBesideARealOne: a placeholder typed by hand refers to nothing, even
// when the same attribute also holds a real one.
func TestHandTypedPlaceholderBesideARealOne(t *testing.T) {
	skipBug(t, `schema/eval.go attrValue(): the hand-typed check ("HasPlaceholder && !deferred") is made for the attribute as a whole, so tags = [test_app.n.app_id, "⟪Known after apply: test_app.x.app_id⟫"] is accepted; apply then stops on a reference nothing produces`)
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" { name = \"New\" }\nresource \"test_widget\" \"w\" {\n  name = \"w\"\n  tags = [test_app.n.app_id, \"" + schema.Placeholder("test_app.x", "app_id") + "\"]\n}\n"
	_, ds := evalComputed(t, src, newLive())
	if !strings.Contains(diagText(ds), "main.exo.hcl:5:10: Value known only after apply") {
		t.Errorf("hand-typed placeholder accepted:\n%s", diagText(ds))
	}
}

// TestDataQueryNeverSeesAPlaceholder: a data block whose query depends on an object the plan
// creates cannot be answered when planning; the tenant must not be asked about a placeholder.
func TestDataQueryNeverSeesAPlaceholder(t *testing.T) {
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" { name = \"New\" }\ndata \"test_principal\" \"p\" { app_id = test_app.n.app_id }\n"
	live := newLive()
	_, ds := evalComputed(t, src, live)
	for _, q := range live.queries {
		t.Errorf("Live.Query asked %#v", q)
	}
	if !ds.HasErrors() || strings.Contains(diagText(ds), "⟪") {
		t.Errorf("want an error that does not show the placeholder, got:\n%s", diagText(ds))
	}
}

// TestComputedNonString: a computed attribute that is not a string has no placeholder. For an
// object the plan creates it is unknown: offline nothing is checked, when planning it is an error.
func TestComputedNonString(t *testing.T) {
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"n\" { name = \"New\" }\nresource \"test_widget\" \"w\" {\n  name = \"w\"\n  tags = test_app.n.object_ids\n}\n"
	ev, ds := evalComputed(t, src, nil)
	if ds.HasErrors() {
		t.Fatalf("offline: %s", diagText(ds))
	}
	if got := instance(t, ev, "test_widget.w").Value.GetAttr("tags"); !got.IsNull() {
		t.Errorf("offline tags = %#v, want null", got)
	}
	_, ds = evalComputed(t, src, newLive())
	want := "error: main.exo.hcl:5:10: Value not known: tags depends on a value that is not known until apply. Use a literal, a variable or a configured attribute.\n"
	if diff := cmp.Diff(want, diagText(ds)); diff != "" {
		t.Errorf("live (-want +got):\n%s", diff)
	}
}

// TestLiveReadError: a failed read is an error at the object's key, never an absence (which
// would give a placeholder and plan a create).
func TestLiveReadError(t *testing.T) {
	src := "exoform { workspace = \"w\" }\nresource \"test_app\" \"e\" { name = \"Existing\" }\nresource \"test_widget\" \"w\" {\n  name = \"w\"\n  note = test_app.e.app_id\n}\n"
	live := newLive()
	live.err = errors.New("Graph: 503 Service Unavailable")
	_, ds := evalComputed(t, src, live)
	if !ds.HasErrors() || ds[0].Summary != "Cannot read the live test_app objects" || !strings.Contains(ds[0].Detail, "503 Service Unavailable") {
		t.Fatalf("got:\n%s", diagText(ds))
	}
	if r := ds[0].Subject; r == nil || r.Start.Line != 2 || r.Start.Column != 34 {
		t.Errorf("reported at %v, want main.exo.hcl:2:34 (the name)", r)
	}
	if strings.Contains(diagText(ds), "⟪") {
		t.Errorf("a failed read gave a placeholder:\n%s", diagText(ds))
	}
}

// TestDataQueryError: a data source's error is reported at the data block.
func TestDataQueryError(t *testing.T) {
	src := "exoform { workspace = \"w\" }\ndata \"test_principal\" \"p\" { app_id = \"nope\" }\n"
	_, ds := evalComputed(t, src, newLive())
	want := "error: main.exo.hcl:2:1: Cannot read data.test_principal.p: no service principal has the appId \"nope\"\n"
	if diff := cmp.Diff(want, diagText(ds)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Offline the data source is not asked at all.
	if _, ds := evalComputed(t, src, nil); ds.HasErrors() {
		t.Errorf("offline: %s", diagText(ds))
	}
}
