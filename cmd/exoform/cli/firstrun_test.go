package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/sim"
)

// TestSignInWithSecretID: an app signing in with the Secret ID instead of the secret's Value
// (the commonest support ticket) is told so, through the CLI against the simulated tenant's
// real token endpoint. first_run.txtar covers the other first-run failures; this one needs the
// simulated tenant's client id in AZURE_CLIENT_ID, which a script cannot read.
func TestSignInWithSecretID(t *testing.T) {
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	srv, err := sim.Start(context.Background(), sim.Options{StatePath: filepath.Join(dir, "tenant.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cloudFile := filepath.Join(dir, "tenant.cloud.json")
	if err := srv.WriteCloudFile(cloudFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(oneConnector), 0o644); err != nil {
		t.Fatal(err)
	}
	const secretID = "0c8f2a51-7e1b-4d0a-9f3e-2b6c5d4e3f21"
	env := map[string]string{"NO_COLOR": "1", "AZURE_CLIENT_ID": srv.Cloud().ClientID, "AZURE_CLIENT_SECRET": secretID}
	code, out, errOut := run(t, dir, "", env, "plan", "--cloud", cloudFile)
	if code != 1 || out != "" {
		t.Fatalf("plan exited %d with output %q, want 1 and none", code, out)
	}
	for _, want := range []string{
		"Error: cannot sign in with the client secret for app " + srv.Cloud().ClientID[:8] + "… in tenant contoso.onmicrosoft.com: AADSTS7000215: Invalid client secret provided.",
		"\nThe client secret is wrong: AZURE_CLIENT_SECRET must be the secret's Value (shown once, when the secret is created), not its Secret ID. If the value is lost, create a new secret under Certificates & secrets. AZURE_CLIENT_SECRET looks like a Secret ID (a GUID).\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, secretID) || strings.Contains(errOut, "Trace ID") || strings.Count(errOut, "\n") > 3 {
		t.Errorf("stderr holds the secret, trace details or more than a short message:\n%s", errOut)
	}
}
