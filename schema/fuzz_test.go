package schema_test

import (
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
