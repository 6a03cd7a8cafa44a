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
		// fewest is MinRequests; nil means the same as requests.
		fewest map[string]int
		forms  []string
	}{
		"nothing to read": {limits: l, requests: map[string]int{}},
		"one bulk read of an empty type still costs a request": {
			reads: []Read{{Name: "Get-InboundConnector", Service: Exchange}}, limits: l,
			wall: 100*ms + 400*ms, requests: map[string]int{Exchange: 1}, forms: []string{"bulk"},
		},
		"partitioned pages spread over ten slots": {
			// 55 pages: 6 rounds of 400 ms after the token.
			reads: []Read{{Name: "Get-CASMailbox", Service: Exchange, Objects: 55000, Partitioned: true, Identities: 10000}}, limits: l,
			wall: 100*ms + 6*400*ms, requests: map[string]int{Exchange: 55}, forms: []string{"bulk"},
		},
		"the pages of an unpartitioned read are a chain": {
			// 66 pages, each the previous one's nextLink: 66 rounds, however many slots.
			reads:  []Read{{Name: "Get-RecipientPermission", Service: Exchange, Objects: 66000}},
			limits: l, wall: 100*ms + 66*400*ms, requests: map[string]int{Exchange: 66}, forms: []string{"bulk"},
		},
		"an unpartitioned bulk read whose batched form is faster comes out batched": {
			// bulk: 66 requests in 66 rounds; batched: 100 requests in 10 rounds. The bulk
			// form has fewer requests, which MinRequests reports.
			reads:  []Read{{Name: "Get-RecipientPermission", Service: Exchange, Objects: 66000, Identities: 1000}},
			limits: l, wall: 100*ms + 10*400*ms, requests: map[string]int{Exchange: 100}, fewest: map[string]int{Exchange: 66},
			forms: []string{"batched"},
		},
		"a partitioned bulk read with fewer requests stays bulk": {
			// The same counts, partitioned: 66 requests in 7 rounds.
			reads:  []Read{{Name: "Get-Recipient", Service: Exchange, Objects: 66000, Partitioned: true, Identities: 1000}},
			limits: l, wall: 100*ms + 7*400*ms, requests: map[string]int{Exchange: 66}, forms: []string{"bulk"},
		},
		"per-identity reads go in batches of ten": {
			reads:  []Read{{Name: "Get-MailboxPermission", Service: Exchange, Objects: -1, Identities: 1000}},
			limits: l, wall: 100*ms + 10*400*ms, requests: map[string]int{Exchange: 100}, forms: []string{"batched"},
		},
		"the faster form wins": {
			reads:  []Read{{Name: "Get-Mailbox", Service: Exchange, Objects: 50000, Partitioned: true, Identities: 30}},
			limits: l, wall: 100*ms + 400*ms, requests: map[string]int{Exchange: 3}, forms: []string{"batched"},
		},
		"forms are chosen together: the read that is slower alone leaves slots to the others": {
			// a batched alone takes 10 rounds and bulk 12, but batched its 100 requests and
			// b's 100 take 20 rounds, while bulk the 112 take 12.
			reads: []Read{
				{Name: "a", Service: Exchange, Objects: 12000, Identities: 1000},
				{Name: "b", Service: Exchange, Objects: 100000, Partitioned: true},
			},
			limits: l, wall: 100*ms + 12*400*ms, requests: map[string]int{Exchange: 112}, forms: []string{"bulk", "bulk"},
		},
		"equal times: fewer requests": {
			// Both forms take one round; bulk takes 1 request, batched 2.
			reads:  []Read{{Name: "Get-Mailbox", Service: Exchange, Objects: 900, Partitioned: true, Identities: 11}},
			limits: l, wall: 100*ms + 400*ms, requests: map[string]int{Exchange: 1}, forms: []string{"bulk"},
		},
		"a dependent read waits for the one it needs": {
			reads: []Read{
				{Name: "a", Service: Exchange, Objects: 3000, Partitioned: true},
				{Name: "b", Service: Exchange, Objects: 1000, Partitioned: true, After: "a"},
			},
			// 4 requests fit one round, but b needs a first: two rounds.
			limits: l, wall: 100*ms + 2*400*ms, requests: map[string]int{Exchange: 4}, forms: []string{"bulk", "bulk"},
		},
		"a read after an unpartitioned one waits for all its pages": {
			// Three Graph pages in sequence, then the credentials' batches: 4 rounds.
			reads: []Read{
				{Name: "GET /applications", Service: Graph, Objects: 2500},
				{Name: "GET /applications/{id}/federatedIdentityCredentials", Service: Graph, Objects: -1, Identities: 100, After: "GET /applications"},
			},
			limits: l, wall: 100*ms + 4*100*ms, requests: map[string]int{Graph: 8}, forms: []string{"bulk", "batched"},
		},
		"a partitioned Graph list takes one round": {
			reads: []Read{
				{Name: "GET /applications", Service: Graph, Objects: 2500, Partitioned: true},
				{Name: "GET /applications/{id}/federatedIdentityCredentials", Service: Graph, Objects: -1, Identities: 100, After: "GET /applications"},
			},
			limits: l, wall: 100*ms + 2*100*ms, requests: map[string]int{Graph: 8}, forms: []string{"bulk", "batched"},
		},
		"BatchedAfter binds the per-identity form only": {
			// b batched must wait for a (2 rounds); bulk it is 3 requests, 1 round and needs
			// nothing, so bulk is faster despite more requests.
			reads: []Read{
				{Name: "a", Service: Graph, Objects: 10, Partitioned: true},
				{Name: "b", Service: Graph, Objects: 2500, Partitioned: true, Identities: 10, BatchedAfter: "a"},
			},
			limits: l, wall: 100*ms + 100*ms, requests: map[string]int{Graph: 4}, fewest: map[string]int{Graph: 2},
			forms: []string{"bulk", "bulk"},
		},
		"services run side by side; the slower one bounds": {
			reads: []Read{
				{Name: "GET /applications", Service: Graph, Objects: 2001, Partitioned: true},
				{Name: "Get-TransportRule", Service: Exchange, Objects: 300},
			},
			limits: l, wall: 100*ms + 400*ms, requests: map[string]int{Graph: 3, Exchange: 1}, forms: []string{"bulk", "bulk"},
		},
		"Graph waits when the requests cost more than a window's budget": {
			// 6000 requests of 2 RU: 12000 RU, 4000 over an 8000 budget: half a window.
			reads:  []Read{{Name: "GET /users", Service: Graph, Objects: 6000 * 999, Partitioned: true}},
			limits: l, wall: 100*ms + 100*ms + 5*time.Second, requests: map[string]int{Graph: 6000}, forms: []string{"bulk"},
		},
		"no concurrency limit: one round": {
			reads:  []Read{{Name: "Get-CASMailbox", Service: Exchange, Objects: 55000, Partitioned: true}},
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
			fewest := tc.fewest
			if fewest == nil {
				fewest = tc.requests
			}
			if diff := cmp.Diff(fewest, b.MinRequests); diff != "" {
				t.Errorf("LowerBound().MinRequests mismatch (-want +got):\n%s", diff)
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
	// Exchange: 56 CAS pages + 5 shared pages + 100 permission batches + 100 SendAs batches
	// (its 66 bulk pages, a SELF entry per mailbox and 10,000 SendAs, cannot be partitioned:
	// 66 rounds in sequence) + connectors, rules, access policies 1 each = 264 requests, 27
	// rounds. Graph: 3 + 3 list pages + 5 credential batches.
	want := map[string]int{Exchange: 264, Graph: 11}
	if diff := cmp.Diff(want, b.Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
	// Reading SendAs in bulk would take 34 requests fewer, and 26 s.
	if diff := cmp.Diff(map[string]int{Exchange: 230, Graph: 11}, b.MinRequests); diff != "" {
		t.Errorf("MinRequests mismatch (-want +got):\n%s", diff)
	}
	if w := 100*time.Millisecond + 27*400*time.Millisecond; b.Wall != w {
		t.Errorf("Wall = %v, want %v", b.Wall, w)
	}
}

// TestPlanReadsOwnedTypes checks that the owned types are listed even when nothing of them is
// declared (a stateless plan finds the objects to delete that way), and that the per-identity
// form of an owned type also pays for listing the marked objects.
func TestPlanReadsOwnedTypes(t *testing.T) {
	ten := &Tenant{Recipients: 5500, ServicePrincipals: 210, AccessPolicies: 2,
		Shared: make([]SharedMailbox, 5000), Connectors: make([]Connector, 20), Rules: make([]Rule, 30), Apps: make([]App, 200)}
	type read struct {
		Name                string
		Objects, Identities int
		Partitioned         bool
		After, BatchedAfter string
	}
	got := func(s Spec) []read {
		var out []read
		for _, r := range PlanReads(ten, s) {
			out = append(out, read{r.Name, r.Objects, r.Identities, r.Partitioned, r.After, r.BatchedAfter})
		}
		return out
	}
	owned := []read{
		{Name: "Get-Mailbox", Objects: 5000, Identities: 1, Partitioned: true},
		{Name: "Get-InboundConnector", Objects: 20},
		{Name: "Get-TransportRule", Objects: 30},
		{Name: "Get-ApplicationAccessPolicy", Objects: 2},
		{Name: "GET /applications", Objects: 201, Identities: 1, Partitioned: true},
		{Name: "GET /servicePrincipals", Objects: 210, Identities: 1, Partitioned: true, BatchedAfter: "GET /applications"},
	}
	if diff := cmp.Diff(owned, got(Spec{})); diff != "" {
		t.Errorf("PlanReads(nothing declared) mismatch (-want +got):\n%s", diff)
	}
	want := []read{
		{Name: "Get-Mailbox", Objects: 5000, Identities: 4, Partitioned: true},
		{Name: "Get-MailboxPermission", Objects: -1, Identities: 3},
		{Name: "Get-RecipientPermission", Objects: 5500, Identities: 3},
		{Name: "Get-InboundConnector", Objects: 20},
		{Name: "Get-TransportRule", Objects: 30},
		{Name: "Get-ApplicationAccessPolicy", Objects: 2},
		{Name: "GET /applications", Objects: 201, Identities: 3, Partitioned: true},
		{Name: "GET /servicePrincipals", Objects: 210, Identities: 3, Partitioned: true, BatchedAfter: "GET /applications"},
		{Name: "GET /applications/{id}/federatedIdentityCredentials", Objects: -1, Identities: 2, After: "GET /applications"},
	}
	if diff := cmp.Diff(want, got(Spec{SharedMailboxes: 3, Connectors: 1, Rules: 1, Apps: 2})); diff != "" {
		t.Errorf("PlanReads(shared mailboxes, connectors, rules, apps) mismatch (-want +got):\n%s", diff)
	}
}
