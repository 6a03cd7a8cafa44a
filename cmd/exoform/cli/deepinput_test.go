package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeeplyNestedInputIsADiagnostic: fmt and a --var-file refuse a file nested deeper than
// the parser can follow with a located diagnostic. Parsed as it is, 100,000 brackets overflow
// the parser's stack: a fatal error no recover catches, which would end this test binary.
func TestDeeplyNestedInputIsADiagnostic(t *testing.T) {
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	files := map[string]string{
		"main.exo.hcl":   "exoform {\n  workspace = \"w\"\n}\nvariable \"x\" {\n  type    = any\n  default = null\n}\n",
		"deep.exovars":   "x = " + deep + "\n",
		"fmt/a.exo.hcl":  "locals {\n  x = " + deep + "\n}\n",
		"fmt/ok.exo.hcl": "locals {\n  y = 1\n}\n",
	}
	for name, text := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"NO_COLOR": "1"}
	for _, tc := range []struct {
		name  string
		dir   string
		args  []string
		where string
	}{
		{"validate --var-file", dir, []string{"validate", "--var-file", "deep.exovars"}, "deep.exovars:1:"},
		{"fmt", filepath.Join(dir, "fmt"), []string{"fmt"}, "a.exo.hcl:2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.dir, "", env, tc.args...)
			if code != 1 || !strings.Contains(errs, "Configuration nested too deeply") || !strings.Contains(errs, tc.where) {
				t.Fatalf("exit %d\nstdout:\n%.2000s\nstderr:\n%.2000s", code, out, errs)
			}
			if len(errs) > 5000 {
				t.Errorf("the diagnostic is %d bytes: the source line should be cut", len(errs))
			}
		})
	}
}
