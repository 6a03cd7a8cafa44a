package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exoform/exoform/cmd/exoform/cli"
)

// TestSoak is the soak runner of issue 8: randomised apply rounds against the simulated
// tenant with faults on, per scenario. Each round changes the configuration at random (adds,
// removes and modifies declarations), picks a random fault SPEC (429 with Retry-After,
// 500/503/504, resets, truncated bodies, HTML error pages, lost writes, stalled requests that
// the client gives up on, replication lag) and then:
//
//   - plans with the faults on, and holds the plan against the tenant (soakPlanProblems): a plan
//     either fails with a clear error or proposes only creates, adoptions and deletions that
//     the configuration and the tenant explain;
//   - applies with the faults on, again (after a fresh plan, as apply does) until an apply
//     succeeds, at most soakMaxAttempts times;
//   - with the faults off and the replication lag over: plan --detailed-exitcode must exit 0
//     (converged: otherwise a fault-free apply restores the tenant for the next round), every
//     declared object exists, nothing is duplicated, every hand-made object is still there
//     and unmarked, every declared client secret's value reached its value file, and no
//     output of the round (stdout, stderr, the plan file, the PowerShell script) holds a
//     client secret, the sim's credentials or an access token.
//
// It runs only with EXOFORM_SOAK=1 or EXOFORM_SOAK_ROUNDS=N (200 rounds per scenario by
// default), in-process (cli.Main with --sim=FILE) for speed. It prints the seed: the same
// EXOFORM_SOAK_SEED replays the same rounds and fault draws (the lag's timing and the order
// of concurrent requests aside). EXOFORM_SOAK_REPORT=FILE also writes the table there.
// scripts/soak runs it.
func TestSoak(t *testing.T) {
	rounds := 0
	if n := os.Getenv("EXOFORM_SOAK_ROUNDS"); n != "" {
		var err error
		if rounds, err = strconv.Atoi(n); err != nil || rounds < 1 {
			t.Fatalf("EXOFORM_SOAK_ROUNDS=%q: want a number of rounds, 1 or more", n)
		}
	} else if os.Getenv("EXOFORM_SOAK") == "1" {
		rounds = 200
	} else {
		t.Skip("the soak runs with EXOFORM_SOAK=1 or EXOFORM_SOAK_ROUNDS=N (see scripts/soak)")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EXOFORM_SOAK_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("EXOFORM_SOAK_SEED=%q: %v", s, err)
		}
	}
	fmt.Printf("soak: seed %d, %d rounds per scenario (replay with EXOFORM_SOAK_SEED=%d EXOFORM_SOAK_ROUNDS=%d)\n", seed, rounds, seed, rounds)
	var results []*soakResult
	start := time.Now()
	for _, sc := range soakScenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := runSoak(t, sc, seed, rounds)
			results = append(results, r)
			fmt.Print(soakTable([]*soakResult{r}))
		})
	}
	table := fmt.Sprintf("soak: seed %d, %d rounds per scenario, %s\n\n%s", seed, rounds, time.Since(start).Round(time.Second), soakTable(results))
	fmt.Print("\n" + table)
	if path := os.Getenv("EXOFORM_SOAK_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// soakMaxAttempts bounds the applies with faults on per round.
const soakMaxAttempts = 4

// Kinds of declaration a round adds, changes or removes.
const (
	kConnector = "connector"
	kRule      = "rule"
	kMailbox   = "mailbox"
	kCAS       = "cas"
	kApp       = "app"
	kSecret    = "secret"
	kRelay     = "relay"
)

type soakScenario struct {
	name, workspace string
	kinds           []string        // what rounds add, change and remove
	removable       map[string]bool // what rounds remove
	removeWeight    int             // out of 10: how often a change is a removal
}

var soakScenarios = []soakScenario{
	{name: "exchange objects", workspace: "soak-exchange",
		kinds:     []string{kConnector, kRule, kMailbox, kCAS},
		removable: map[string]bool{kConnector: true, kRule: true, kCAS: true}, removeWeight: 2},
	{name: "entra apps", workspace: "soak-entra",
		kinds:     []string{kApp, kSecret, kRelay},
		removable: map[string]bool{kApp: true, kSecret: true, kRelay: true}, removeWeight: 2},
	{name: "mixed with deletes", workspace: "soak-mixed",
		kinds:     []string{kConnector, kRule, kMailbox, kCAS, kApp, kSecret, kRelay},
		removable: map[string]bool{kConnector: true, kRule: true, kMailbox: true, kCAS: true, kApp: true, kSecret: true, kRelay: true}, removeWeight: 5},
}

// soakResult is one scenario's row of the table.
type soakResult struct {
	scenario                                            string
	rounds, converged, secondApply, faultFreeApply      int
	duplicates, unmanagedDeleted, secretsFound          int
	planClearErrors, planUnclearErrors, wrongPlans      int
	secretValuesLost, applyUnclearErrors, notConverging int
	elapsed                                             time.Duration
}

func soakTable(rs []*soakResult) string {
	var b strings.Builder
	b.WriteString("| scenario | rounds | converged | needed a 2nd apply | needed a fault-free apply | never converged | duplicates created | unmanaged deleted | secrets found in output | secret values lost | plan errors: clear | errors not clear (plan, apply) | wrong plans | time |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d, %d | %d | %s |\n", r.scenario, r.rounds, r.converged, r.secondApply, r.faultFreeApply, r.notConverging,
			r.duplicates, r.unmanagedDeleted, r.secretsFound, r.secretValuesLost, r.planClearErrors, r.planUnclearErrors, r.applyUnclearErrors, r.wrongPlans, r.elapsed.Round(time.Second))
	}
	return b.String()
}

// soakRun is one scenario's workspace and simulated tenant.
type soakRun struct {
	t        *testing.T
	sc       soakScenario
	ws       string
	state    string
	model    *soakModel
	decls    []soakDecl
	secrets  []string // values no output may show
	handMade []soakObject
	gone     map[string]bool // hand-made objects already counted as deleted
	lost     map[string]bool // client secrets (key and hint) already counted as lost
	res      *soakResult
	round    int
	faults   soakFaults
	outputs  []soakOutput // this round's, for the secret search
}

type soakOutput struct{ name, text string }

// soakFaults are a round's fault controls.
type soakFaults struct {
	spec  string
	lag   time.Duration
	seed  int64
	debug bool // EXOFORM_LOG=debug: request traces must not leak either
}

// soakResponseTimeout is how long a round's commands wait for an answer to begin when the
// faults stall requests: the sim answers in milliseconds otherwise.
const soakResponseTimeout = 700 * time.Millisecond

func (f soakFaults) String() string {
	s := fmt.Sprintf("EXOFORM_SIM_FAULTS=%q EXOFORM_SIM_SEED=%d", f.spec, f.seed)
	if strings.Contains(f.spec, "stall") {
		s += " EXOFORM_SIM_STALL=1m EXOFORM_RESPONSE_TIMEOUT=" + soakResponseTimeout.String()
	}
	if f.lag > 0 {
		s += " EXOFORM_SIM_LAG=" + f.lag.String()
	}
	if f.debug {
		s += " EXOFORM_LOG=debug"
	}
	return s
}

func runSoak(t *testing.T, sc soakScenario, seed uint64, rounds int) *soakResult {
	h := fnv.New64a()
	h.Write([]byte(sc.name))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	dir := t.TempDir()
	// cli.Main's --chdir changes the process's directory: t.Chdir puts it back afterwards.
	t.Chdir(dir)
	s := &soakRun{t: t, sc: sc, ws: filepath.Join(dir, "ws"), state: filepath.Join(dir, "tenant.json"),
		model: newSoakModel(sc), gone: map[string]bool{}, lost: map[string]bool{}, res: &soakResult{scenario: sc.name}}
	if err := os.MkdirAll(s.ws, 0o755); err != nil {
		t.Fatal(err)
	}
	s.soakSeedHandMade()
	start := time.Now()
	for s.round = 0; s.round < rounds; s.round++ {
		change := "initial configuration"
		if s.round > 0 {
			change = strings.Join(s.model.mutate(rng, sc), "; ")
		}
		s.faults = pickFaults(rng)
		s.runRound(change)
		s.res.rounds++
	}
	s.res.elapsed = time.Since(start)
	return s.res
}

// soakSeedHandMade makes the hand-made objects (as the crash test does) through the sim's own
// commands, in-process.
func (s *soakRun) soakSeedHandMade() {
	invoke := func(args ...string) string {
		var out, errOut bytes.Buffer
		if code := cli.Main(args, soakIO(&out, &errOut, nil)); code != 0 {
			s.t.Fatalf("exoform %s exited %d: %s", strings.Join(args, " "), code, errOut.String())
		}
		return out.String()
	}
	for _, inv := range [][2]string{
		{"New-InboundConnector", `{"Name":"Hand-made connector","SenderDomains":["fabrikam.com"]}`},
		{"New-TransportRule", `{"Name":"Hand-made rule","MessageTypeMatches":"ReadReceipt","DeleteMessage":true}`},
		{"New-Mailbox", `{"Shared":true,"Name":"Hand-made mailbox","PrimarySmtpAddress":"hand-made@contoso.com"}`},
	} {
		invoke("sim", "invoke", "--state", s.state, "--cmdlet", inv[0], "--params", inv[1])
	}
	app := invoke("sim", "graph", "--state", s.state, "POST", "/applications", `{"displayName":"Hand-made app"}`)
	id := soakJSONField(app, "id")
	pw := invoke("sim", "graph", "--state", s.state, "POST", "/applications/"+id+"/addPassword", `{"passwordCredential":{"displayName":"hand-made secret"}}`)
	secret := soakJSONField(pw, "secretText")
	if id == "" || len(secret) < 8 {
		s.t.Fatalf("seeding the hand-made app: %q, %q", app, pw)
	}
	s.secrets = append(s.secrets, secret)
	s.handMade = soakHandMade
}

func soakJSONField(doc, field string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return ""
	}
	v, _ := m[field].(string)
	return v
}

// soakIO is the streams and environment of an in-process command.
func soakIO(out, errOut *bytes.Buffer, env map[string]string) cli.IO {
	return cli.IO{In: strings.NewReader(""), Out: out, Err: errOut, Getenv: func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return env[k]
	}}
}

// exoform runs a command in the workspace against the tenant, with the round's faults when
// faulty, and keeps its output for the secret search.
func (s *soakRun) exoform(faulty bool, attempt int, args ...string) (int, string, string) {
	env := map[string]string{}
	if faulty {
		env["EXOFORM_SIM_FAULTS"] = s.faults.spec
		env["EXOFORM_SIM_SEED"] = strconv.FormatInt(s.faults.seed+int64(attempt), 10)
		if s.faults.lag > 0 {
			env["EXOFORM_SIM_LAG"] = s.faults.lag.String()
		}
		if strings.Contains(s.faults.spec, "stall") {
			// A stalled request (a gateway timing out a long cmdlet) holds for a minute; the
			// client gives up long before, as EXOFORM_RESPONSE_TIMEOUT tells it to.
			env["EXOFORM_SIM_STALL"] = "1m"
			env["EXOFORM_RESPONSE_TIMEOUT"] = soakResponseTimeout.String()
		}
	}
	if s.faults.debug {
		env["EXOFORM_LOG"] = "debug"
	}
	var out, errOut bytes.Buffer
	code := cli.Main(append(args, "--chdir", s.ws, "--sim="+s.state), soakIO(&out, &errOut, env))
	name := fmt.Sprintf("exoform %s (attempt %d)", strings.Join(args, " "), attempt+1)
	s.outputs = append(s.outputs, soakOutput{name + " stdout", out.String()}, soakOutput{name + " stderr", errOut.String()})
	if strings.Contains(errOut.String(), "internal error") {
		s.problem("%s crashed:\n%s", name, errOut.String())
	}
	return code, out.String(), errOut.String()
}

// problem reports a finding with what reproduces it.
func (s *soakRun) problem(format string, args ...any) {
	s.t.Errorf("round %d (%s): %s", s.round, s.faults, fmt.Sprintf(format, args...))
}

func (s *soakRun) view(master bool) *soakTenant {
	v, err := soakReadTenant(s.state, time.Now(), master, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (s *soakRun) runRound(change string) {
	s.outputs = nil
	text, decls := s.model.render(s.sc.workspace)
	s.decls = decls
	if err := os.WriteFile(filepath.Join(s.ws, "main.exo.hcl"), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
	before := s.view(true)

	// 1. A plan with the faults on: a clear error, or a plan the tenant explains.
	pre := s.view(false)
	code, out, errOut := s.exoform(true, 0, "plan", "--format", "json", "--detailed-exitcode", "--out", "round.plan", "--out-script", "round.ps1")
	post := s.view(false)
	switch code {
	case 0, 2:
		pl, err := soakParsePlan(out)
		if err != nil {
			s.problem("plan: %v", err)
			s.res.wrongPlans++
			break
		}
		if ps := soakPlanProblems(s.sc.workspace, decls, pl, pre, post); len(ps) > 0 {
			s.res.wrongPlans++
			s.problem("wrong plan after %s:\n  %s", change, strings.Join(ps, "\n  "))
		}
	default:
		if why := soakUnclearError(out, errOut, true); why != "" {
			s.res.planUnclearErrors++
			s.problem("plan failed without a clear error (%s):\n%s%s", why, out, errOut)
		} else {
			s.res.planClearErrors++
		}
	}
	for _, f := range []string{"round.plan", "round.ps1"} {
		if b, err := os.ReadFile(filepath.Join(s.ws, f)); err == nil {
			s.outputs = append(s.outputs, soakOutput{f, string(b)})
			_ = os.Remove(filepath.Join(s.ws, f))
		}
	}

	// 2. Apply with the faults on until an apply succeeds.
	attempts := 0
	for attempts < soakMaxAttempts {
		code, out, errOut := s.exoform(true, attempts+1, "apply", "--auto-approve")
		attempts++
		if code == 0 {
			break
		}
		if os.Getenv("EXOFORM_SOAK_VERBOSE") != "" {
			s.t.Logf("round %d: apply attempt %d exited %d:\n%s", s.round, attempts, code, errOut)
		}
		if why := soakUnclearError("", errOut, false); why != "" {
			s.res.applyUnclearErrors++
			s.problem("apply failed without a clear error (%s):\n%s%s", why, out, errOut)
		}
		// A user runs apply again later: the writes of this one may still be replicating.
		s.waitForReplication()
	}

	// 3. With the faults off and the lag over: converged?
	s.waitForReplication()
	converged := s.verifyPlan()
	if attempts > 1 || !converged {
		s.res.secondApply++
	}
	if converged {
		s.res.converged++
	} else {
		s.res.faultFreeApply++
		if code, out, errOut := s.exoform(false, soakMaxAttempts+1, "apply", "--auto-approve"); code != 0 {
			s.problem("a fault-free apply after %s failed:\n%s%s", change, out, errOut)
		}
		s.waitForReplication()
		if !s.verifyPlan() {
			s.res.notConverging++
			s.problem("the tenant does not converge after %s, even with a fault-free apply", change)
		}
	}
	s.checkTenant(before)
	s.checkLeaks()
	s.t.Logf("round %d: %s; %s; %d faulted apply(s), converged %t", s.round, change, s.faults, attempts, converged)
}

// waitForReplication waits until every pending change of the tenant is visible to reads: the
// latest visible_at of the state file has passed.
func (s *soakRun) waitForReplication() {
	if s.faults.lag <= 0 {
		return
	}
	b, err := os.ReadFile(s.state)
	if err != nil {
		s.t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		s.t.Fatal(err)
	}
	if d := time.Until(soakLatestVisibleAt(doc)); d > 0 {
		time.Sleep(d + 10*time.Millisecond)
	}
}

// soakLatestVisibleAt finds the latest "visible_at" of a decoded state file (sim/lag.go).
func soakLatestVisibleAt(doc any) time.Time {
	var latest time.Time
	switch v := doc.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "visible_at" {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.After(latest) {
					latest = t
				}
				continue
			}
			if t := soakLatestVisibleAt(e); t.After(latest) {
				latest = t
			}
		}
	case []any:
		for _, e := range v {
			if t := soakLatestVisibleAt(e); t.After(latest) {
				latest = t
			}
		}
	}
	return latest
}

// verifyPlan plans with the faults off and reports whether the tenant matches the
// configuration. A failing plan here (no faults) is a problem, and so is a wrong one.
func (s *soakRun) verifyPlan() bool {
	pre := s.view(false)
	code, out, errOut := s.exoform(false, 0, "plan", "--detailed-exitcode", "--format", "json")
	post := s.view(false)
	if code != 0 && code != 2 {
		s.problem("the fault-free plan failed:\n%s%s", out, errOut)
		return false
	}
	pl, err := soakParsePlan(out)
	if err != nil {
		s.res.wrongPlans++
		s.problem("the fault-free plan: %v", err)
		return false
	}
	if ps := soakPlanProblems(s.sc.workspace, s.decls, pl, pre, post); len(ps) > 0 {
		s.res.wrongPlans++
		s.problem("wrong fault-free plan:\n  %s", strings.Join(ps, "\n  "))
	}
	return code == 0
}

// checkTenant counts duplicates, hand-made objects deleted or taken over, declared objects
// missing and secret values lost, from the master copy.
func (s *soakRun) checkTenant(before *soakTenant) {
	v := s.view(true)
	if n := len(v.extras) - len(before.extras); n > 0 {
		s.res.duplicates += n
		s.problem("duplicates: %s", strings.Join(v.extras, "; "))
	}
	for _, h := range s.handMade {
		k := h.Type + "\x00" + h.Key
		if s.gone[k] {
			continue
		}
		o := v.find(h.Type, h.Key)
		switch {
		case o == nil:
			s.gone[k] = true
			s.res.unmanagedDeleted++
			s.problem("the hand-made %s %q was deleted", h.Type, h.Key)
		case o.Owner != "":
			s.gone[k] = true
			s.res.unmanagedDeleted++
			s.problem("the hand-made %s %q was taken over by workspace %q", h.Type, h.Key, o.Owner)
		}
	}
	for _, d := range s.decls {
		if d.Type == tPermissions || d.Type == tCAS {
			continue
		}
		o := v.find(d.Type, d.Key)
		if o == nil {
			s.problem("%s (%q) is declared but does not exist after the round", d.Addr, d.Key)
			continue
		}
		if d.Type != tSecret {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.ws, d.ValueFile))
		value := strings.TrimSpace(string(b))
		if (err != nil || !strings.HasPrefix(value, o.Hint)) && !s.lost[d.Key+"\x00"+o.Hint] {
			// A secret is counted once: a later round may declare it again and find it as it was.
			s.lost[d.Key+"\x00"+o.Hint] = true
			s.res.secretValuesLost++
			s.problem("client secret %q exists (hint %q) but %s does not hold its value (%v): the value is lost and the plan says nothing", d.Key, o.Hint, d.ValueFile, err)
		}
	}
}

// checkLeaks searches every output of the round for secret values and tokens.
func (s *soakRun) checkLeaks() {
	for _, d := range s.decls {
		if d.ValueFile == "" {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(s.ws, d.ValueFile)); err == nil && len(bytes.TrimSpace(b)) >= 8 {
			if v := strings.TrimSpace(string(b)); !slices.Contains(s.secrets, v) {
				s.secrets = append(s.secrets, v)
			}
		}
	}
	secrets := append(append([]string(nil), s.secrets...), s.view(true).Credentials...)
	found := 0
	for _, o := range s.outputs {
		for _, l := range soakLeaks(o.name, o.text, secrets) {
			found++
			s.problem("%s", l)
		}
	}
	s.res.secretsFound += found
}

// pickFaults draws a round's fault controls: one to three fault items, now and then none, a
// replication lag in one round of eight, request traces in one of four.
func pickFaults(rng *rand.Rand) soakFaults {
	f := soakFaults{seed: rng.Int64N(1 << 40), debug: rng.IntN(4) == 0}
	if rng.IntN(8) == 0 {
		f.lag = time.Duration(1+rng.IntN(3)) * time.Second
	}
	if rng.IntN(10) == 0 {
		return f
	}
	items := []func() string{
		func() string { return fmt.Sprintf("429:%d%%", []int{3, 5, 10}[rng.IntN(3)]) },
		func() string { return fmt.Sprintf("500:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("503:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("504:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("reset:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("truncate:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("html:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string { return fmt.Sprintf("lost:%d%%", []int{5, 10, 20}[rng.IntN(3)]) },
		func() string { return fmt.Sprintf("stall:%d%%", []int{2, 5}[rng.IntN(2)]) },
		func() string {
			return "lost:50%:" + []string{"New-InboundConnector", "New-TransportRule", "New-Mailbox", "Set-Mailbox", "Add-MailboxPermission",
				"Add-RecipientPermission", "Remove-InboundConnector", "Set-CASMailbox"}[rng.IntN(8)]
		},
		func() string {
			return "500:30%:" + []string{"Get-InboundConnector", "Get-TransportRule", "Get-Mailbox", "Get-MailboxPermission", "Get-RecipientPermission", "Get-CASMailbox"}[rng.IntN(6)]
		},
	}
	n := 1 + rng.IntN(3)
	var spec []string
	for range n {
		spec = append(spec, items[rng.IntN(len(items))]())
	}
	f.spec = strings.Join(spec, ",")
	return f
}

// The pools the rounds draw declarations from.
var (
	soakDomains   = []string{"a.example.com", "b.example.com", "c.example.com"}
	soakTrustees  = []string{"adele@contoso.com", "alexw@contoso.com", "meganb@contoso.com"}
	soakCASIDs    = []string{"support@contoso.com", "alexw@contoso.com", "meganb@contoso.com"}
	soakRoles     = []string{"Mail.Send", "User.Read.All", "Domain.Read.All"}
	soakExScopes  = []string{"SMTP.Send", "IMAP.AccessAsUser.All", "POP.AccessAsUser.All"}
	soakGrScopes  = []string{"offline_access", "openid", "profile"}
	soakComments  = []string{"", "Partner relay", "Scanner relay, see ticket 42"}
	soakLifetimes = []string{"4380h", "8760h"}
)

// soakRelayAppID is the sim's multi-tenant vendor app (Northwind Mail Relay).
const soakRelayAppID = "5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13"

const (
	soakConnectors = 5
	soakRules      = 4
	soakMailboxes  = 3
	soakApps       = 3
	soakSecrets    = 2 // per app
)

// soakModel is the configuration a scenario's rounds change: declarations by pool index.
type soakModel struct {
	sc         soakScenario
	connectors map[int]*soakConnector
	rules      map[int]*soakRule
	mailboxes  map[int]*soakMailbox
	cas        map[int]*soakCAS
	apps       map[int]*soakApp
	relay      *soakRelay
}

type soakConnector struct {
	domains []string
	enabled bool
	comment string
}

type soakRule struct {
	enabled  bool
	comments string
}

type soakMailbox struct {
	renamed, hidden    bool
	fullAccess, sendAs []string
}

type soakCAS struct {
	smtp string // "true", "false" or "inherit"
	imap *bool  // nil: not declared
}

type soakApp struct {
	notes   string
	roles   []string
	consent bool
	secrets map[int]string // pool index -> lifetime
}

type soakRelay struct{ exScopes, grScopes []string }

// newSoakModel is the first round's configuration: one or two of each kind.
func newSoakModel(sc soakScenario) *soakModel {
	m := &soakModel{sc: sc, connectors: map[int]*soakConnector{}, rules: map[int]*soakRule{}, mailboxes: map[int]*soakMailbox{},
		cas: map[int]*soakCAS{}, apps: map[int]*soakApp{}}
	for _, k := range sc.kinds {
		switch k {
		case kConnector:
			m.connectors[0] = &soakConnector{domains: soakDomains[:1], enabled: true}
			m.connectors[1] = &soakConnector{domains: soakDomains[1:], enabled: true, comment: soakComments[1]}
		case kRule:
			m.rules[0] = &soakRule{enabled: true}
		case kMailbox:
			m.mailboxes[0] = &soakMailbox{fullAccess: soakTrustees[:1], sendAs: soakTrustees[:1]}
		case kCAS:
			m.cas[0] = &soakCAS{smtp: "false"}
		case kApp:
			m.apps[0] = &soakApp{roles: soakRoles[:1], consent: true, secrets: map[int]string{0: soakLifetimes[0]}}
		case kRelay:
			m.relay = &soakRelay{exScopes: soakExScopes[:1], grScopes: soakGrScopes[:1]}
		}
	}
	return m
}

// soakSubset draws a subset of a pool, non-empty when nonEmpty.
func soakSubset(rng *rand.Rand, pool []string, nonEmpty bool) []string {
	for {
		var out []string
		for _, p := range pool {
			if rng.IntN(2) == 0 {
				out = append(out, p)
			}
		}
		if len(out) > 0 || !nonEmpty {
			return out
		}
	}
}

func soakFree(rng *rand.Rand, n int, used func(int) bool) (int, bool) {
	var cands []int
	for i := range n {
		if !used(i) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return 0, false
	}
	return cands[rng.IntN(len(cands))], true
}

func soakPick[T any](rng *rand.Rand, m map[int]T) (int, bool) {
	if len(m) == 0 {
		return 0, false
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys[rng.IntN(len(keys))], true
}

// mutate changes the configuration at random, one to three times, and says how.
func (m *soakModel) mutate(rng *rand.Rand, sc soakScenario) []string {
	var did []string
	for n := 1 + rng.IntN(3); len(did) < n; {
		kind := sc.kinds[rng.IntN(len(sc.kinds))]
		op := "modify"
		switch r := rng.IntN(10); {
		case r < sc.removeWeight && sc.removable[kind]:
			op = "remove"
		case r < sc.removeWeight+3:
			op = "add"
		}
		if d := m.apply(rng, kind, op); d != "" {
			did = append(did, d)
		}
	}
	return did
}

// apply makes one change; "" when it was not possible (nothing to remove, no free slot).
func (m *soakModel) apply(rng *rand.Rand, kind, op string) string {
	switch kind {
	case kConnector:
		switch op {
		case "add":
			if i, ok := soakFree(rng, soakConnectors, func(i int) bool { return m.connectors[i] != nil }); ok {
				m.connectors[i] = &soakConnector{domains: soakSubset(rng, soakDomains, true), enabled: rng.IntN(4) > 0, comment: soakComments[rng.IntN(3)]}
				return fmt.Sprintf("add connector %d", i)
			}
		case "remove":
			if i, ok := soakPick(rng, m.connectors); ok {
				delete(m.connectors, i)
				return fmt.Sprintf("remove connector %d", i)
			}
		default:
			if i, ok := soakPick(rng, m.connectors); ok {
				c := m.connectors[i]
				switch rng.IntN(3) {
				case 0:
					c.domains = soakSubset(rng, soakDomains, true)
				case 1:
					c.enabled = !c.enabled
				default:
					c.comment = soakComments[rng.IntN(3)]
				}
				return fmt.Sprintf("modify connector %d", i)
			}
		}
	case kRule:
		switch op {
		case "add":
			if i, ok := soakFree(rng, soakRules, func(i int) bool { return m.rules[i] != nil }); ok {
				m.rules[i] = &soakRule{enabled: rng.IntN(4) > 0, comments: soakComments[rng.IntN(3)]}
				return fmt.Sprintf("add rule %d", i)
			}
		case "remove":
			if i, ok := soakPick(rng, m.rules); ok {
				delete(m.rules, i)
				return fmt.Sprintf("remove rule %d", i)
			}
		default:
			if i, ok := soakPick(rng, m.rules); ok {
				r := m.rules[i]
				if rng.IntN(2) == 0 {
					r.enabled = !r.enabled
				} else {
					r.comments = soakComments[rng.IntN(3)]
				}
				return fmt.Sprintf("modify rule %d", i)
			}
		}
	case kMailbox:
		switch op {
		case "add":
			if i, ok := soakFree(rng, soakMailboxes, func(i int) bool { return m.mailboxes[i] != nil }); ok {
				m.mailboxes[i] = &soakMailbox{fullAccess: soakSubset(rng, soakTrustees, false), sendAs: soakSubset(rng, soakTrustees, false)}
				return fmt.Sprintf("add mailbox %d", i)
			}
		case "remove":
			if i, ok := soakPick(rng, m.mailboxes); ok {
				delete(m.mailboxes, i)
				return fmt.Sprintf("remove mailbox %d", i)
			}
		default:
			if i, ok := soakPick(rng, m.mailboxes); ok {
				mb := m.mailboxes[i]
				switch rng.IntN(4) {
				case 0:
					mb.renamed = !mb.renamed
				case 1:
					mb.hidden = !mb.hidden
				case 2:
					mb.fullAccess = soakSubset(rng, soakTrustees, false)
				default:
					mb.sendAs = soakSubset(rng, soakTrustees, false)
				}
				return fmt.Sprintf("modify mailbox %d", i)
			}
		}
	case kCAS:
		switch op {
		case "add":
			if i, ok := soakFree(rng, len(soakCASIDs), func(i int) bool { return m.cas[i] != nil }); ok {
				m.cas[i] = &soakCAS{smtp: []string{"true", "false", "inherit"}[rng.IntN(3)]}
				return fmt.Sprintf("add CAS settings %d", i)
			}
		case "remove":
			if i, ok := soakPick(rng, m.cas); ok {
				delete(m.cas, i)
				return fmt.Sprintf("remove CAS settings %d", i)
			}
		default:
			if i, ok := soakPick(rng, m.cas); ok {
				c := m.cas[i]
				if rng.IntN(2) == 0 {
					c.smtp = []string{"true", "false", "inherit"}[rng.IntN(3)]
				} else {
					b := rng.IntN(2) == 0
					c.imap = &b
				}
				return fmt.Sprintf("modify CAS settings %d", i)
			}
		}
	case kApp:
		switch op {
		case "add":
			if i, ok := soakFree(rng, soakApps, func(i int) bool { return m.apps[i] != nil }); ok {
				m.apps[i] = &soakApp{roles: soakSubset(rng, soakRoles, false), consent: rng.IntN(2) == 0, secrets: map[int]string{}}
				return fmt.Sprintf("add app %d", i)
			}
		case "remove":
			if i, ok := soakPick(rng, m.apps); ok {
				delete(m.apps, i)
				return fmt.Sprintf("remove app %d with its secrets", i)
			}
		default:
			if i, ok := soakPick(rng, m.apps); ok {
				a := m.apps[i]
				switch rng.IntN(3) {
				case 0:
					a.roles = soakSubset(rng, soakRoles, false)
				case 1:
					a.consent = !a.consent
				default:
					a.notes = soakComments[rng.IntN(3)]
				}
				return fmt.Sprintf("modify app %d", i)
			}
		}
	case kSecret:
		ai, ok := soakPick(rng, m.apps)
		if !ok {
			return ""
		}
		a := m.apps[ai]
		switch op {
		case "add":
			if i, ok := soakFree(rng, soakSecrets, func(i int) bool { _, ok := a.secrets[i]; return ok }); ok {
				a.secrets[i] = soakLifetimes[rng.IntN(2)]
				return fmt.Sprintf("add secret %d of app %d", i, ai)
			}
		case "remove":
			if i, ok := soakPick(rng, a.secrets); ok {
				delete(a.secrets, i)
				return fmt.Sprintf("stop managing secret %d of app %d", i, ai)
			}
		default:
			if i, ok := soakPick(rng, a.secrets); ok {
				// A new lifetime replaces the secret: a rotation.
				if a.secrets[i] == soakLifetimes[0] {
					a.secrets[i] = soakLifetimes[1]
				} else {
					a.secrets[i] = soakLifetimes[0]
				}
				return fmt.Sprintf("rotate secret %d of app %d", i, ai)
			}
		}
	case kRelay:
		switch {
		case op == "add" && m.relay == nil:
			m.relay = &soakRelay{exScopes: soakSubset(rng, soakExScopes, true), grScopes: soakSubset(rng, soakGrScopes, true)}
			return "add the relay's consent"
		case op == "remove" && m.relay != nil:
			m.relay = nil
			return "remove the relay's consent"
		case op == "modify" && m.relay != nil:
			m.relay.exScopes, m.relay.grScopes = soakSubset(rng, soakExScopes, true), soakSubset(rng, soakGrScopes, true)
			return "modify the relay's consent"
		}
	}
	return ""
}

func soakSecretAddr(ai, si int) string { return fmt.Sprintf("%s.a%d_s%d", tSecret, ai, si) }

// render writes the configuration and lists its declarations.
func (m *soakModel) render(ws string) (string, []soakDecl) {
	var b strings.Builder
	var ds []soakDecl
	fmt.Fprintf(&b, "exoform {\n  workspace   = %q\n  max_deletes = 50\n}\n\ntenant {\n  id = \"contoso.onmicrosoft.com\"\n}\n", ws)
	for _, i := range soakSortedKeys(m.connectors) {
		c := m.connectors[i]
		name := fmt.Sprintf("Soak connector %d", i)
		fmt.Fprintf(&b, "\nresource %q \"c%d\" {\n  name           = %q\n  sender_domains = %s\n  enabled        = %t\n", tConnector, i, name, soakHCLList(c.domains), c.enabled)
		if c.comment != "" {
			fmt.Fprintf(&b, "  comment        = %q\n", c.comment)
		}
		b.WriteString("}\n")
		ds = append(ds, soakDecl{Addr: fmt.Sprintf("%s.c%d", tConnector, i), Type: tConnector, Key: name, Domains: c.domains})
	}
	for _, i := range soakSortedKeys(m.rules) {
		r := m.rules[i]
		name := fmt.Sprintf("Soak rule %d", i)
		fmt.Fprintf(&b, "\nresource %q \"r%d\" {\n  name                 = %q\n  message_type_matches = \"ReadReceipt\"\n  delete_message       = true\n  enabled              = %t\n", tRule, i, name, r.enabled)
		if r.comments != "" {
			fmt.Fprintf(&b, "  comments             = %q\n", r.comments)
		}
		b.WriteString("}\n")
		ds = append(ds, soakDecl{Addr: fmt.Sprintf("%s.r%d", tRule, i), Type: tRule, Key: name})
	}
	for _, i := range soakSortedKeys(m.mailboxes) {
		mb := m.mailboxes[i]
		primary := fmt.Sprintf("soak-m%d@contoso.com", i)
		display := fmt.Sprintf("Soak mailbox %d", i)
		if mb.renamed {
			display += " (renamed)"
		}
		fmt.Fprintf(&b, "\nresource %q \"m%d\" {\n  name                              = %q\n  display_name                      = %q\n  primary_smtp_address              = %q\n  hidden_from_address_lists_enabled = %t\n",
			tMailbox, i, fmt.Sprintf("Soak mailbox %d", i), display, primary, mb.hidden)
		if m.sc.removable[kMailbox] {
			// Deleting a mailbox needs the opt-in in its marker, applied with it.
			b.WriteString("  lifecycle {\n    allow_destroy = true\n  }\n")
		}
		b.WriteString("}\n")
		fmt.Fprintf(&b, "\nresource %q \"m%d\" {\n  identity    = %s.m%d.primary_smtp_address\n  full_access = %s\n  send_as     = %s\n}\n",
			tPermissions, i, tMailbox, i, soakHCLList(mb.fullAccess), soakHCLList(mb.sendAs))
		ds = append(ds, soakDecl{Addr: fmt.Sprintf("%s.m%d", tMailbox, i), Type: tMailbox, Key: primary},
			soakDecl{Addr: fmt.Sprintf("%s.m%d", tPermissions, i), Type: tPermissions, Key: primary, FullAccess: mb.fullAccess, SendAs: mb.sendAs})
	}
	for _, i := range soakSortedKeys(m.cas) {
		c := m.cas[i]
		smtp := c.smtp
		if smtp == "inherit" {
			smtp = `"inherit"`
		}
		fmt.Fprintf(&b, "\nresource %q \"cas%d\" {\n  identity                            = %q\n  smtp_client_authentication_disabled = %s\n", tCAS, i, soakCASIDs[i], smtp)
		if c.imap != nil {
			fmt.Fprintf(&b, "  imap_enabled                        = %t\n", *c.imap)
		}
		b.WriteString("}\n")
		ds = append(ds, soakDecl{Addr: fmt.Sprintf("%s.cas%d", tCAS, i), Type: tCAS, Key: soakCASIDs[i]})
	}
	for _, i := range soakSortedKeys(m.apps) {
		a := m.apps[i]
		name := fmt.Sprintf("Soak app %d", i)
		// admin_consent without permissions is an error of the configuration, not a round.
		fmt.Fprintf(&b, "\nresource %q \"a%d\" {\n  display_name  = %q\n  admin_consent = %t\n", tApp, i, name, a.consent && len(a.roles) > 0)
		if a.notes != "" {
			fmt.Fprintf(&b, "  notes         = %q\n", a.notes)
		}
		if len(a.roles) > 0 {
			fmt.Fprintf(&b, "  api_permission {\n    api       = \"Microsoft Graph\"\n    app_roles = %s\n  }\n", soakHCLList(a.roles))
		}
		b.WriteString("}\n")
		ds = append(ds, soakDecl{Addr: fmt.Sprintf("%s.a%d", tApp, i), Type: tApp, Key: name})
		for _, si := range soakSortedKeys(a.secrets) {
			secret := fmt.Sprintf("soak-secret-%d", si)
			file := fmt.Sprintf("secret-a%d-s%d.txt", i, si)
			fmt.Fprintf(&b, "\nresource %q \"a%d_s%d\" {\n  application  = %s.a%d.app_id\n  display_name = %q\n  lifetime     = %q\n  value_file   = %q\n}\n",
				tSecret, i, si, tApp, i, secret, a.secrets[si], file)
			ds = append(ds, soakDecl{Addr: soakSecretAddr(i, si), Type: tSecret, Key: name + `\` + secret, ValueFile: file})
		}
	}
	if r := m.relay; r != nil {
		fmt.Fprintf(&b, "\nresource %q \"relay\" {\n  app_id        = %q\n  admin_consent = true\n  api_permission {\n    api    = \"Office 365 Exchange Online\"\n    scopes = %s\n  }\n  api_permission {\n    api    = \"Microsoft Graph\"\n    scopes = %s\n  }\n}\n",
			tSP, soakRelayAppID, soakHCLList(r.exScopes), soakHCLList(r.grScopes))
		ds = append(ds, soakDecl{Addr: tSP + ".relay", Type: tSP, Key: soakRelayAppID})
	}
	return b.String(), ds
}

func soakSortedKeys[T any](m map[int]T) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
