package schema_test

import (
	"strings"
	"testing"

	"github.com/exoform/exoform/schema"
)

// FuzzLoad feeds arbitrary bytes to the loader and evaluator: they must never panic, and every
// error they report must say where it is.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`exoform { workspace = "w" }`))
	f.Add([]byte("exoform {\n  workspace = \"w\"\n}\nresource \"test_widget\" \"a\" {\n  for_each = toset([\"a\"])\n  name = each.key\n  tags = [\"x\"]\n}\n"))
	f.Add([]byte("variable \"v\" {\n  type = list(string)\n  validation {\n    condition = length(var.v) > 0\n    error_message = \"x\"\n  }\n}\n"))
	f.Add([]byte("locals {\n  a = local.b\n  b = local.a\n}\n"))
	f.Add([]byte("resource \"test_widget\" \"a\" {\n  name = \"\xff\xfe\"\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, ds := schema.LoadSources(map[string][]byte{"f.exo.hcl": src})
		if !ds.HasErrors() {
			_, more := schema.Evaluate(cfg, types, schema.Inputs{Vars: []string{"v=[]"}})
			ds.Append(more)
		}
		for _, d := range ds {
			if d.Subject == nil && d.Summary != "Value for an undeclared variable" && d.Summary != "Invalid value for variable" {
				t.Errorf("diagnostic without a location: %s", d)
			}
		}
	})
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
