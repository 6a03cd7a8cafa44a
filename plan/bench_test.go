package plan_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/cmd/exoform/cli"
	"github.com/exoform/exoform/internal/bench"
	"github.com/exoform/exoform/sim"
)

// tenThousand is a tenant of about 12,000 mailboxes and a configuration of 10,000 SMTP AUTH
// settings (100 of them changed) plus shared mailboxes with permissions, connectors, rules and
// applications: the planning work of issue 7's scenario at a size a developer's machine seeds
// in seconds.
var tenThousand = bench.Scale{
	Name:   "plan-10k",
	Tenant: sim.Options{Mailboxes: 12000, SharedMailboxes: 600, MailboxPermissions: 2400, Connectors: 60, TransportRules: 120, Apps: 200, SMTPAuthOverrides: 1200, GenerateSeed: 1},
	Plan:   bench.Spec{CASMailboxes: 10000, SharedMailboxes: 300, Connectors: 50, Rules: 100, Apps: 100, Flip: 100},
}

// BenchmarkPlan_TenThousand runs exoform plan (the real command, text output discarded) on
// tenThousand against the simulated tenant in-process, latency off: the CPU and memory of
// loading, evaluating, reading, diffing and rendering 10,000+ declarations. The sim's own work
// is in the profile too; `go test -bench Plan_TenThousand -cpuprofile` and pprof -top tell
// them apart by package. The tenant is seeded once into the temporary directory and reused.
func BenchmarkPlan_TenThousand(b *testing.B) {
	r := &bench.Runner{Dir: filepath.Join(os.TempDir(), "exoform-bench")}
	state, err := r.Tenant(tenThousand)
	if err != nil {
		b.Fatal(err)
	}
	t, err := bench.ReadTenant(state)
	if err != nil {
		b.Fatal(err)
	}
	cfg := b.TempDir()
	if err := bench.WriteConfig(cfg, t, tenThousand.Plan); err != nil {
		b.Fatal(err)
	}
	args := []string{"--chdir", cfg, "plan", "--sim=" + state, "--no-color"}
	var errOut strings.Builder
	streams := cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: &errOut, Getenv: func(string) string { return "" }}
	b.ReportAllocs()
	for b.Loop() {
		errOut.Reset()
		if code := cli.Main(args, streams); code != 0 {
			b.Fatalf("exoform plan exited %d:\n%s", code, errOut.String())
		}
	}
	b.ReportMetric(float64(tenThousand.Plan.Count()), "declarations")
}
