package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofrs/flock"

	"github.com/exoform/exoform/cmd/exoform/cli"
)

// TestApplyRefusesWhileAnotherHoldsTheLock: a second apply in the same directory stops before
// it reads or writes anything, says who holds the lock, and runs once the lock is released.
// The holder here is this process through its own descriptor, which excludes exactly as
// another process does (flock locks belong to the open file description).
func TestApplyRefusesWhileAnotherHoldsTheLock(t *testing.T) {
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(oneConnector), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NO_COLOR": "1"}
	// First an apply that takes and releases the lock: it writes who held it.
	if code, out, errs := run(t, dir, "", env, "apply", "--sim", "--auto-approve"); code != 0 {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errs)
	}
	path := filepath.Join(dir, ".exoform", "apply.lock")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "exoform apply, process ") {
		t.Fatalf("the lock file should name its last holder: %q, %v", b, err)
	}

	holder := flock.New(path)
	if ok, err := holder.TryLock(); !ok || err != nil {
		t.Fatalf("taking the lock: %v %v", ok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(strings.Replace(oneConnector, `"contoso.com"`, `"contoso.com", "fabrikam.com"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, dir, "", env, "apply", "--sim", "--auto-approve")
	if code != 1 || !strings.Contains(errs, "another apply is running in this directory (exoform apply, process ") ||
		!strings.Contains(errs, "released when that process ends, even if it is killed") || strings.Contains(out, "Plan:") {
		t.Fatalf("apply while locked: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	// plan reads only: it does not take the lock.
	if code, out, errs := run(t, dir, "", env, "plan", "--sim", "--detailed-exitcode"); code != 2 {
		t.Fatalf("plan while locked: exit %d\n%s%s", code, out, errs)
	}
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, dir, "", env, "apply", "--sim", "--auto-approve"); code != 0 || !strings.Contains(out, "1 updated") {
		t.Fatalf("apply after the lock is released: exit %d\n%s%s", code, out, errs)
	}
}

// editsOnRead is standard input that, when apply first reads the answer, has an administrator
// change the tenant, then answers yes.
type editsOnRead struct {
	edit func()
	r    *strings.Reader
}

func (e *editsOnRead) Read(p []byte) (int, error) {
	if e.edit != nil {
		e.edit()
		e.edit = nil
	}
	return e.r.Read(p)
}

// TestApplyChecksTheTenantAgainBeforeWriting: an object changed while apply waited for "yes"
// stops the apply before its first write (the saved plan's staleness rule, for a fresh plan).
func TestApplyChecksTheTenantAgainBeforeWriting(t *testing.T) {
	t.Chdir(t.TempDir())
	dir, _ := os.Getwd()
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(oneConnector), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NO_COLOR": "1"}
	if code, out, errs := run(t, dir, "", env, "apply", "--sim", "--auto-approve"); code != 0 {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(strings.Replace(oneConnector, `"contoso.com"`, `"contoso.com", "fabrikam.com"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	byHand := func() {
		if code, out, errs := run(t, dir, "", env, "sim", "invoke", "--state", ".exoform/sim-tenant.json", "--cmdlet", "Set-InboundConnector",
			"--params", `{"Identity":"Relay","SenderDomains":["adatum.com"]}`); code != 0 {
			t.Fatalf("changing the connector by hand: exit %d\n%s%s", code, out, errs)
		}
	}
	var out, errb strings.Builder
	code := cli.Main([]string{"--chdir", dir, "apply", "--sim"}, cli.IO{
		In: &editsOnRead{edit: byHand, r: strings.NewReader("yes\n")}, Out: &out, Err: &errb,
		StdinTTY: true, Getenv: func(k string) string { return env[k] },
	})
	if code != 1 || !strings.Contains(errb.String(), "The tenant changed since the plan was made") ||
		!strings.Contains(errb.String(), "exchange_inbound_connector.relay: sender_domains was") || strings.Contains(out.String(), "Apply complete") {
		t.Fatalf("apply after a change by hand: exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	code, o, _ := run(t, dir, "", env, "sim", "invoke", "--state", ".exoform/sim-tenant.json", "--cmdlet", "Get-InboundConnector", "--params", `{"Identity":"Relay"}`)
	if code != 0 || !strings.Contains(o, "adatum.com") || strings.Contains(o, "fabrikam.com") {
		t.Fatalf("the connector should be as the administrator left it:\n%s", o)
	}
}
