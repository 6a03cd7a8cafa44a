package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/schema"
)

// FuzzLoad feeds arbitrary bytes to the loader and the evaluator, against the test types and
// every real resource type: they must never panic (nor overflow the stack, which is fatal),
// every error they report must say where it is, inside the input, and none may read like a Go
// failure. Seeds: the broken corpus, the other schema test configurations and the examples.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`exoform { workspace = "w" }`))
	f.Add([]byte("exoform {\n  workspace = \"w\"\n}\nresource \"test_widget\" \"a\" {\n  for_each = toset([\"a\"])\n  name = each.key\n  tags = [\"x\"]\n}\n"))
	f.Add([]byte("variable \"v\" {\n  type = list(string)\n  validation {\n    condition = length(var.v) > 0\n    error_message = \"x\"\n  }\n}\n"))
	f.Add([]byte("locals {\n  a = local.b\n  b = local.a\n}\n"))
	f.Add([]byte("resource \"test_widget\" \"a\" {\n  name = \"\xff\xfe\"\n}\n"))
	for _, src := range loadSeeds(f) {
		f.Add(src)
	}
	reg := realTypes()
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, ds := schema.LoadSources(map[string][]byte{"f.exo.hcl": src})
		if !ds.HasErrors() {
			for _, tl := range []schema.TypeLookup{types, reg} {
				_, more := schema.Evaluate(cfg, tl, schema.Inputs{Vars: []string{"v=[]"}})
				ds.Append(more)
			}
		}
		for _, d := range ds {
			text := d.String()
			if strings.Contains(text, "panic") || strings.Contains(text, "goroutine") || strings.Contains(text, "runtime error") {
				t.Errorf("diagnostic reads like a Go failure: %s", text)
			}
			if d.Subject == nil {
				// Only the --var flag, which is no file, has no location.
				if d.Summary != "Value for an undeclared variable" && d.Summary != "Invalid value for variable" {
					t.Errorf("diagnostic without a location: %s", d)
				}
				continue
			}
			if d.Subject.Filename != "f.exo.hcl" {
				t.Errorf("diagnostic names a file that was not loaded: %s", d)
				continue
			}
			if p := rangeProblem(src, d.Subject); p != "" {
				t.Errorf("%s: %s", p, d)
			}
		}
	})
}

// loadSeeds are the configurations of the schema tests and the examples, and the generated
// broken cases small enough to mutate quickly.
func loadSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, glob := range []string{"testdata/*/*/*.exo.hcl", "testdata/*/*.exo.hcl", "../examples/*/*.exo.hcl"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, src)
		}
	}
	for _, tc := range generatedCases() {
		for _, src := range tc.files {
			if len(src) <= 64<<10 {
				out = append(out, []byte(src))
			}
		}
	}
	// Just past the nesting bound: what the huge generated cases are, in little.
	out = append(out, []byte(local(nested("[", "", "]", schema.MaxNesting))["main.exo.hcl"]))
	return out
}

// FuzzReplacePlaceholders: ReplacePlaceholders never panics; a string without a placeholder's
// opening bracket comes back unchanged; with no values nothing changes; and it reports as missing
// only references the string holds.
func FuzzReplacePlaceholders(f *testing.F) {
	f.Add("plain", "a.b", "v")
	f.Add(schema.Placeholder("entra_application.ews", "app_id"), "entra_application.ews.app_id", "1111")
	f.Add("x"+schema.Placeholder(`entra_application.apps["a b"]`, "app_id")+"y", `entra_application.apps["a b"].app_id`, "")
	f.Add("⟪Known after apply: ⟫⟪⟫⟪Known after apply: a⟫⟫", "a", "⟪Known after apply: a⟫")
	f.Add("\xff⟪Known after apply: \xfe⟫\xff", "\xfe", "v")
	f.Fuzz(func(t *testing.T, s, ref, value string) {
		values := map[string]string{ref: value}
		got, missing := schema.ReplacePlaceholders(s, values)
		if !strings.Contains(s, "⟪") && (got != s || len(missing) > 0) {
			t.Fatalf("ReplacePlaceholders(%q) = %q, %q; want it unchanged", s, got, missing)
		}
		if same, _ := schema.ReplacePlaceholders(s, nil); same != s {
			t.Fatalf("with no values ReplacePlaceholders(%q) = %q", s, same)
		}
		open := strings.TrimSuffix(schema.Placeholder("", ""), ".⟫") // "⟪Known after apply: "
		for _, m := range missing {
			if m == ref || !strings.Contains(s, open+m+"⟫") {
				t.Fatalf("ReplacePlaceholders(%q) reports %q missing", s, m)
			}
		}
		if !schema.HasPlaceholder(s) && got != s {
			t.Fatalf("ReplacePlaceholders(%q) = %q without a placeholder", s, got)
		}
	})
}
