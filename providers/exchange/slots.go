package exchange

import (
	"context"
	"sync"
)

// Request priorities of the tenant's concurrent request slots.
const (
	// priorityChain is a request of a paged read: each page's nextLink comes with the page
	// before it, so a large read is a chain of requests in a row, the critical path of a plan.
	priorityChain = iota
	// priorityBatch is a $batch of independent reads, which can fill any free slot.
	priorityBatch
	priorities
)

// slots is the client's limit on requests in flight: a counting semaphore whose waiters are
// served by priority, then in arrival order. With a plain FIFO, two hundred queued $batch
// requests of a large plan sat ahead of every next page of the bulk reads, so those chains
// finished last, one request at a time, while most slots stood idle; serving chains first
// keeps every slot busy until the end.
type slots struct {
	mu      sync.Mutex
	free    int
	waiting [priorities][]chan struct{}
}

func newSlots(n int) *slots { return &slots{free: n} }

// acquire takes a slot, waiting for one while ctx lasts.
func (s *slots) acquire(ctx context.Context, prio int) error {
	s.mu.Lock()
	if s.free > 0 && !s.waitersBefore(prio) {
		s.free--
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.waiting[prio] = append(s.waiting[prio], ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		select {
		case <-ch: // granted meanwhile: hand it on
			s.releaseLocked()
		default:
			q := s.waiting[prio]
			for i, w := range q {
				if w == ch {
					s.waiting[prio] = append(q[:i:i], q[i+1:]...)
					break
				}
			}
		}
		return ctx.Err()
	}
}

// waitersBefore reports whether anyone of prio or a higher priority waits.
func (s *slots) waitersBefore(prio int) bool {
	for p := 0; p <= prio; p++ {
		if len(s.waiting[p]) > 0 {
			return true
		}
	}
	return false
}

// release gives a slot back, to the first waiter of the highest priority if any.
func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked()
}

func (s *slots) releaseLocked() {
	for p := range s.waiting {
		if q := s.waiting[p]; len(q) > 0 {
			s.waiting[p] = q[1:]
			close(q[0])
			return
		}
	}
	s.free++
}
