package cli_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSavedPlanIsPrivate: a saved plan records the tenant's live values, so only its owner may
// read it.
func TestSavedPlanIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(oneConnector), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, dir, "", map[string]string{"NO_COLOR": "1"}, "plan", "--sim", "--out", "x.plan"); code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errs)
	}
	fi, err := os.Stat(filepath.Join(dir, "x.plan"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("the saved plan's mode is %v, want -rw-------", got)
	}
}
