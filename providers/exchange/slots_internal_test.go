package exchange

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// waitQueued waits until n acquirers wait in s. It only orders the test's goroutines; no
// assertion depends on time.
func waitQueued(t *testing.T, s *slots, n int) {
	t.Helper()
	for {
		s.mu.Lock()
		q := len(s.waiting[priorityChain]) + len(s.waiting[priorityBatch])
		s.mu.Unlock()
		if q == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Freed slots go to waiting chain requests before waiting batches, each class in arrival order,
// and every slot comes back.
func TestSlotsServeChainsFirst(t *testing.T) {
	s := newSlots(1)
	if err := s.acquire(context.Background(), priorityBatch); err != nil {
		t.Fatal(err)
	}
	var got []string // appended only while holding the one slot
	var wg sync.WaitGroup
	start := func(name string, prio, queued int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.acquire(context.Background(), prio); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			got = append(got, name)
			s.release()
		}()
		waitQueued(t, s, queued)
	}
	start("batch 1", priorityBatch, 1)
	start("chain 1", priorityChain, 2)
	start("batch 2", priorityBatch, 3)
	start("chain 2", priorityChain, 4)
	s.release()
	wg.Wait()
	if diff := cmp.Diff([]string{"chain 1", "chain 2", "batch 1", "batch 2"}, got); diff != "" {
		t.Errorf("order served (-want +got):\n%s", diff)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.free != 1 {
		t.Errorf("%d slots free after every release, want 1", s.free)
	}
}

// A waiter whose context ends leaves the queue, and the slot goes to the next one.
func TestSlotsCancelledWaiter(t *testing.T) {
	s := newSlots(1)
	if err := s.acquire(context.Background(), priorityChain); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.acquire(ctx, priorityChain) }()
	waitQueued(t, s, 1)
	got := make(chan struct{})
	go func() {
		if s.acquire(context.Background(), priorityBatch) == nil {
			close(got)
		}
	}()
	waitQueued(t, s, 2)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled acquire: %v", err)
	}
	s.release()
	<-got // the batch waiter got the slot
	s.release()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.free != 1 || len(s.waiting[priorityChain])+len(s.waiting[priorityBatch]) != 0 {
		t.Errorf("free %d, waiting %v", s.free, s.waiting)
	}
}
