package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/internal/golden"
)

// TestExampleMarkdownPlans keeps examples/*/plan.md, the pull-request comment a reviewer reads
// for each example, equal to the Markdown plan of the example against a fresh simulated tenant
// (run with -update to regenerate them). Only an example whose main.exo.hcl plans on its own
// has one: examples/many-tenants plans once per tenant, from its tenants' variable files.
func TestExampleMarkdownPlans(t *testing.T) {
	examples, names := exampleNames(t)
	n := 0
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(examples, name, "main.exo.hcl")); err != nil {
			continue
		}
		_, out := planExample(t, examples, name, "--format", "markdown")
		if !strings.HasPrefix(out, "### exoform plan: ") {
			t.Errorf("%s: the Markdown plan does not start with its summary line:\n%s", name, out)
		}
		golden.Assert(t, filepath.Join(examples, name, "plan.md"), out)
		n++
	}
	if n < 5 {
		t.Errorf("only %d examples have a main.exo.hcl", n)
	}
}
