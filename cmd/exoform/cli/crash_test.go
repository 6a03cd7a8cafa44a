package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crashWorkspace is the workspace of the crash test's configuration.
const crashWorkspace = "crash"

// crashProfile slows the simulated tenant down (per-request latency) so that an apply takes
// a few seconds and a kill can land before, among and after its writes.
const crashProfile = "realistic,exchange-latency=300ms,graph-latency=100ms"

// TestCrashSafety kills exoform apply (SIGKILL, a real subprocess) at seeded points of its
// progress, against a simulated tenant served by another process that outlives it, as
// Microsoft's does. After every kill: plan succeeds and shows exactly what remains (the model
// is soakRemaining: what the tenant lacks of the configuration), plans no deletion of anything
// declared, the tenant holds no duplicate and every hand-made object; a client secret that
// exists has had its value delivered. In the end an apply converges: plan --detailed-exitcode
// exits 0. Phase 2 does the same for a change that deletes, updates and creates.
//
// EXOFORM_CRASH_SEED picks other kill points; the test logs the seed it used.
func TestCrashSafety(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on Windows, and the sim shares a state file between processes only on Unix")
	}
	// testscript.Main (script_test.go) put the test binary on PATH as "exoform".
	exe, err := exec.LookPath("exoform")
	if err != nil {
		t.Fatalf("the exoform command of testscript.Main is not on PATH: %v", err)
	}
	seed := uint64(1)
	if s := os.Getenv("EXOFORM_CRASH_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("EXOFORM_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("kill points from seed %d (rerun with EXOFORM_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))

	c := &crashRun{t: t, exe: exe, dir: t.TempDir()}
	c.ws = filepath.Join(c.dir, "ws")
	c.state = filepath.Join(c.dir, "tenant.json")
	if err := os.MkdirAll(c.ws, 0o755); err != nil {
		t.Fatal(err)
	}
	c.soakSeedHandMade()
	c.serve()

	for phase := 1; phase <= 2; phase++ {
		text, decls := crashConfig(phase)
		if err := os.WriteFile(filepath.Join(c.ws, "main.exo.hcl"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c.decls = decls
		// Kill points: the first kill comes as the plan is printed, before any write; the
		// others a seeded time after apply's first write started, with a seeded parallelism
		// (1 sends one request at a time, so the kill lands early in the sequence; 10 is
		// the default), so that kills land before, among and after the writes in flight.
		pl := c.check(fmt.Sprintf("phase %d, before apply", phase))
		kills := 5
		if phase == 2 {
			kills = 3
		}
		for i := 0; i < kills && pl.Summary.HasChanges; i++ {
			k := crashKill{parallelism: 10}
			if i > 0 {
				k = crashKill{afterWrites: true, parallelism: []int{1, 3, 10}[rng.IntN(3)], delay: time.Duration(rng.IntN(2500)) * time.Millisecond}
			}
			killed := c.applyKilled(k)
			what := fmt.Sprintf("phase %d, kill %d %s", phase, i+1, k)
			if !killed {
				what = fmt.Sprintf("phase %d, apply %d, which ended before its kill %s", phase, i+1, k)
			}
			pl = c.check(what)
		}
		code, out, errOut := c.exoform("apply", "--auto-approve")
		c.scan("final apply", out+errOut)
		if code != 0 {
			t.Fatalf("phase %d: apply after the kills exited %d:\n%s\n%s", phase, code, out, errOut)
		}
		if pl = c.check(fmt.Sprintf("phase %d, after the final apply", phase)); pl.Summary.HasChanges {
			t.Fatalf("phase %d: the plan after the final apply still has changes: %+v", phase, pl.Changes)
		}
		code, out, errOut = c.exoform("plan", "--detailed-exitcode")
		c.scan("detailed plan", out+errOut)
		if code != 0 {
			t.Fatalf("phase %d: plan --detailed-exitcode exited %d after the final apply:\n%s\n%s", phase, code, out, errOut)
		}
	}
}

// crashRun is one crash test: a workspace, a simulated tenant served by its own process and
// what the checks must find in it.
type crashRun struct {
	t                   *testing.T
	exe, dir, ws, state string
	cloud               string
	decls               []soakDecl
	secrets             []string // values no output may show
	handMade            []soakObject
}

// soakHandMade are made as an administrator would, before exoform runs; nothing may
// delete or adopt them. The demo tenant's own rule and shared mailbox are hand-made too.
var soakHandMade = []soakObject{
	{Type: tConnector, Key: "Hand-made connector"},
	{Type: tRule, Key: "Hand-made rule"},
	{Type: tRule, Key: "Block executable attachments (legacy)"},
	{Type: tMailbox, Key: "hand-made@contoso.com"},
	{Type: tMailbox, Key: "info@contoso.com"},
	{Type: tApp, Key: "Hand-made app"},
	{Type: tSecret, Key: `Hand-made app\hand-made secret`},
}

// soakSeedHandMade creates the hand-made objects through the sim's own commands, and keeps the
// hand-made secret's value to look for in every output.
func soakSeedHandMade(t *testing.T, exe, state string) (secret string) {
	t.Helper()
	run := func(args ...string) string {
		cmd := exec.Command(exe, args...)
		cmd.Env = crashEnv()
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("exoform %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	for _, inv := range [][2]string{
		{"New-InboundConnector", `{"Name":"Hand-made connector","SenderDomains":["fabrikam.com"]}`},
		{"New-TransportRule", `{"Name":"Hand-made rule","MessageTypeMatches":"ReadReceipt","DeleteMessage":true}`},
		{"New-Mailbox", `{"Shared":true,"Name":"Hand-made mailbox","PrimarySmtpAddress":"hand-made@contoso.com"}`},
	} {
		run("sim", "invoke", "--state", state, "--cmdlet", inv[0], "--params", inv[1])
	}
	var app struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(run("sim", "graph", "--state", state, "POST", "/applications", `{"displayName":"Hand-made app"}`)), &app); err != nil || app.ID == "" {
		t.Fatalf("creating the hand-made app: %v", err)
	}
	var pw struct {
		SecretText string `json:"secretText"`
	}
	out := run("sim", "graph", "--state", state, "POST", "/applications/"+app.ID+"/addPassword", `{"passwordCredential":{"displayName":"hand-made secret"}}`)
	if err := json.Unmarshal([]byte(out), &pw); err != nil || len(pw.SecretText) < 8 {
		t.Fatalf("adding the hand-made secret: %v", err)
	}
	return pw.SecretText
}

func (c *crashRun) soakSeedHandMade() {
	c.secrets = append(c.secrets, soakSeedHandMade(c.t, c.exe, c.state))
	c.handMade = soakHandMade
}

// serve starts "exoform sim serve" on the state and waits for its cloud file. The server is
// stopped (by its process id) when the test ends.
func (c *crashRun) serve() {
	t := c.t
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, c.exe, "sim", "serve", "--state", c.state, "--profile", crashProfile)
	cmd.Env = crashEnv()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cancel()
			<-done
		}
		cancel()
	})
	c.cloud = c.state + ".cloud.json"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(c.cloud); err == nil {
			break
		}
		select {
		case <-done:
			t.Fatalf("sim serve ended before it wrote its cloud file:\n%s", errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sim serve wrote no cloud file in 30 s:\n%s", errOut.String())
		}
	}
	// The server writes the cloud file and then prints; wait until the file is whole.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(c.cloud); err == nil && json.Valid(b) {
			return
		}
	}
	t.Fatalf("the cloud file %s is not JSON", c.cloud)
}

// crashEnv is the environment of every subprocess: the test's, without credentials or fault
// settings that would change what the commands connect to.
func crashEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AZURE_") || strings.HasPrefix(k, "EXOFORM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_COLOR=1")
}

// exoform runs a command in the workspace against the served tenant.
func (c *crashRun) exoform(args ...string) (int, string, string) {
	cmd := exec.Command(c.exe, append(args, "--cloud", c.cloud)...)
	cmd.Dir = c.ws
	cmd.Env = crashEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("exoform %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// crashProgressLine matches apply's lines about a change: "ADDRESS: OPERATION..." as an operation
// starts, "ADDRESS: created" (or updated, ...) as a change is done.
var crashProgressLine = regexp.MustCompile(`^(exchange|entra)_\S+: `)

// crashKill is when applyKilled kills apply: at its first line of output (the plan, before
// any write), or delay after its first progress line (the first write started).
type crashKill struct {
	afterWrites bool
	delay       time.Duration
	parallelism int
}

func (k crashKill) String() string {
	if !k.afterWrites {
		return "as the plan was printed"
	}
	return fmt.Sprintf("%s after the first write started, --parallelism %d", k.delay, k.parallelism)
}

// applyKilled runs apply and kills it with SIGKILL at k. It reports whether the kill came
// before apply ended.
func (c *crashRun) applyKilled(k crashKill) bool {
	t := c.t
	cmd := exec.Command(c.exe, "apply", "--auto-approve", "--parallelism", strconv.Itoa(k.parallelism), "--cloud", c.cloud)
	cmd.Dir = c.ws
	cmd.Env = crashEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	killed := false
	timer := (*time.Timer)(nil)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if timer == nil && (!k.afterWrites || crashProgressLine.MatchString(line)) {
			timer = time.AfterFunc(k.delay, func() { _ = cmd.Process.Kill() })
		}
	}
	err = cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	if ee, ok := err.(*exec.ExitError); ok && !ee.Exited() {
		killed = true
	} else if err != nil {
		// Apply ended on its own with an error: nothing faults here, so that is a failure.
		t.Fatalf("apply failed before it was killed: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	c.scan("killed apply", out.String()+errOut.String())
	return killed
}

// check plans, reads the tenant and holds one against the other (see TestCrashSafety). It
// returns the plan.
func (c *crashRun) check(when string) *soakPlan {
	t := c.t
	t.Helper()
	code, out, errOut := c.exoform("plan", "--format", "json", "--detailed-exitcode")
	c.scan("plan", out+errOut)
	if code != 0 && code != 2 {
		t.Fatalf("%s: plan exited %d:\n%s", when, code, errOut)
	}
	pl, err := soakParsePlan(out)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	t.Logf("%s: plan: %d to create, %d to adopt, %d to update, %d to delete", when, pl.Summary.Create, pl.Summary.Adopt, pl.Summary.Update, pl.Summary.Delete)
	if pl.Summary.HasChanges != (code == 2) {
		t.Errorf("%s: plan exited %d but has_changes is %t", when, code, pl.Summary.HasChanges)
	}
	v, err := soakReadTenant(c.state, time.Now(), true, crashRoles)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly what remains: the plan's action for every declaration is the one the tenant
	// calls for.
	want := soakRemaining(crashWorkspace, c.decls, v)
	got := map[string]string{}
	for _, d := range c.decls {
		got[d.Addr] = ""
	}
	for _, ch := range pl.Changes {
		if _, ok := got[ch.Address]; ok {
			got[ch.Address] = ch.Action
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: the plan's actions differ from what the tenant lacks (-tenant calls for +plan does):\n%s", when, diff)
	}
	for _, p := range soakPlanProblems(crashWorkspace, c.decls, pl, v, v) {
		t.Errorf("%s: the plan %s", when, p)
	}
	for _, e := range v.extras {
		t.Errorf("%s: duplicate: %s", when, e)
	}
	for _, h := range c.handMade {
		o := v.find(h.Type, h.Key)
		switch {
		case o == nil:
			t.Errorf("%s: the hand-made %s %q is gone", when, h.Type, h.Key)
		case o.Owner != "":
			t.Errorf("%s: the hand-made %s %q now carries the marker of workspace %q", when, h.Type, h.Key, o.Owner)
		}
	}
	c.checkSecretValues(when, v)
	return pl
}

// checkSecretValues: a declared client secret that exists must have had its value delivered:
// its value file starts with the hint Graph keeps of the value.
func (c *crashRun) checkSecretValues(when string, v *soakTenant) {
	for _, d := range c.decls {
		if d.Type != tSecret {
			continue
		}
		o := v.find(tSecret, d.Key)
		if o == nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(c.ws, d.ValueFile))
		value := strings.TrimSpace(string(b))
		switch {
		case err != nil:
			// The kill fell between addPassword's answer and the write of the value file: the
			// value is lost, yet the plan shows no change for the secret.
			c.t.Errorf("%s: client secret %q exists in the tenant but its value was never written to %s (%v): the value is lost, and the plan does not say so", when, d.Key, d.ValueFile, err)
		case !strings.HasPrefix(value, o.Hint):
			c.t.Errorf("%s: %s holds a value that is not the secret %q in the tenant (hint %q)", when, d.ValueFile, d.Key, o.Hint)
		default:
			c.addSecret(value)
		}
	}
}

func (c *crashRun) addSecret(s string) {
	for _, have := range c.secrets {
		if have == s {
			return
		}
	}
	c.secrets = append(c.secrets, s)
}

// scan fails the test for any secret value or token in an output. A value file written
// during this command is read first, so the output of the apply that wrote it is searched for it.
func (c *crashRun) scan(name, text string) {
	for _, d := range c.decls {
		if d.ValueFile == "" {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(c.ws, d.ValueFile)); err == nil && len(bytes.TrimSpace(b)) >= 8 {
			c.addSecret(strings.TrimSpace(string(b)))
		}
	}
	for _, l := range soakLeaks(name, text, c.secrets) {
		c.t.Error(l)
	}
}

// crashRoles are the Microsoft Graph app roles the crash configuration's app asks for.
var crashRoles = map[string][]string{"crash app": {"Mail.Send"}}

// crashConfig is the crash test's configuration for a phase, and its declarations. Phase 1
// declares many objects of several kinds; phase 2 drops two connectors and a rule (deletes),
// changes a connector, a mailbox's trustees and a CAS setting, and adds a connector.
func crashConfig(phase int) (string, []soakDecl) {
	var b strings.Builder
	var ds []soakDecl
	fmt.Fprintf(&b, "exoform {\n  workspace = %q\n}\n\ntenant {\n  id = \"contoso.onmicrosoft.com\"\n}\n", crashWorkspace)
	connectors := []string{"c1", "c2", "c3", "c4", "c5"}
	rules := []string{"r1", "r2", "r3"}
	if phase == 2 {
		connectors = []string{"c1", "c2", "c5", "c6"}
		rules = []string{"r1", "r2"}
	}
	for _, n := range connectors {
		domains := []string{n + ".example.com"}
		if phase == 2 && n == "c1" {
			domains = append(domains, "c1-new.example.com")
		}
		fmt.Fprintf(&b, "\nresource %q %q {\n  name           = %q\n  sender_domains = %s\n}\n", tConnector, n, "Crash connector "+n, soakHCLList(domains))
		ds = append(ds, soakDecl{Addr: tConnector + "." + n, Type: tConnector, Key: "Crash connector " + n, Domains: domains})
	}
	for _, n := range rules {
		fmt.Fprintf(&b, "\nresource %q %q {\n  name                 = %q\n  message_type_matches = \"ReadReceipt\"\n  delete_message       = true\n}\n", tRule, n, "Crash rule "+n)
		ds = append(ds, soakDecl{Addr: tRule + "." + n, Type: tRule, Key: "Crash rule " + n})
	}
	for _, n := range []string{"m1", "m2", "m3"} {
		primary := "crash-" + n + "@contoso.com"
		fmt.Fprintf(&b, "\nresource %q %q {\n  name                 = %q\n  primary_smtp_address = %q\n}\n", tMailbox, n, "Crash mailbox "+n, primary)
		ds = append(ds, soakDecl{Addr: tMailbox + "." + n, Type: tMailbox, Key: primary})
		full, sendAs := []string{"adele@contoso.com"}, []string{"alexw@contoso.com"}
		if phase == 2 && n == "m1" {
			full, sendAs = []string{"adele@contoso.com", "meganb@contoso.com"}, nil
		}
		fmt.Fprintf(&b, "\nresource %q %q {\n  identity    = %s.%s.primary_smtp_address\n  full_access = %s\n  send_as     = %s\n}\n",
			tPermissions, n, tMailbox, n, soakHCLList(full), soakHCLList(sendAs))
		ds = append(ds, soakDecl{Addr: tPermissions + "." + n, Type: tPermissions, Key: primary, FullAccess: full, SendAs: sendAs})
	}
	off, on := false, true
	imap := &on
	if phase == 2 {
		imap = &off
	}
	fmt.Fprintf(&b, "\nresource %q \"support\" {\n  identity                            = \"support@contoso.com\"\n  smtp_client_authentication_disabled = false\n  imap_enabled                        = %t\n}\n", tCAS, *imap)
	ds = append(ds, soakDecl{Addr: tCAS + ".support", Type: tCAS, Key: "support@contoso.com", SMTPDisabled: &off, Imap: imap})
	b.WriteString(`
resource "entra_application" "app" {
  display_name = "Crash app"
  api_permission {
    api       = "Microsoft Graph"
    app_roles = ["Mail.Send"]
  }
  admin_consent = true
}

resource "entra_application_password" "app" {
  application  = entra_application.app.app_id
  display_name = "crash-secret"
  lifetime     = "4380h"
  value_file   = "crash-secret.txt"
}
`)
	ds = append(ds,
		soakDecl{Addr: tApp + ".app", Type: tApp, Key: "Crash app"},
		soakDecl{Addr: tSecret + ".app", Type: tSecret, Key: `Crash app\crash-secret`, ValueFile: "crash-secret.txt"})
	return b.String(), ds
}

// soakHCLList writes strings as an HCL list.
func soakHCLList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
