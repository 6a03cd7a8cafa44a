package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/cmd/exoform/cli"
	"github.com/exoform/exoform/sim"
)

// benchScales are the Go benchmarks' scenarios: small enough that `go test -bench .
// ./internal/bench` runs in about a minute (the first run seeds the tenants, which are then
// cached with scripts/bench's). The issue's scale runs through scripts/bench.
var benchScales = []Scale{
	{
		Name:   "mailboxes=1000",
		Tenant: sim.Options{Mailboxes: 1000, SharedMailboxes: 100, MailboxPermissions: 400, Connectors: 10, TransportRules: 10, Apps: 40, SMTPAuthOverrides: 40, GenerateSeed: 1},
		Plan:   Spec{CASMailboxes: 200, SharedMailboxes: 20, Connectors: 2, Rules: 4, Apps: 4, Flip: 2},
	},
	Scales["small"],
}

// benchTenant returns the cached state file and tenant of s.
func benchTenant(b *testing.B, s Scale) (string, *Tenant) {
	b.Helper()
	r := &Runner{Dir: filepath.Join(os.TempDir(), "exoform-bench")}
	state, err := r.Tenant(s)
	if err != nil {
		b.Fatal(err)
	}
	t, err := ReadTenant(state)
	if err != nil {
		b.Fatal(err)
	}
	return state, t
}

// BenchmarkPlan plans a generated configuration against its tenant in-process (exoform's own
// command, the sim with latency off): the CPU and allocations of planning, sim included.
func BenchmarkPlan(b *testing.B) {
	for _, s := range benchScales {
		b.Run("scale="+s.Name, func(b *testing.B) {
			state, t := benchTenant(b, s)
			cfg := b.TempDir()
			if err := WriteConfig(cfg, t, s.Plan); err != nil {
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
			b.ReportMetric(float64(s.Plan.Count()), "declarations")
		})
	}
}

// BenchmarkGenerate writes the configuration of a scale from its tenant.
func BenchmarkGenerate(b *testing.B) {
	s := Scales["small"]
	_, t := benchTenant(b, s)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(t, s.Plan); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLowerBound evaluates the model for the issue's counts.
func BenchmarkLowerBound(b *testing.B) {
	ten := &Tenant{Recipients: 55010, SendAsEntries: 10000, ServicePrincipals: 2010,
		Shared: make([]SharedMailbox, 5000), Connectors: make([]Connector, 200), Rules: make([]Rule, 300), Apps: make([]App, 2000)}
	l := LimitsOf(sim.RealisticProfile())
	var bound Bound
	for b.Loop() {
		bound = LowerBound(PlanReads(ten, IssueSpec), l)
	}
	b.ReportMetric(bound.Wall.Seconds(), "bound-s")
	b.ReportMetric(float64(bound.Requests[Exchange]+bound.Requests[Graph]), "bound-requests")
	b.ReportMetric(float64(bound.MinRequests[Exchange]+bound.MinRequests[Graph]), "fewest-requests")
}

// ExampleLowerBound shows the model's reads for the issue's counts.
func ExampleLowerBound() {
	ten := &Tenant{Recipients: 55010, SendAsEntries: 10000, ServicePrincipals: 2010,
		Shared: make([]SharedMailbox, 5000), Connectors: make([]Connector, 200), Rules: make([]Rule, 300), Apps: make([]App, 2000)}
	b := LowerBound(PlanReads(ten, IssueSpec), LimitsOf(sim.RealisticProfile()))
	fmt.Print(b)
	fmt.Println("wall:", b.Wall)
	// Output:
	//   exchange Get-CASMailbox                                       bulk       56 request(s)   6 round(s); batched: 1000
	//   exchange Get-Mailbox                                          bulk        5 request(s)   1 round(s); batched: 101
	//   exchange Get-MailboxPermission                                batched   100 request(s)  10 round(s)
	//   exchange Get-RecipientPermission                              batched   100 request(s)  10 round(s); bulk: 66, in sequence
	//   exchange Get-InboundConnector                                 bulk        1 request(s)   1 round(s)
	//   exchange Get-TransportRule                                    bulk        1 request(s)   1 round(s)
	//   exchange Get-ApplicationAccessPolicy                          bulk        1 request(s)   1 round(s)
	//   graph    GET /applications                                    bulk        3 request(s)   1 round(s); batched: 6
	//   graph    GET /servicePrincipals                               bulk        3 request(s)   1 round(s); batched: 6
	//   graph    GET /applications/{id}/federatedIdentityCredentials  batched     5 request(s)   1 round(s), after GET /applications
	//   fewest possible requests: 241 (Exchange 230, Graph 11)
	// wall: 10.9s
}
