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
	// Partitioned says the bulk form can be split into disjoint ranges (a -Filter or $filter
	// per range of names or ids), so that its pages need not follow each other's nextLink and
	// may be fetched concurrently. Without it, a bulk read of P pages is a chain of P round
	// trips: the request for each page is the previous page's nextLink.
	Partitioned bool
	// Identities is how many per-identity requests the read's per-object form takes (sent in
	// $batch requests). 0 means it has no per-identity form (or nothing to read that way).
	Identities int
	// After names a read of the same service whose results this one needs before it can start,
	// whichever form either takes (a federated credential is read under its application's
	// object id, which only the application read gives).
	After string
	// BatchedAfter is like After, for the per-identity form only: its lookups name ids that
	// another read gives (a service principal by its application's appId), where the bulk form
	// lists everything and needs nothing first.
	BatchedAfter string
}

// Bound is the lower bound of a set of reads.
type Bound struct {
	Wall time.Duration
	// Requests per service of the combination of forms that achieves Wall: a page or a $batch
	// counts once.
	Requests map[string]int
	// MinRequests per service is the fewest requests any combination of forms takes: each read
	// in its form with fewer requests. It may be slower than Wall (an unpartitioned bulk read
	// takes fewer requests but waits for each page in turn); a plan compared with the
	// per-object baseline's requests cannot do better than this.
	MinRequests map[string]int
	// Reads are the reads in the forms that achieve Wall, for the report.
	Reads []BoundRead
	// Service is each service's critical path, sign-in included.
	Service map[string]time.Duration
}

// BoundRead is one read as the model counts it.
type BoundRead struct {
	Read
	Form     string // "bulk" or "batched"
	Requests int
	// Rounds is how many round trips the read takes by itself, on the service's slots; an
	// unpartitioned bulk read takes one per page.
	Rounds int
	// Other is the requests of the form not taken; 0 when the read has only one form.
	Other int
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return a
	}
	return (a + b - 1) / b
}

// maxChoices bounds the reads with two forms that LowerBound enumerates (2^maxChoices
// combinations); a plan's reads are about ten.
const maxChoices = 20

// LowerBound is the shortest wall time in which reads can be made under the limits, and the
// requests that takes: the critical path of the round trips nothing can avoid.
//
// What it assumes unavoidable, and why:
//
//   - Every read costs at least one request. A read with a bulk form (a Get- cmdlet or a Graph
//     list that returns every object) costs ceil(objects / page size) requests: the service
//     returns at most a page per round trip. A read that names objects one at a time costs
//     ceil(identities / batch maximum) requests: a $batch carries at most that many and, in
//     the model, costs one round trip and one concurrency slot. Get-MailboxPermission has only
//     the per-identity form.
//   - The pages of a bulk read are independent only when the read can be partitioned
//     (Read.Partitioned: a -Filter or $filter per range of names): then they spread over the
//     service's slots like any other requests, still ceil(objects / page size) of them, as if
//     the ranges filled their pages exactly (optimistic, which a lower bound may be). Otherwise each page is the previous one's
//     nextLink, and a bulk read of P pages takes P round trips one after the other, whatever
//     the concurrency. Bulk pages are not assumed to travel in a $batch: a partition is only
//     known to fit one page once it has been read.
//   - Which form is faster depends on the other reads (they share the slots), so the bound is
//     the minimum over every combination of forms, each read with two forms taking either.
//     Ties go to fewer requests. MinRequests is the fewest requests of any combination, which
//     need not be the fastest.
//   - Exchange runs at most ExchangeConcurrency requests at once, each taking ExchangeLatency,
//     so its R requests take at least ceil(R / concurrency) rounds; a chain of dependent reads
//     (After, BatchedAfter) and the pages of an unpartitioned read take at least the sum of
//     their rounds. The bound is the larger of the two.
//   - Graph has no concurrency limit in the model, so a read takes one round (one per page
//     when unpartitioned), plus the wait its resource-unit budget forces when the requests
//     cost more than one window's budget.
//   - Each service needs an access token before its first request: one token round trip
//     (TokenLatency), the two services' tokens fetched at the same time. Authority discovery
//     is not counted: its result can be cached.
//   - The services run concurrently; the bound is the slower one's path.
//
// Not counted: processing time on either side, reads made only for warnings, and reads whose
// inputs the configuration already gives (a declared identity needs no lookup). It panics when
// more than maxChoices reads have two forms.
func LowerBound(reads []Read, l Limits) Bound {
	type option struct {
		read           Read
		bulk, batched  int // requests of each form; -1 when the read has no such form
		page, batchMax int
	}
	var opts []option
	var choices []int // indexes into opts of reads with both forms
	for _, r := range reads {
		o := option{read: r, bulk: -1, batched: -1, page: l.ExchangePageSize, batchMax: l.ExchangeBatchMax}
		if r.Service == Graph {
			o.page, o.batchMax = l.GraphPageSize, l.GraphBatchMax
		}
		if r.Objects >= 0 {
			o.bulk = max(1, ceilDiv(r.Objects, o.page))
		}
		if r.Identities > 0 {
			o.batched = ceilDiv(r.Identities, o.batchMax)
		}
		if o.bulk < 0 && o.batched < 0 {
			continue // nothing to read
		}
		if o.bulk >= 0 && o.batched >= 0 {
			choices = append(choices, len(opts))
		}
		opts = append(opts, o)
	}
	if len(choices) > maxChoices {
		panic(fmt.Sprintf("bench: LowerBound: %d reads with two forms, at most %d", len(choices), maxChoices))
	}
	fewest := map[string]int{}
	for _, o := range opts {
		n := o.bulk
		if n < 0 || (o.batched >= 0 && o.batched < n) {
			n = o.batched
		}
		fewest[o.read.Service] += n
	}
	var best Bound
	for mask := 0; mask < 1<<len(choices); mask++ {
		batched := make([]bool, len(opts))
		for i, o := range opts {
			batched[i] = o.bulk < 0
		}
		for bit, i := range choices {
			batched[i] = mask&(1<<bit) != 0
		}
		rs := make([]BoundRead, len(opts))
		for i, o := range opts {
			br := BoundRead{Read: o.read, Form: "bulk", Requests: o.bulk, Other: max(o.batched, 0)}
			if batched[i] {
				br.Form, br.Requests, br.Other = "batched", o.batched, max(o.bulk, 0)
			}
			rs[i] = br
		}
		b := evaluate(rs, l)
		if mask == 0 || b.Wall < best.Wall || (b.Wall == best.Wall && total(b.Requests) < total(best.Requests)) {
			best = b
		}
	}
	best.MinRequests = fewest
	return best
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// evaluate is the bound of reads in the forms already chosen.
func evaluate(reads []BoundRead, l Limits) Bound {
	b := Bound{Requests: map[string]int{}, Service: map[string]time.Duration{}, Reads: reads}
	rounds := func(service string, n int) int {
		if service == Exchange && l.ExchangeConcurrency > 0 {
			return ceilDiv(n, l.ExchangeConcurrency)
		}
		return min(n, 1)
	}
	for i := range b.Reads {
		r := &b.Reads[i]
		b.Requests[r.Service] += r.Requests
		r.Rounds = rounds(r.Service, r.Requests)
		if r.Form == "bulk" && !r.Partitioned {
			r.Rounds = r.Requests // each page waits for the previous one's nextLink
		}
	}
	// chain returns the rounds of the longest dependency chain ending at read r.
	var chain func(r BoundRead, depth int) int
	chain = func(r BoundRead, depth int) int {
		deps := []string{r.After}
		if r.Form == "batched" {
			deps = append(deps, r.BatchedAfter)
		}
		before := 0
		for _, dep := range deps {
			if dep == "" || depth > len(b.Reads) {
				continue
			}
			i := slices.IndexFunc(b.Reads, func(o BoundRead) bool { return o.Name == dep && o.Service == r.Service })
			if i >= 0 {
				before = max(before, chain(b.Reads[i], depth+1))
			}
		}
		return r.Rounds + before
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

// PlanReads is the data a plan of spec needs from tenant t, read at the limit. A stateless
// plan reads every declared type, and also lists every owned type (schema.Owned, not a
// ScopedReader: the planner's readSet) even when nothing of it is declared, to find the
// objects carrying this workspace's marker that the configuration no longer declares. Owned
// is the zero Kind, so the owned types are those that say so (shared mailboxes, applications,
// service principals) and those that set no Kind (inbound connectors, transport rules,
// application access policies). For an owned type, the per-identity form is therefore the
// declared lookups plus one more item, the listing of marked objects by a filter on the
// marker's field; a type whose marker field cannot be filtered has only the bulk form.
//
//   - SMTP AUTH settings: Get-CASMailbox over every mailbox (a declared identity may name any
//     mailbox, and no filter selects an arbitrary set), partitioned with -Filter, or one
//     Get-CASMailbox -Identity per declared mailbox;
//   - shared mailboxes (owned): Get-Mailbox -RecipientTypeDetails SharedMailbox, partitioned
//     with -Filter, or one per declared plus Get-Mailbox -Filter on CustomAttribute15 (the
//     marker);
//   - their permissions: Get-MailboxPermission -Identity per declared mailbox (it has no bulk
//     form), and Get-RecipientPermission over every mailbox (an NT AUTHORITY\SELF entry per
//     mailbox plus the explicit SendAs entries) or one per declared mailbox. It has no -Filter
//     (its parameters are Identity, AccessRights, Trustee, ResultSize, ...), so its bulk pages
//     follow each other's nextLink;
//   - inbound connectors, transport rules and application access policies (owned): one bulk
//     Get- each, unpartitioned and bulk only. Get-InboundConnector and
//     Get-ApplicationAccessPolicy have no -Filter; Get-TransportRule's -Filter searches only a
//     rule's Description, not its name or the Comments that carry the marker. Exchange Online
//     allows 300 transport rules, and connectors and policies number far fewer than a page in
//     practice (200 connectors in the tenant), so each is one request anyway;
//   - applications and their service principals (owned): one Graph list each, partitioned
//     with $filter=startswith(appId,'0') … 'f' (appIds are random GUIDs, so sixteen even
//     ranges). Graph's pages for both types list startsWith among appId's filters; the shared
//     reference (C8) records only eq on appId, unverified, so this is the optimistic reading,
//     which a bound may take, and it costs no requests, only Graph rounds, which are far off
//     the critical path. Or a lookup per declared application ($filter on displayName; its
//     service principal on appId, after the application's lookup) plus a $filter on tags
//     (startsWith the marker) for the marked ones;
//   - the federated identity credentials of each declared application:
//     GET /applications/{id}/federatedIdentityCredentials, 20 to a $batch, after the
//     application read that gives the ids. The configuration's federated_identity_credential
//     blocks are managed even when absent (none declared means any live one is removed), so
//     the plan must read them. Per identity only: the reference documents no list that
//     returns every app's credentials ($expand on the application list is not counted; were
//     it allowed at 999 a page, it would save these requests, not time).
//
// Not counted, because this configuration does not need them, though exoform reads them:
// owners (managed only when owners is set), delegated grants and app role assignments
// (admin_consent, unset here, leaves grants alone).
func PlanReads(t *Tenant, s Spec) []Read {
	var rs []Read
	add := func(r Read, declared int) {
		if declared > 0 {
			rs = append(rs, r)
		}
	}
	// owned: the type is read even when nothing of it is declared. Its per-identity form, when
	// the marker's field can be filtered (marked), is the declared lookups plus the filtered
	// listing of marked objects as one more item of a $batch; otherwise it has none.
	owned := func(r Read, declared int, marked bool) {
		r.Identities = 0
		if marked {
			r.Identities = declared + 1
		}
		rs = append(rs, r)
	}
	add(Read{Name: "Get-CASMailbox", Service: Exchange, Objects: t.Recipients, Partitioned: true, Identities: s.CASMailboxes}, s.CASMailboxes)
	owned(Read{Name: "Get-Mailbox", Service: Exchange, Objects: len(t.Shared), Partitioned: true}, s.SharedMailboxes, true)
	add(Read{Name: "Get-MailboxPermission", Service: Exchange, Objects: -1, Identities: s.SharedMailboxes}, s.SharedMailboxes)
	add(Read{Name: "Get-RecipientPermission", Service: Exchange, Objects: t.Recipients + t.SendAsEntries, Identities: s.SharedMailboxes}, s.SharedMailboxes)
	owned(Read{Name: "Get-InboundConnector", Service: Exchange, Objects: len(t.Connectors)}, s.Connectors, false)
	owned(Read{Name: "Get-TransportRule", Service: Exchange, Objects: len(t.Rules)}, s.Rules, false)
	owned(Read{Name: "Get-ApplicationAccessPolicy", Service: Exchange, Objects: t.AccessPolicies}, 0, false)
	// +1: the sim's admin app is an application the list returns too.
	owned(Read{Name: "GET /applications", Service: Graph, Objects: len(t.Apps) + 1, Partitioned: true}, s.Apps, true)
	owned(Read{Name: "GET /servicePrincipals", Service: Graph, Objects: t.ServicePrincipals, Partitioned: true,
		BatchedAfter: "GET /applications"}, s.Apps, true)
	add(Read{Name: "GET /applications/{id}/federatedIdentityCredentials", Service: Graph, Objects: -1, Identities: s.Apps,
		After: "GET /applications"}, s.Apps)
	return rs
}

// Measurement is the bound as a row of the table.
func (b Bound) Measurement() *Measurement {
	m := &Measurement{Name: StepLowerBound, Wall: b.Wall, Requests: map[string]int{}, FewestRequests: total(b.MinRequests)}
	for k, v := range b.Requests {
		m.Requests[k] = v
	}
	return m
}

// String lists the reads as the model counts them: the form that achieves the bound, its
// requests and rounds, what it waits for, and the other form's requests, so that a reader sees
// why it was taken.
func (b Bound) String() string {
	s := ""
	for _, r := range b.Reads {
		s += fmt.Sprintf("  %-8s %-52s %-7s %5d request(s) %3d round(s)", r.Service, r.Name, r.Form, r.Requests, r.Rounds)
		if r.Form == "bulk" && !r.Partitioned && r.Requests > 1 {
			s += ", pages in sequence"
		}
		if r.After != "" {
			s += ", after " + r.After
		} else if r.Form == "batched" && r.BatchedAfter != "" {
			s += ", after " + r.BatchedAfter
		}
		switch {
		case r.Other == 0:
		case r.Form == "batched" && !r.Partitioned && r.Other > 1:
			s += fmt.Sprintf("; bulk: %d, in sequence", r.Other)
		case r.Form == "batched":
			s += fmt.Sprintf("; bulk: %d", r.Other)
		default:
			s += fmt.Sprintf("; batched: %d", r.Other)
		}
		s += "\n"
	}
	s += fmt.Sprintf("  fewest possible requests: %d (Exchange %d, Graph %d)\n", total(b.MinRequests), b.MinRequests[Exchange], b.MinRequests[Graph])
	return s
}
