package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/exoform/exoform/cmd/exoform/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"exoform": func() { os.Exit(cli.Main(os.Args[1:], cli.System())) },
	})
}

// TestScripts runs the end-to-end scenarios in testdata/script: the real binary against the
// simulated tenant over HTTPS, as a user would run it.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", examples)
			env.Setenv("NO_COLOR", "")
			for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH", "EXOFORM_CLOUD"} {
				env.Setenv(k, "")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"waitfile": cmdWaitFile,
			"cpdir":    cmdCopyDir,
			"replace":  cmdReplace,
			"absent":   cmdAbsent,
			"sleep":    cmdSleep,
			"cmplines": cmdCmpLines,
		},
	})
}

// exitcode N CMD ARGS... runs a command and checks its exact exit code.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// waitfile FILE waits up to 30 seconds for a file to exist.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear", path)
}

// cpdir SRC DST copies the regular files of a directory.
func cmdCopyDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cpdir SRC DST")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	entries, err := os.ReadDir(src)
	ts.Check(err)
	ts.Check(os.MkdirAll(dst, 0o755))
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			ts.Check(err)
			ts.Check(os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
		}
	}
}

// replace FILE OLD NEW rewrites the first occurrence of OLD in a file, failing if it is absent.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(b), args[1]) {
		ts.Fatalf("%s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(path, []byte(strings.Replace(string(b), args[1], args[2], 1)), 0o644))
}

// cmdCmpLines: cmplines PATTERN FILE1 FILE2 compares two files like cmp, leaving out the lines
// that match the regexp PATTERN (such as Graph's @odata.context, which names the port of the
// server that answered).
func cmdCmpLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: cmplines PATTERN FILE1 FILE2")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	kept := func(name string) string {
		var out []string
		for _, l := range strings.Split(ts.ReadFile(name), "\n") {
			if !re.MatchString(l) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	a, b := kept(args[1]), kept(args[2])
	if (a == b) == neg {
		ts.Fatalf("%s and %s (without lines matching %s): equal = %v, want %v", args[1], args[2], args[0], a == b, !neg)
	}
}

// cmdAbsent: absent SECRETFILE FILE... fails if any FILE holds the value written in SECRETFILE
// (a client secret apply delivered), so tests can search every output for it.
func cmdAbsent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: absent SECRETFILE FILE...")
	}
	secret := strings.TrimSpace(ts.ReadFile(args[0]))
	if len(secret) < 8 {
		ts.Fatalf("%s holds no secret", args[0])
	}
	for _, f := range args[1:] {
		if strings.Contains(ts.ReadFile(f), secret) {
			ts.Fatalf("%s contains the secret value", f)
		}
	}
}

// cmdSleep: sleep DURATION waits, for the simulated tenant's replication lag to pass.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}
