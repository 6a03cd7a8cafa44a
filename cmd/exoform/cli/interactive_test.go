package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/cmd/exoform/cli"
)

const oneConnector = `exoform {
  workspace = "tty"
}

tenant {
  id = "contoso.onmicrosoft.com"
}

resource "exchange_inbound_connector" "relay" {
  name           = "Relay"
  sender_domains = ["contoso.com"]
}
`

// run calls exoform in-process as if on a terminal, in a fresh directory.
func run(t *testing.T, dir, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	io := cli.IO{
		In: strings.NewReader(stdin), Out: &out, Err: &errb,
		StdinTTY: true, StdoutTTY: true, StderrTTY: true,
		Getenv: func(k string) string { return env[k] },
	}
	code = cli.Main(append([]string{"--chdir", dir}, args...), io)
	return code, out.String(), errb.String()
}

func TestApplyAsksOnATerminal(t *testing.T) {
	t.Chdir(t.TempDir()) // Main changes directory; restore it after the test
	dir, _ := os.Getwd()
	if err := os.WriteFile(filepath.Join(dir, "main.exo.hcl"), []byte(oneConnector), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NO_COLOR": "1"}

	code, out, _ := run(t, dir, "no\n", env, "apply", "--sim")
	if code != 1 || !strings.Contains(out, "Only 'yes' will be accepted") || !strings.Contains(out, "Apply cancelled; nothing was changed.") {
		t.Fatalf("answer no: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
	code, out, _ = run(t, dir, "", env, "plan", "--sim", "--detailed-exitcode")
	if code != 2 {
		t.Fatalf("after a cancelled apply the change must still be pending; exit %d\n%s", code, out)
	}

	code, out, _ = run(t, dir, "yes\n", nil, "apply", "--sim")
	if code != 0 || !strings.Contains(out, "Apply complete: 1 created") {
		t.Fatalf("answer yes: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	code, out, _ = run(t, dir, "", nil, "--no-color", "plan", "--sim", "--detailed-exitcode")
	if code != 0 || strings.Contains(out, "\x1b[") {
		t.Fatalf("exit %d, colour despite --no-color:\n%q", code, out)
	}
}
