package plan

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// A schedule is the order apply must keep between the changes of a plan, as a graph: a change
// starts once every change it waits for has finished. Plan order (which Plan and Verify
// guarantee) is a valid order of the graph, so every edge goes from an earlier change to a later
// one and the graph has no cycle. The edges are exactly the guarantees the plan's order gave
// when apply was sequential:
//
//   - references between declarations (DependsOn, which includes depends_on and every
//     reference in an expression): a change waits for every change of the resource it names,
//     so the settings of an object the plan creates (a pending change) follow its create;
//   - produced values: an operation that uses a placeholder waits for the change whose
//     operation produces it (also covered by DependsOn, kept for a hand-built plan);
//   - a type that orders its own changes (providers.Orderer, transport-rule priorities) has
//     them applied one at a time, in that order;
//   - phases: changes are cut into runs of creates, adoptions and updates, and runs of deletes
//     of one type; a run starts only when the runs before it are done. So deletes follow every
//     change that might stop referring to what they delete, deletes of different types keep
//     their order, and a change the orderer placed after deletes still follows them;
//   - a change that delivers a secret runs alone, with every change before it done and none
//     after it started, so what delivery prints stays among its own progress lines.
//
// Changes with none of these between them are independent and may run at once.
//
// Joins are virtual nodes (a resource's instances, a phase) so that the graph stays linear in
// the number of changes: ten thousand changes depending on a resource of a thousand instances
// cost eleven thousand edges, not ten million.
type schedule struct {
	nodes []schedNode
	// changes are the non-no-op changes, in plan order; node i < len(changes) is changes[i].
	changes []*Change
}

type schedNode struct {
	waits int   // unfinished prerequisites
	next  []int // nodes that wait for this one
}

func (s *schedule) addNode() int {
	s.nodes = append(s.nodes, schedNode{})
	return len(s.nodes) - 1
}

func (s *schedule) edge(from, to int) {
	s.nodes[from].next = append(s.nodes[from].next, to)
	s.nodes[to].waits++
}

// resourceOf is the resource address (TYPE.NAME) of a change's configuration address.
func resourceOf(addr string) string {
	res, _, _ := strings.Cut(addr, "[")
	return res
}

// newSchedule builds the graph of a plan's changes; isOrderer tells the types that order their
// own changes.
func newSchedule(pl *Plan, isOrderer func(typ string) bool) *schedule {
	s := &schedule{}
	for _, c := range pl.Changes {
		if c.Action != NoOp {
			s.changes = append(s.changes, c)
		}
	}
	n := len(s.changes)
	s.nodes = make([]schedNode, n, n+n/4+4)

	// Resource joins: done when every change of the resource (so far in plan order) is.
	joins := map[string]int{}
	members := map[string][]int{}
	for i, c := range s.changes {
		if c.Action != Delete {
			r := resourceOf(c.Addr)
			members[r] = append(members[r], i)
		}
	}
	// join is the node done when every change of resource r before position before is; a
	// change of r after its dependent cannot come from Plan, and leaving it out keeps the graph
	// acyclic.
	join := func(r string, before int) (int, bool) {
		ms := members[r]
		k, _ := slices.BinarySearch(ms, before)
		if k == 0 {
			return 0, false
		}
		key := fmt.Sprintf("%s\x00%d", r, k)
		if j, ok := joins[key]; ok {
			return j, true
		}
		j := s.addNode()
		for _, m := range ms[:k] {
			s.edge(m, j)
		}
		joins[key] = j
		return j, true
	}

	producer := map[string]int{}
	lastOfType := map[string]int{}
	phase, prevPhase := -1, -1 // the join node of the current run, and of the one before
	phaseClass := ""
	for i, c := range s.changes {
		class := "change"
		switch {
		case delivers(c):
			class = fmt.Sprintf("deliver %d", i)
		case c.Action == Delete:
			class = "delete " + c.Type
		}
		if i == 0 || class != phaseClass || strings.HasPrefix(class, "deliver") {
			prevPhase = phase
			phase = s.addNode()
			phaseClass = class
		}
		if prevPhase >= 0 {
			s.edge(prevPhase, i)
		}
		s.edge(i, phase)

		seen := map[int]bool{}
		wait := func(j int) {
			if j != i && !seen[j] {
				seen[j] = true
				s.edge(j, i)
			}
		}
		for _, d := range c.DependsOn {
			if j, ok := join(d, i); ok {
				wait(j)
			}
		}
		for _, op := range c.Operations {
			for _, ref := range usedRefs(op) {
				if j, ok := producer[ref]; ok {
					wait(j)
				}
			}
		}
		for _, op := range c.Operations {
			for _, ref := range op.Produces {
				if r, ok := schema.PlaceholderRef(ref); ok {
					ref = r
				}
				if _, ok := producer[ref]; !ok {
					producer[ref] = i
				}
			}
		}
		if isOrderer(c.Type) {
			if j, ok := lastOfType[c.Type]; ok {
				wait(j)
			}
			lastOfType[c.Type] = i
		}
	}
	return s
}

// delivers reports whether a change hands a new secret to its destination.
func delivers(c *Change) bool {
	for _, op := range c.Operations {
		if op.Deliver != nil {
			return true
		}
	}
	return false
}

// usedRefs are the placeholder references an operation uses.
func usedRefs(op providers.Operation) []string {
	op.Produces, op.Deliver = nil, nil
	if !UsesProduced(op) {
		return nil
	}
	_, refs, err := op.Fill(nil)
	if err != nil {
		return nil
	}
	return refs
}

// run starts the changes as their prerequisites finish, at most limit at once, lowest plan
// position first among those ready. do runs one change and reports its failure; after the
// first failure no change starts, and run returns once the running ones are done. It returns,
// by position, which changes finished without error.
func (s *schedule) run(limit int, do func(i int) error) (done []bool, failed []int, errs []error) {
	done = make([]bool, len(s.changes))
	ready := &intHeap{}
	type result struct {
		i   int
		err error
	}
	results := make(chan result)
	var finish func(i int)
	finish = func(i int) {
		for _, j := range s.nodes[i].next {
			s.nodes[j].waits--
			if s.nodes[j].waits > 0 {
				continue
			}
			if j < len(s.changes) {
				heap.Push(ready, j)
			} else {
				finish(j) // a join is done when its last member is
			}
		}
	}
	for i := range s.nodes {
		if s.nodes[i].waits == 0 {
			if i < len(s.changes) {
				heap.Push(ready, i)
			} else {
				finish(i)
			}
		}
	}
	running := 0
	stopped := false
	byPos := map[int]error{}
	for {
		for !stopped && running < limit && ready.Len() > 0 {
			i := heap.Pop(ready).(int)
			running++
			go func() { results <- result{i, do(i)} }()
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			stopped = true
			byPos[r.i] = r.err
			continue
		}
		done[r.i] = true
		finish(r.i)
	}
	for i := range s.changes {
		if err, ok := byPos[i]; ok {
			failed, errs = append(failed, i), append(errs, err)
		}
	}
	return done, failed, errs
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// inOrder passes progress events on in plan order, whatever order the changes run in: the
// events of the earliest unfinished change go through at once, those of later changes wait
// until every change before them has finished (or will never start). Output stays the same
// from one run to the next, and a change's lines stay together.
type inOrder struct {
	mu       sync.Mutex
	progress func(Event)
	head     int
	buf      [][]Event
	finished []bool
}

func newInOrder(n int, progress func(Event)) *inOrder {
	return &inOrder{progress: progress, buf: make([][]Event, n), finished: make([]bool, n)}
}

func (o *inOrder) emit(i int, e Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if i == o.head {
		o.progress(e)
		return
	}
	o.buf[i] = append(o.buf[i], e)
}

// locked runs fn with no event going out meanwhile (a secret's delivery, which prints).
func (o *inOrder) locked(fn func() error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fn()
}

func (o *inOrder) finish(i int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[i] = true
	for o.head < len(o.finished) && o.finished[o.head] {
		o.head++
		if o.head < len(o.buf) {
			for _, e := range o.buf[o.head] {
				o.progress(e)
			}
			o.buf[o.head] = nil
		}
	}
}

// flush lets every held event out: the changes left unfinished will not start.
func (o *inOrder) flush() {
	for i := range o.finished {
		o.finish(i)
	}
}
