package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/exoform/exoform/sim"
)

// Services of the model.
const (
	Exchange = "exchange"
	Graph    = "graph"
)

// Limits are the numbers of the latency-and-limits model that the lower bound depends on.
type Limits struct {
	ExchangeLatency, GraphLatency, TokenLatency time.Duration
	// ExchangeConcurrency is how many Exchange requests may be in flight at once (0: unlimited).
	ExchangeConcurrency int
	ExchangePageSize    int // objects per Exchange page
	ExchangeBatchMax    int // sub-requests per Exchange $batch (one slot, one latency)
	GraphPageSize       int // objects per Graph page ($top at most 999, C7)
	GraphBatchMax       int // sub-requests per Graph $batch (C10)
	// GraphResourceUnits per GraphWindow is Graph's budget (0: none); a request costs
	// GraphRUPerRequest.
	GraphResourceUnits int
	GraphWindow        time.Duration
	GraphRUPerRequest  int
}

// Limits of the model that the sim's profile does not carry: published maxima.
const (
	exchangeBatchMax = 10  // CIPP's batches (A8, A10); the shared decisions' cap
	graphBatchMax    = 20  // C10
	graphPageSize    = 999 // C7
	// graphRUPerRequest is what a GET of applications costs (C12); service principals are
	// assumed to cost the same.
	graphRUPerRequest = 2
)

// LimitsOf returns the model's numbers for a sim profile.
func LimitsOf(p sim.Profile) Limits {
	page := p.ExchangePageSize
	if page <= 0 {
		page = 1000 // the cmdlets' default ResultSize and the client's page (A6)
	}
	return Limits{
		ExchangeLatency: p.ExchangeLatency, GraphLatency: p.GraphLatency, TokenLatency: p.TokenLatency,
		ExchangeConcurrency: p.ExchangeConcurrency, ExchangePageSize: page, ExchangeBatchMax: exchangeBatchMax,
		GraphPageSize: graphPageSize, GraphBatchMax: graphBatchMax,
		GraphResourceUnits: p.GraphResourceUnits, GraphWindow: p.GraphWindow, GraphRUPerRequest: graphRUPerRequest,
	}
}

// A Read is data a plan needs from one service.
type Read struct {
	Name    string // e.g. "Get-CASMailbox" or "GET /applications"
	Service string // Exchange or Graph
	// Objects is how many objects the read's bulk form returns (read in pages). -1 means the
	// read has no bulk form.
	Objects int
	// Identities is how many per-identity requests the read's per-object form takes (sent in
	// $batch requests). 0 means it has no per-identity form (or nothing to read that way).
	Identities int
	// After names a read of the same service whose results this one needs before it can start.
	After string
}

// Bound is the lower bound of a set of reads.
type Bound struct {
	Wall time.Duration
	// Requests per service: a page or a $batch counts once.
	Requests map[string]int
	// Reads are the reads with the form the model chose and its requests, for the report.
	Reads []BoundRead
	// Service is each service's critical path, sign-in included.
	Service map[string]time.Duration
}

// BoundRead is one read as the model counts it.
type BoundRead struct {
	Read
	Form     string // "bulk" or "batched"
	Requests int
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return a
	}
	return (a + b - 1) / b
}

// LowerBound is the shortest wall time in which reads can be made under the limits, and the
// fewest requests they take: the critical path of the round trips nothing can avoid.
//
// What it assumes unavoidable, and why:
//
//   - Every read costs at least one request. A read with a bulk form (a Get- cmdlet or a Graph
//     list that returns every object) costs ceil(objects / page size) requests: the service
//     returns at most a page per round trip. A read that names objects one at a time costs
//     ceil(identities / batch maximum) requests: a $batch carries at most that many and, in
//     the model, costs one round trip and one concurrency slot. Each read takes the cheaper
//     of its two forms; Get-MailboxPermission has only the per-identity form.
//   - Pages of one bulk read are assumed independent: a client may partition the read (a
//     -Filter or $filter per range of names) so that pages need not follow each other's
//     nextLink. That is optimistic, which a lower bound may be. Bulk pages are not assumed to
//     travel in a $batch: a partition is only known to fit one page once it has been read.
//   - Exchange runs at most ExchangeConcurrency requests at once, each taking ExchangeLatency,
//     so its R requests take at least ceil(R / concurrency) rounds; a chain of dependent reads
//     (After) takes at least the sum of its reads' rounds. The bound is the larger of the two.
//   - Graph has no concurrency limit in the model, so a read takes one round, plus the wait
//     its resource-unit budget forces when the requests cost more than one window's budget.
//   - Each service needs an access token before its first request: one token round trip
//     (TokenLatency), the two services' tokens fetched at the same time. Authority discovery
//     is not counted: its result can be cached.
//   - The services run concurrently; the bound is the slower one's path.
//
// Not counted: processing time on either side, reads made only for warnings, and reads whose
// inputs the configuration already gives (a declared identity needs no lookup).
func LowerBound(reads []Read, l Limits) Bound {
	b := Bound{Requests: map[string]int{}, Service: map[string]time.Duration{}}
	reqs := map[string]int{} // by read name
	for _, r := range reads {
		page, batch := l.ExchangePageSize, l.ExchangeBatchMax
		if r.Service == Graph {
			page, batch = l.GraphPageSize, l.GraphBatchMax
		}
		br := BoundRead{Read: r}
		bulk := -1
		if r.Objects >= 0 {
			bulk = max(1, ceilDiv(r.Objects, page))
		}
		batched := -1
		if r.Identities > 0 {
			batched = ceilDiv(r.Identities, batch)
		}
		switch {
		case bulk < 0 && batched < 0:
			continue // nothing to read
		case batched < 0 || (bulk >= 0 && bulk <= batched):
			br.Form, br.Requests = "bulk", bulk
		default:
			br.Form, br.Requests = "batched", batched
		}
		reqs[r.Name] = br.Requests
		b.Requests[r.Service] += br.Requests
		b.Reads = append(b.Reads, br)
	}
	rounds := func(service string, n int) int {
		if service == Exchange && l.ExchangeConcurrency > 0 {
			return ceilDiv(n, l.ExchangeConcurrency)
		}
		return min(n, 1)
	}
	// chain returns the rounds of the longest dependency chain ending at read r.
	var chain func(r BoundRead, depth int) int
	chain = func(r BoundRead, depth int) int {
		n := rounds(r.Service, r.Requests)
		if r.After == "" || depth > len(b.Reads) {
			return n
		}
		i := slices.IndexFunc(b.Reads, func(o BoundRead) bool { return o.Name == r.After && o.Service == r.Service })
		if i < 0 {
			return n
		}
		return n + chain(b.Reads[i], depth+1)
	}
	for _, svc := range []string{Exchange, Graph} {
		if b.Requests[svc] == 0 {
			continue
		}
		longest := 0
		for _, r := range b.Reads {
			if r.Service == svc {
				longest = max(longest, chain(r, 0))
			}
		}
		lat := l.ExchangeLatency
		total := max(longest, rounds(svc, b.Requests[svc]))
		var wait time.Duration
		if svc == Graph {
			lat = l.GraphLatency
			if ru := b.Requests[svc] * l.GraphRUPerRequest; l.GraphResourceUnits > 0 && ru > l.GraphResourceUnits {
				wait = time.Duration(float64(ru-l.GraphResourceUnits) / float64(l.GraphResourceUnits) * float64(l.GraphWindow))
			}
		}
		d := l.TokenLatency + time.Duration(total)*lat + wait
		b.Service[svc] = d
		b.Wall = max(b.Wall, d)
	}
	return b
}

// PlanReads is the data a plan of spec needs from tenant t, read at the limit:
//
//   - SMTP AUTH settings: Get-CASMailbox over every mailbox (a declared identity may name any
//     mailbox, and no filter selects an arbitrary set), or one Get-CASMailbox -Identity per
//     declared mailbox;
//   - shared mailboxes: Get-Mailbox -RecipientTypeDetails SharedMailbox, or one per declared;
//   - their permissions: Get-MailboxPermission -Identity per declared mailbox (it has no bulk
//     form), and Get-RecipientPermission over every mailbox (an NT AUTHORITY\SELF entry per
//     mailbox plus the explicit SendAs entries) or one per declared mailbox;
//   - connectors and rules: one bulk Get- each, or one per declared object;
//   - applications and their service principals: one Graph list each, or a lookup per
//     declared application ($filter on displayName, then on appId).
func PlanReads(t *Tenant, s Spec) []Read {
	var rs []Read
	add := func(r Read, declared int) {
		if declared > 0 {
			rs = append(rs, r)
		}
	}
	add(Read{Name: "Get-CASMailbox", Service: Exchange, Objects: t.Recipients, Identities: s.CASMailboxes}, s.CASMailboxes)
	add(Read{Name: "Get-Mailbox", Service: Exchange, Objects: len(t.Shared), Identities: s.SharedMailboxes}, s.SharedMailboxes)
	add(Read{Name: "Get-MailboxPermission", Service: Exchange, Objects: -1, Identities: s.SharedMailboxes}, s.SharedMailboxes)
	add(Read{Name: "Get-RecipientPermission", Service: Exchange, Objects: t.Recipients + t.SendAsEntries, Identities: s.SharedMailboxes}, s.SharedMailboxes)
	add(Read{Name: "Get-InboundConnector", Service: Exchange, Objects: len(t.Connectors), Identities: s.Connectors}, s.Connectors)
	add(Read{Name: "Get-TransportRule", Service: Exchange, Objects: len(t.Rules), Identities: s.Rules}, s.Rules)
	// +1: the sim's admin app is an application the list returns too.
	add(Read{Name: "GET /applications", Service: Graph, Objects: len(t.Apps) + 1, Identities: s.Apps}, s.Apps)
	add(Read{Name: "GET /servicePrincipals", Service: Graph, Objects: t.ServicePrincipals, Identities: s.Apps}, s.Apps)
	return rs
}

// Measurement is the bound as a row of the table.
func (b Bound) Measurement() *Measurement {
	m := &Measurement{Name: StepLowerBound, Wall: b.Wall, Requests: map[string]int{}}
	for k, v := range b.Requests {
		m.Requests[k] = v
	}
	return m
}

// String lists the reads as the model counts them.
func (b Bound) String() string {
	s := ""
	for _, r := range b.Reads {
		s += fmt.Sprintf("  %-10s %-26s %-7s %5d request(s)\n", r.Service, r.Name, r.Form, r.Requests)
	}
	return s
}
