package sim

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Stats counts what a Server has served, for tests that check how a client
// behaved (how many requests a plan cost, whether it retried a fault) and
// for benchmarks that set the sim's view beside the client's.
type Stats struct {
	// Requests counts InvokeCommand requests per cmdlet (canonical name for
	// simulated cmdlets, as sent otherwise), including faulted ones and
	// nextLink pages. Requests rejected before the body was read (bad token)
	// are not counted.
	Requests map[string]int
	// Faults counts injected faults per kind (see FaultKinds).
	Faults map[string]int
	// TokenRequests counts POSTs to the token endpoint.
	TokenRequests int

	// Graph, Exchange and Token count every HTTP request that reached each
	// service, whatever became of it (refused by the profile, faulted, bad
	// token), as the service itself would count them. They are kept with
	// every profile, "off" included.
	Graph, Exchange, Token ServiceStats
}

// ServiceStats is the sim's side of one service's traffic.
type ServiceStats struct {
	// Requests is HTTP requests received (a $batch is one).
	Requests int
	// BatchItems is the sub-requests that $batch requests carried.
	BatchItems int
	// Pages is requests (and $batch items) for a nextLink page, that is
	// with a $skiptoken: the pages after the first.
	Pages int
	// Throttled is responses with status 429, from the profile's limits or
	// from injected faults, plus $batch items the profile refused with 429.
	Throttled int
	// RetryAfter is the sum of the Retry-After the service told clients
	// (on 429 and 503 answers and refused $batch items).
	RetryAfter time.Duration
	// PeakConcurrent is the most requests in flight at once, counting those
	// the profile then refused for concurrency: what the clients attempted.
	PeakConcurrent int
	// Latency is the total latency the profile added.
	Latency time.Duration

	// Writes is the write requests the service received from an
	// authenticated caller, whatever became of them (refused, faulted,
	// invalid): Exchange cmdlets that change the tenant, as InvokeCommand
	// calls or $batch items, and Graph POST, PATCH, PUT and DELETE requests
	// and $batch items. A $batch is not a write itself, so one carrying only
	// GETs writes nothing. Exchange cmdlets the sim does not simulate are not
	// counted.
	Writes int
	// WritesDenied and ReadsDenied are the writes and the reads refused
	// because the caller's token lacks the permission they need: Graph's 403
	// Authorization_RequestDenied, for a request or a $batch item, and
	// Exchange's refusals by RBAC (CmdletAccessDeniedException), for an
	// InvokeCommand or a $batch item. A token without
	// Exchange.ManageAsApp is refused before its cmdlet is read and would
	// count in neither.
	WritesDenied, ReadsDenied int
}

// Table renders the per-service counts as two small aligned tables, for
// benchmarks and scripts to print beside the client's own counts: the
// traffic, then the writes and the refusals, so that a test can see that a
// plan wrote nothing:
//
//	service   requests  batch items  later pages  throttled  retry-after  peak concurrent  latency added
//	graph     12        0            3            0          0s           4                1.2s
//	...
//
//	service   writes  writes denied  reads denied
//	graph     0       0              0
//	exchange  0       0              0
func (s Stats) Table() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\trequests\tbatch items\tlater pages\tthrottled\tretry-after\tpeak concurrent\tlatency added")
	for _, row := range []struct {
		name string
		st   ServiceStats
	}{{"graph", s.Graph}, {"exchange", s.Exchange}, {"token", s.Token}} {
		st := row.st
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\n", row.name, st.Requests, st.BatchItems, st.Pages,
			st.Throttled, st.RetryAfter, st.PeakConcurrent, st.Latency.Round(time.Millisecond))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\twrites\twrites denied\treads denied")
	for _, row := range []struct {
		name string
		st   ServiceStats
	}{{"graph", s.Graph}, {"exchange", s.Exchange}} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", row.name, row.st.Writes, row.st.WritesDenied, row.st.ReadsDenied)
	}
	tw.Flush()
	return b.String()
}

type statsCounter struct {
	mu       sync.Mutex
	s        Stats
	inFlight [numServices]int
}

func newStatsCounter() *statsCounter {
	return &statsCounter{s: Stats{Requests: map[string]int{}, Faults: map[string]int{}}}
}

// request counts one call of cmdlet (or one Graph request, "Graph GET"…),
// and an Exchange write when the cmdlet is a simulated one that writes.
func (c *statsCounter) request(cmdlet string) {
	write := false
	if cmd := lookupCmdlet(cmdlet); cmd != nil {
		write = cmd.write
	}
	c.mu.Lock()
	c.s.Requests[cmdlet]++
	if write {
		c.s.Exchange.Writes++
	}
	c.mu.Unlock()
}

// write counts a write request (or $batch item) of svc.
func (c *statsCounter) write(svc service) {
	c.mu.Lock()
	c.service(svc).Writes++
	c.mu.Unlock()
}

// denied counts a request (or $batch item) of svc refused for a missing
// permission or role.
func (c *statsCounter) denied(svc service, write bool) {
	c.mu.Lock()
	st := c.service(svc)
	if write {
		st.WritesDenied++
	} else {
		st.ReadsDenied++
	}
	c.mu.Unlock()
}

func (c *statsCounter) fault(kind string) {
	c.mu.Lock()
	c.s.Faults[kind]++
	c.mu.Unlock()
}

func (c *statsCounter) token() {
	c.mu.Lock()
	c.s.TokenRequests++
	c.mu.Unlock()
}

// service returns the counters of svc; the caller holds mu.
func (c *statsCounter) service(svc service) *ServiceStats {
	switch svc {
	case svcGraph:
		return &c.s.Graph
	case svcExchange:
		return &c.s.Exchange
	case svcToken:
		return &c.s.Token
	}
	return &ServiceStats{} // not counted
}

// begin counts a request of svc in flight until the returned func runs.
func (c *statsCounter) begin(svc service) (done func()) {
	c.mu.Lock()
	c.inFlight[svc]++
	st := c.service(svc)
	st.PeakConcurrent = max(st.PeakConcurrent, c.inFlight[svc])
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.inFlight[svc]--
		c.mu.Unlock()
	}
}

// arrived counts one request of svc carrying items $batch items, pages of
// which (or the request itself) are nextLink pages.
func (c *statsCounter) arrived(svc service, items, pages int) {
	c.mu.Lock()
	st := c.service(svc)
	st.Requests++
	st.BatchItems += items
	st.Pages += pages
	c.mu.Unlock()
}

// answered counts what a response (or a refused $batch item) told the client.
func (c *statsCounter) answered(svc service, throttled bool, retryAfter time.Duration) {
	c.mu.Lock()
	st := c.service(svc)
	if throttled {
		st.Throttled++
	}
	st.RetryAfter += retryAfter
	c.mu.Unlock()
}

func (c *statsCounter) delayed(svc service, d time.Duration) {
	c.mu.Lock()
	c.service(svc).Latency += d
	c.mu.Unlock()
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Requests, out.Faults = maps.Clone(c.s.Requests), maps.Clone(c.s.Faults)
	return out
}
