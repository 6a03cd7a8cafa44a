package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/exoform/exoform/sim"
)

// A Scale is a benchmark scenario: the tenant to generate and the configurations to plan and
// apply against it.
type Scale struct {
	Name   string
	Tenant sim.Options // only the generator's counts and GenerateSeed are used
	Plan   Spec        // planned with and without latency, and by the per-object baseline
	Apply  Spec        // applied once, on a copy of the tenant
	// BaselineSample bounds how many declared objects of each kind the per-object baseline
	// reads under the realistic profile; its wall time is extrapolated from them. Its requests
	// are always counted over every declared object (with latency off). 0 reads them all.
	BaselineSample int
}

// Scales are the scenarios scripts/bench knows.
var Scales = map[string]Scale{
	// issue is issue 7's benchmark scenario (the shared decisions' numbers).
	"issue": {
		Name: "issue",
		Tenant: sim.Options{Mailboxes: 50000, SharedMailboxes: 5000, MailboxPermissions: 20000, Connectors: 200,
			TransportRules: 300, Apps: 2000, SMTPAuthOverrides: 2000, GenerateSeed: 1},
		Plan: IssueSpec, Apply: ApplySpec, BaselineSample: 100,
	},
	// small is a tenth of the issue's tenant and configuration, to try the script in a minute.
	"small": {
		Name: "small",
		Tenant: sim.Options{Mailboxes: 5000, SharedMailboxes: 500, MailboxPermissions: 2000, Connectors: 20,
			TransportRules: 30, Apps: 200, SMTPAuthOverrides: 200, GenerateSeed: 1},
		Plan:           Spec{CASMailboxes: 1000, SharedMailboxes: 100, Connectors: 5, Rules: 10, Apps: 10, Flip: 10},
		Apply:          Spec{CASMailboxes: 1000, Flip: 100},
		BaselineSample: 20,
	},
}

// Runner runs the measurements of one scale. Its methods run one thing at a time: two
// measurements sharing the machine's cores would measure each other.
type Runner struct {
	// Dir holds the cached tenants (keyed by their counts) and each run's files.
	Dir string
	// Binary is the built exoform binary.
	Binary string
	// Profile is the sim's "realistic" profile.
	Profile sim.Profile
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}

// Tenant returns the state file of the scale's generated tenant, seeding it once: seeding
// 50,000 mailboxes takes a while, and the same counts and seed always give the same tenant.
func (r *Runner) Tenant(s Scale) (string, error) {
	key, err := json.Marshal([]int64{int64(s.Tenant.Mailboxes), int64(s.Tenant.SharedMailboxes), int64(s.Tenant.MailboxPermissions),
		int64(s.Tenant.Connectors), int64(s.Tenant.TransportRules), int64(s.Tenant.Apps), int64(s.Tenant.SMTPAuthOverrides), s.Tenant.GenerateSeed})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(key)
	path := filepath.Join(r.Dir, "tenants", "tenant-"+hex.EncodeToString(sum[:6])+".json")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	r.logf("seeding the %s tenant (%d mailboxes, %d shared, %d permissions, %d connectors, %d rules, %d apps) into %s",
		s.Name, s.Tenant.Mailboxes, s.Tenant.SharedMailboxes, s.Tenant.MailboxPermissions, s.Tenant.Connectors,
		s.Tenant.TransportRules, s.Tenant.Apps, path)
	tmp := path + ".seeding"
	if err := sim.ResetWith(tmp, sim.Options{
		Mailboxes: s.Tenant.Mailboxes, SharedMailboxes: s.Tenant.SharedMailboxes, MailboxPermissions: s.Tenant.MailboxPermissions,
		Connectors: s.Tenant.Connectors, TransportRules: s.Tenant.TransportRules, Apps: s.Tenant.Apps,
		SMTPAuthOverrides: s.Tenant.SMTPAuthOverrides, GenerateSeed: s.Tenant.GenerateSeed,
	}); err != nil {
		return "", err
	}
	os.Remove(tmp + ".lock")
	return path, os.Rename(tmp, path)
}

// copyState copies a state file for a run that writes to its tenant.
func copyState(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

// A Measurement is one row of the table.
type Measurement struct {
	Name string
	Wall time.Duration
	// CPU is the exoform process's user plus system time (the sim runs in the runner's
	// process, so its CPU is not in it).
	CPU time.Duration
	// SimCPU is the runner's own CPU time during the run: the sim serving the requests (and,
	// for the baseline, exoform's clients sending them).
	SimCPU time.Duration
	// MaxRSS is the exoform process's peak resident memory, in bytes.
	MaxRSS int64
	// Requests counts what the sim served, per service ("exchange", "graph", "token").
	Requests map[string]int
	// Throttled counts the responses the sim refused for a limit (429 or Exchange's
	// concurrency refusal).
	Throttled int
	// BatchItems counts the sub-requests $batch requests carried (each $batch is one request).
	BatchItems int
	// FewestRequests, on the lower bound's row, is the fewest requests (Exchange and Graph) any
	// combination of the reads' forms takes, which may be fewer than Requests (the fastest
	// combination's): the floor for the requests target against the baseline.
	FewestRequests int
	// PerCmdlet is the sim's count of InvokeCommand requests per cmdlet.
	PerCmdlet map[string]int
	// SimTable is the sim's per-service accounting, as sim.Stats.Table renders it.
	SimTable string
	// ClientStats is exoform's own --stats table, as printed.
	ClientStats string
	// Extrapolated, when positive, says Wall was extrapolated from a run of this many of the
	// reads.
	Extrapolated int
	// Output is the last lines of exoform's standard output (its summary).
	Output string
}

// TotalRequests sums Requests over the services that carry data (token requests excluded).
func (m Measurement) TotalRequests() int { return m.Requests["exchange"] + m.Requests["graph"] }

// serve starts the sim on state with profile and writes its cloud file into dir.
func (r *Runner) serve(ctx context.Context, state string, profile sim.Profile, dir string) (*sim.Server, string, error) {
	srv, err := sim.Start(ctx, sim.Options{StatePath: state, Profile: profile})
	if err != nil {
		return nil, "", err
	}
	cloud := filepath.Join(dir, "cloud.json")
	if err := srv.WriteCloudFile(cloud); err != nil {
		srv.Close()
		return nil, "", err
	}
	return srv, cloud, nil
}

// Exoform runs the exoform binary with args (after --cloud and --no-color) in dir against a
// sim serving state with profile, and measures it. Exit status 2 (changes present) is success.
func (r *Runner) Exoform(ctx context.Context, name, state string, profile sim.Profile, dir string, args ...string) (Measurement, error) {
	m := Measurement{Name: name}
	srv, cloud, err := r.serve(ctx, state, profile, dir)
	if err != nil {
		return m, err
	}
	defer srv.Close()
	cmd := exec.CommandContext(ctx, r.Binary, append([]string{"--cloud", cloud, "--no-color"}, args...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r.logf("  %s: exoform %s", name, strings.Join(args, " "))
	start, simStart := time.Now(), selfCPU()
	err = cmd.Run()
	m.Wall = time.Since(start)
	m.SimCPU = selfCPU() - simStart
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) {
		return m, fmt.Errorf("%s: exoform %s: %w\n%s%s", name, strings.Join(args, " "), err, tail(stdout.String(), 20), tail(stderr.String(), 20))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.MaxRSS = maxRSSBytes(ru)
	}
	m.Output = tail(stdout.String(), 3)
	m.ClientStats = statsSection(stderr.String())
	m.fromSim(srv.Stats())
	return m, nil
}

// cleanEnv is the runner's environment without Azure credentials, so that exoform signs in as
// the sim's admin app whatever the developer's shell holds, and without colour or a sim profile.
func cleanEnv() []string {
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

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// statsSection returns exoform's --stats table from its standard error, or "".
func statsSection(stderr string) string {
	i := strings.Index(stderr, "Requests sent (--stats)")
	if i < 0 {
		return ""
	}
	return strings.TrimRight(stderr[i:], "\n")
}

// ClientThrottled reads the throttled column of exoform's --stats table, summed over services;
// ok is false when the table is missing or not in the shape this reader knows.
func ClientThrottled(table string) (n int, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(table))
	col := -1
	for sc.Scan() {
		fields := splitColumns(sc.Text())
		if col < 0 {
			for i, f := range fields {
				if f == "throttled" {
					col = i
				}
			}
			continue
		}
		if col < len(fields) {
			if v, err := strconv.Atoi(fields[col]); err == nil {
				n, ok = n+v, true
			}
		}
	}
	return n, ok
}

// splitColumns splits a table row on runs of two or more spaces, so that "Microsoft Graph"
// stays one cell.
func splitColumns(line string) []string {
	var out []string
	for _, f := range strings.Split(strings.TrimSpace(line), "  ") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
