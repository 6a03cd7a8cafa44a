package schema_test

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// reevalSources are configurations whose offline evaluation has no errors, covering each way
// a value can depend on the tenant: data blocks (directly, through locals, as for_each),
// computed attributes of objects that exist and of new ones, a resource with computed
// attributes under for_each, and declarations that depend on nothing live.
var reevalSources = map[string]string{
	"independent": `exoform { workspace = "w" }
locals { n = "x" }
resource "test_widget" "a" { name = "a-${local.n}" }
resource "test_widget" "b" {
  name = "b"
  note = test_widget.a.name
  kind = "Large"
  enabled = true
}`,
	"data and locals": `exoform { workspace = "w" }
data "test_principal" "graph" { app_id = "` + graphAppID + `" }
locals { roles = data.test_principal.graph.roles }
resource "test_widget" "w" {
  name = "w"
  tags = local.roles
}
resource "test_widget" "per_role" {
  for_each = local.roles
  name     = each.key
}
resource "test_widget" "plain" { name = "plain" }
output "sp" { value = data.test_principal.graph.object_id }`,
	"computed, existing and new": `exoform { workspace = "w" }
resource "test_app" "e" { name = "EXISTING" }
resource "test_app" "n" { name = "new" }
locals { ids = [test_app.e.app_id, test_app.n.app_id] }
resource "test_widget" "w" {
  name = "w"
  note = test_app.e.app_id
  tags = test_app.e.object_ids
}
resource "test_widget" "v" {
  name = "v"
  tags = toset(local.ids)
}
output "id" { value = test_app.e.app_id }`,
	"computed under for_each": `exoform { workspace = "w" }
resource "test_app" "many" {
  for_each = toset(["Existing", "other"])
  name     = each.key
}
resource "test_widget" "w" {
  name = "w"
  note = test_app.many["Existing"].app_id
}
output "ids" { value = [for k, a in test_app.many : a.app_id] }`,
}

// TestReevaluate checks that Reevaluate from an offline evaluation gives exactly what a full
// evaluation against the tenant gives (instances, outputs, diagnostics and the questions asked
// of the tenant), and that it keeps the offline instances of declarations the tenant cannot
// change rather than evaluating them again.
func TestReevaluate(t *testing.T) {
	srcs := map[string]map[string][]byte{}
	for name, src := range reevalSources {
		srcs[name] = map[string][]byte{"main.exo.hcl": []byte(src)}
	}
	dirs, _ := filepath.Glob("testdata/computed/*")
	for _, dir := range append(dirs, "testdata/valid") {
		srcs[dir] = readDir(t, dir)
	}
	validIn := schema.Inputs{ // the inputs TestValid gives testdata/valid
		Vars:   []string{"count_extra=2"},
		Getenv: func(k string) string { return map[string]string{"EXOFORM_VAR_env_note": "from env"}[k] },
	}
	type inst struct {
		Addr      string
		Value     cty.Value
		DependsOn []string
	}
	insts := func(ev *schema.Evaluated) []inst {
		var out []inst
		for _, i := range ev.Instances {
			out = append(out, inst{i.Addr, i.Value, i.DependsOn})
		}
		return out
	}
	opts := cmp.Options{cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })}
	reused := 0
	for name, files := range srcs {
		t.Run(name, func(t *testing.T) {
			cfg, ds := schema.LoadSources(files)
			if ds.HasErrors() {
				if _, inline := reevalSources[name]; inline {
					t.Fatalf("does not load: %s", diagText(ds))
				}
				return // a case of the loader's errors
			}
			var in schema.Inputs
			if name == "testdata/valid" {
				in = validIn
			}
			offline, ods := schema.Evaluate(cfg, ctypes, in)
			if ods.HasErrors() {
				if _, inline := reevalSources[name]; inline {
					t.Fatalf("offline: %s", diagText(ods))
				}
				return // Reevaluate evaluates in full; nothing to compare
			}
			wantLive, gotLive := newLive(), newLive()
			want, wantDS := schema.Evaluate(cfg, ctypes, schema.Inputs{Vars: in.Vars, Getenv: in.Getenv, Live: wantLive})
			before := map[*schema.Instance]bool{}
			for _, i := range offline.Instances {
				before[i] = true
			}
			got, gotDS := schema.Reevaluate(offline, ctypes, schema.Inputs{Vars: in.Vars, Getenv: in.Getenv, Live: gotLive})
			if diff := cmp.Diff(insts(want), insts(got), opts); diff != "" {
				t.Errorf("instances (-Evaluate +Reevaluate):\n%s", diff)
			}
			if diff := cmp.Diff(want.Outputs, got.Outputs, opts); diff != "" {
				t.Errorf("outputs (-Evaluate +Reevaluate):\n%s", diff)
			}
			if diff := cmp.Diff(diagText(wantDS), diagText(gotDS)); diff != "" {
				t.Errorf("diagnostics (-Evaluate +Reevaluate):\n%s", diff)
			}
			if diff := cmp.Diff(wantLive.lookups, gotLive.lookups); diff != "" {
				t.Errorf("Live.Lookup calls (-Evaluate +Reevaluate):\n%s", diff)
			}
			if diff := cmp.Diff(len(wantLive.queries), len(gotLive.queries)); diff != "" {
				t.Errorf("Live.Query calls (-Evaluate +Reevaluate):\n%s", diff)
			}
			for _, i := range got.Instances {
				if before[i] {
					reused++
				}
			}
		})
	}
	// In "independent" every instance, and elsewhere the plain ones, are kept from offline.
	if reused < 5 {
		t.Errorf("Reevaluate kept %d offline instances; it should keep those the tenant cannot change", reused)
	}
}

// TestReevaluateEvaluatesWhatDependsOnTheTenant pins which instances are evaluated again: those
// whose expressions reach a data block or a computed attribute, directly or through a local.
func TestReevaluateEvaluatesWhatDependsOnTheTenant(t *testing.T) {
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(reevalSources["computed, existing and new"] + `
resource "test_widget" "plain" { name = "plain" }
resource "test_widget" "chained" {
  name = "c"
  note = test_widget.w.note
}`)})
	if ds.HasErrors() {
		t.Fatal(diagText(ds))
	}
	offline, ds := schema.Evaluate(cfg, ctypes, schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(diagText(ds))
	}
	kept := map[*schema.Instance]bool{}
	for _, i := range offline.Instances {
		kept[i] = true
	}
	got, ds := schema.Reevaluate(offline, ctypes, schema.Inputs{Live: newLive()})
	if ds.HasErrors() {
		t.Fatal(diagText(ds))
	}
	var again []string
	for _, i := range got.Instances {
		if !kept[i] {
			again = append(again, i.Addr)
		}
	}
	sort.Strings(again)
	want := []string{"test_widget.chained", "test_widget.v", "test_widget.w"}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("instances evaluated again (-want +got):\n%s", diff)
	}
}
