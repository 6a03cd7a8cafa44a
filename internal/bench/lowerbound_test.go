package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/sim"
)

func TestLowerBound(t *testing.T) {
	l := Limits{
		ExchangeLatency: 400 * time.Millisecond, GraphLatency: 100 * time.Millisecond, TokenLatency: 100 * time.Millisecond,
		ExchangeConcurrency: 10, ExchangePageSize: 1000, ExchangeBatchMax: 10, GraphPageSize: 999, GraphBatchMax: 20,
		GraphResourceUnits: 8000, GraphWindow: 10 * time.Second, GraphRUPerRequest: 2,
	}
	ms := time.Millisecond
	for name, tc := range map[string]struct {
		reads    []Read
		limits   Limits
		wall     time.Duration
		requests map[string]int
		forms    []string
	}{
		"nothing to read": {limits: l, requests: map[string]int{}},
		"one bulk read of an empty type still costs a request": {
			reads: []Read{{Name: "Get-InboundConnector", Service: Exchange}}, limits: l,
			wall: 100*ms + 400*ms, requests: map[string]int{Exchange: 1}, forms: []string{"bulk"},
		},
		"pages spread over ten slots": {
			// 55 pages: 6 rounds of 400 ms after the token.
			reads: []Read{{Name: "Get-CASMailbox", Service: Exchange, Objects: 55000, Identities: 10000}}, limits: l,
			wall: 100*ms + 6*400*ms, requests: map[string]int{Exchange: 55}, forms: []string{"bulk"},
		},
		"per-identity reads go in batches of ten": {
			reads:  []Read{{Name: "Get-MailboxPermission", Service: Exchange, Objects: -1, Identities: 1000}},
			limits: l, wall: 100*ms + 10*400*ms, requests: map[string]int{Exchange: 100}, forms: []string{"batched"},
		},
		"the cheaper form wins": {
			reads:  []Read{{Name: "Get-Mailbox", Service: Exchange, Objects: 50000, Identities: 30}},
			limits: l, wall: 100*ms + 400*ms, requests: map[string]int{Exchange: 3}, forms: []string{"batched"},
		},
		"a dependent read waits for the one it needs": {
			reads: []Read{
				{Name: "a", Service: Exchange, Objects: 3000},
				{Name: "b", Service: Exchange, Objects: 1000, After: "a"},
			},
			// 4 requests fit one round, but b needs a first: two rounds.
			limits: l, wall: 100*ms + 2*400*ms, requests: map[string]int{Exchange: 4}, forms: []string{"bulk", "bulk"},
		},
		"services run side by side; the slower one bounds": {
			reads: []Read{
				{Name: "GET /applications", Service: Graph, Objects: 2001},
				{Name: "Get-TransportRule", Service: Exchange, Objects: 300},
			},
			limits: l, wall: 100*ms + 400*ms, requests: map[string]int{Graph: 3, Exchange: 1}, forms: []string{"bulk", "bulk"},
		},
		"Graph waits when the requests cost more than a window's budget": {
			// 6000 requests of 2 RU: 12000 RU, 4000 over an 8000 budget: half a window.
			reads:  []Read{{Name: "GET /users", Service: Graph, Objects: 6000 * 999}},
			limits: l, wall: 100*ms + 100*ms + 5*time.Second, requests: map[string]int{Graph: 6000}, forms: []string{"bulk"},
		},
		"no concurrency limit: one round": {
			reads:  []Read{{Name: "Get-CASMailbox", Service: Exchange, Objects: 55000}},
			limits: func() Limits { l := l; l.ExchangeConcurrency = 0; return l }(),
			wall:   100*ms + 400*ms, requests: map[string]int{Exchange: 55}, forms: []string{"bulk"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			b := LowerBound(tc.reads, tc.limits)
			if b.Wall != tc.wall {
				t.Errorf("LowerBound().Wall = %v, want %v", b.Wall, tc.wall)
			}
			if diff := cmp.Diff(tc.requests, b.Requests); diff != "" {
				t.Errorf("LowerBound().Requests mismatch (-want +got):\n%s", diff)
			}
			var forms []string
			for _, r := range b.Reads {
				forms = append(forms, r.Form)
			}
			if diff := cmp.Diff(tc.forms, forms); diff != "" {
				t.Errorf("LowerBound() forms mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimitsOf(t *testing.T) {
	got := LimitsOf(sim.RealisticProfile())
	want := Limits{
		ExchangeLatency: 400 * time.Millisecond, GraphLatency: 100 * time.Millisecond, TokenLatency: 100 * time.Millisecond,
		ExchangeConcurrency: 10, ExchangePageSize: 1000, ExchangeBatchMax: 10, GraphPageSize: 999, GraphBatchMax: 20,
		GraphResourceUnits: 8000, GraphWindow: 10 * time.Second, GraphRUPerRequest: 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LimitsOf(RealisticProfile()) mismatch (-want +got):\n%s", diff)
	}
}

// TestPlanReads checks the issue's reads at the issue's counts, without a tenant file.
func TestPlanReads(t *testing.T) {
	ten := &Tenant{Recipients: 55010, SendAsEntries: 10000, ServicePrincipals: 2010,
		Shared: make([]SharedMailbox, 5000), Connectors: make([]Connector, 200), Rules: make([]Rule, 300), Apps: make([]App, 2000)}
	b := LowerBound(PlanReads(ten, IssueSpec), LimitsOf(sim.RealisticProfile()))
	// Exchange: 56 CAS pages + 5 shared pages + 100 permission batches + 66 SendAs pages
	// (a SELF entry per mailbox and 10,000 SendAs) + 1 + 1 = 229 requests, 23 rounds.
	want := map[string]int{Exchange: 229, Graph: 6}
	if diff := cmp.Diff(want, b.Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	if w := 100*time.Millisecond + 23*400*time.Millisecond; b.Wall != w {
		t.Errorf("Wall = %v, want %v", b.Wall, w)
	}
}
