package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptForAppMissingItsPrincipal: an app exoform made whose service principal is missing
// (an apply stopped between the two creates) and that is then given consented permissions can
// be planned as a PowerShell script: the script looks the principal up by the app id as read,
// not by the id a create would produce (no step of the script creates the app).
func TestScriptForAppMissingItsPrincipal(t *testing.T) {
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	write := func(src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const head = "exoform {\n  workspace = \"ps\"\n}\ntenant {\n  id = \"contoso.onmicrosoft.com\"\n}\n"
	env := map[string]string{"NO_COLOR": "1"}
	write(head + "resource \"entra_application\" \"app\" {\n  display_name = \"Script app\"\n}\n")
	if code, out, errs := run(t, dir, "", env, "apply", "--sim=t.json", "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := run(t, dir, "", env, "sim", "graph", "--state", "t.json", "GET", "/servicePrincipals")
	if code != 0 {
		t.Fatalf("listing principals: exit %d\n%s", code, errs)
	}
	var sps struct {
		Value []struct{ ID, DisplayName string }
	}
	if err := json.Unmarshal([]byte(out), &sps); err != nil {
		t.Fatal(err)
	}
	for _, sp := range sps.Value {
		if sp.DisplayName == "Script app" {
			if code, _, errs := run(t, dir, "", env, "sim", "graph", "--state", "t.json", "DELETE", "/servicePrincipals/"+sp.ID); code != 0 {
				t.Fatalf("deleting the principal: %s", errs)
			}
		}
	}
	write(head + "resource \"entra_application\" \"app\" {\n  display_name  = \"Script app\"\n  admin_consent = true\n  api_permission {\n    api       = \"Microsoft Graph\"\n    app_roles = [\"Mail.Send\"]\n  }\n}\n")
	code, out, errs = run(t, dir, "", env, "plan", "--sim=t.json", "--out-script", "x.ps1")
	if code != 0 {
		t.Fatalf("plan --out-script: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	script, err := os.ReadFile(filepath.Join(dir, "x.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(script), "Known after apply") {
		t.Errorf("the script refers to a value no step produces:\n%s", script)
	}
}
