package sim

import (
	"maps"
	"sync"
)

// Stats counts what a Server has served, for tests that check how a client
// behaved (how many requests a plan cost, whether it retried a fault).
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
}

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

func newStatsCounter() *statsCounter {
	return &statsCounter{s: Stats{Requests: map[string]int{}, Faults: map[string]int{}}}
}

func (c *statsCounter) request(cmdlet string) {
	c.mu.Lock()
	c.s.Requests[cmdlet]++
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

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Requests: maps.Clone(c.s.Requests), Faults: maps.Clone(c.s.Faults), TokenRequests: c.s.TokenRequests}
}
