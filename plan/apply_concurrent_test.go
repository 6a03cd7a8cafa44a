package plan_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

// scripted is an executor whose operations (named by their path) can wait for others to start
// or finish and can fail, so that a test makes concurrency happen instead of hoping for it. It
// logs "start P" and "end P" in the order they happen.
type scripted struct {
	mu       sync.Mutex
	cond     *sync.Cond
	log      []string
	started  map[string]bool
	ended    map[string]bool
	inFlight int
	most     int
	// waitStarted: the operation waits until these have started (they run at once with it).
	waitStarted map[string][]string
	// waitEnded: the operation waits until these have ended.
	waitEnded map[string][]string
	fail      map[string]bool
	stuck     bool
}

func newScripted() *scripted {
	s := &scripted{started: map[string]bool{}, ended: map[string]bool{}, waitStarted: map[string][]string{}, waitEnded: map[string][]string{}, fail: map[string]bool{}}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *scripted) Service() providers.Service { return svc }

// guard bounds the wait for an operation that never starts (a schedule that serialises what
// it should not): the test fails instead of hanging. It bounds nothing that succeeds.
const guard = 20 * time.Second

func (s *scripted) Execute(ctx context.Context, op providers.Operation) error {
	name := strings.TrimPrefix(op.Path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, "start "+name)
	s.started[name] = true
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	s.cond.Broadcast()
	timer := time.AfterFunc(guard, func() { s.mu.Lock(); s.stuck = true; s.cond.Broadcast(); s.mu.Unlock() })
	defer timer.Stop()
	for !s.stuck && !(all(s.started, s.waitStarted[name]) && all(s.ended, s.waitEnded[name])) {
		s.cond.Wait()
	}
	s.inFlight--
	s.log = append(s.log, "end "+name)
	s.ended[name] = true
	s.cond.Broadcast()
	switch {
	case s.stuck:
		return errors.New("stuck: waited for operations that never ran")
	case s.fail[name]:
		return fmt.Errorf("%s refused", name)
	}
	return nil
}

func all(set map[string]bool, names []string) bool {
	for _, n := range names {
		if !set[n] {
			return false
		}
	}
	return true
}

// position of an entry in the log, -1 when absent.
func (s *scripted) at(entry string) int {
	for i, e := range s.log {
		if e == entry {
			return i
		}
	}
	return -1
}

// orderedType is a resource type that orders its own changes (as transport rules do).
type orderedType struct{ *pt.Tenant }

func (orderedType) ApplyOrder(cs []providers.Change) []int {
	out := make([]int, len(cs))
	for i := range out {
		out[i] = i
	}
	return out
}

func schedChange(addr, typ string, action plan.Action, deps ...string) *plan.Change {
	key := addr
	if _, k, ok := strings.Cut(addr, "["); ok {
		key = strings.Trim(k, `"]`)
	}
	name := strings.NewReplacer(`["`, "_", `"]`, "", ".", "_").Replace(addr)
	return &plan.Change{Addr: addr, Type: typ, Key: key, Action: action, DependsOn: deps,
		Operations: []providers.Operation{{Service: svc, Method: "POST", Path: "/" + name}}}
}

func scheduleRegistry(ex providers.Executor) *providers.Registry {
	reg := providers.NewRegistry()
	reg.AddResource(pt.NewAppTenant())
	reg.AddResource(orderedType{pt.NewTenant()})
	reg.AddExecutor(ex)
	return reg
}

// TestApplyConcurrently: independent changes run at once; every ordering guarantee of the
// sequential apply holds (references, an ordered type's changes one at a time, deletes after
// every other change, deletes of one type before those of the next).
func TestApplyConcurrently(t *testing.T) {
	ex := newScripted()
	pl := &plan.Plan{Workspace: "ws", Changes: []*plan.Change{
		schedChange(`fake_app.a["1"]`, "fake_app", plan.Create),
		schedChange(`fake_app.a["2"]`, "fake_app", plan.Create),
		schedChange("fake_app.b", "fake_app", plan.Create, "fake_app.a"),
		schedChange("fake_app.c", "fake_app", plan.Update),
		{Addr: "fake_app.same", Type: "fake_app", Action: plan.NoOp},
		schedChange("fake_widget.x", "fake_widget", plan.Update),
		schedChange("fake_widget.y", "fake_widget", plan.Update),
		schedChange(`fake_app["old1"]`, "fake_app", plan.Delete),
		schedChange(`fake_app["old2"]`, "fake_app", plan.Delete),
		schedChange(`fake_other["gone"]`, "fake_other", plan.Delete),
	}}
	// These four are independent: each waits until all four run at once.
	first := []string{"fake_app_a_1", "fake_app_a_2", "fake_app_c", "fake_widget_x"}
	for _, n := range first {
		ex.waitStarted[n] = first
	}
	ex.waitStarted["fake_app_old1"] = []string{"fake_app_old2"}
	ex.waitStarted["fake_app_old2"] = []string{"fake_app_old1"}
	var events []string
	p := &plan.Planner{Registry: scheduleRegistry(ex)}
	n, ds := p.Apply(context.Background(), pl, func(e plan.Event) {
		if e.Done {
			events = append(events, e.Change.Addr)
		}
	})
	if ds.HasErrors() || n != 9 {
		t.Fatalf("applied %d: %v\n%s", n, ds, strings.Join(ex.log, "\n"))
	}
	after := map[string][]string{
		"fake_app_b":      {"fake_app_a_1", "fake_app_a_2"},
		"fake_widget_y":   {"fake_widget_x"},
		"fake_app_old1":   {"fake_app_a_1", "fake_app_a_2", "fake_app_b", "fake_app_c", "fake_widget_x", "fake_widget_y"},
		"fake_app_old2":   {"fake_app_a_1", "fake_app_a_2", "fake_app_b", "fake_app_c", "fake_widget_x", "fake_widget_y"},
		"fake_other_gone": {"fake_app_old1", "fake_app_old2"},
	}
	for later, befores := range after {
		for _, b := range befores {
			if ex.at("end "+b) > ex.at("start "+later) {
				t.Errorf("%s started before %s ended:\n%s", later, b, strings.Join(ex.log, "\n"))
			}
		}
	}
	// Progress comes in plan order whatever order the changes finished in.
	want := []string{`fake_app.a["1"]`, `fake_app.a["2"]`, "fake_app.b", "fake_app.c", "fake_widget.x", "fake_widget.y", `fake_app["old1"]`, `fake_app["old2"]`, `fake_other["gone"]`}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

// TestApplyParallelismBound: no more changes run at once than ApplyParallelism allows.
func TestApplyParallelismBound(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			ex := newScripted()
			pl := &plan.Plan{Workspace: "ws"}
			var names []string
			for i := range 6 {
				pl.Changes = append(pl.Changes, schedChange(fmt.Sprintf("fake_app.n%d", i), "fake_app", plan.Create))
				names = append(names, fmt.Sprintf("fake_app_n%d", i))
			}
			// The first `limit` wait for each other, so the bound is reached, not just kept.
			for _, n := range names[:limit] {
				ex.waitStarted[n] = names[:limit]
			}
			p := &plan.Planner{Registry: scheduleRegistry(ex), ApplyParallelism: limit}
			if n, ds := p.Apply(context.Background(), pl, nil); n != 6 || ds.HasErrors() {
				t.Fatalf("applied %d: %v", n, ds)
			}
			if ex.most != limit {
				t.Errorf("at most %d at once, want %d", ex.most, limit)
			}
		})
	}
}

// TestApplyConcurrentFailure: at the first failure no change starts; those running finish and
// count as applied; the report names exactly what was not applied, and progress stays in plan
// order.
func TestApplyConcurrentFailure(t *testing.T) {
	tests := []struct {
		name       string
		fail       []string
		applied    int
		diags      []string // the summaries of the errors, in plan order
		notApplied string
		events     []string
	}{
		{
			name: "one fails while others run", fail: []string{"fake_app_a_1"}, applied: 2,
			diags:      []string{"Apply stopped: POST /fake_app_a_1 failed"},
			notApplied: `Not applied: fake_app.a["1"], fake_app.b, fake_app.d.`,
			events:     []string{`fake_app.a["1"] failed`, `fake_app.a["2"] done`, "fake_app.c done"},
		},
		{
			name: "two fail at once", fail: []string{"fake_app_a_1", "fake_app_c"}, applied: 1,
			diags:      []string{"Apply stopped: POST /fake_app_a_1 failed", "Apply stopped: POST /fake_app_c failed"},
			notApplied: `Not applied: fake_app.a["1"], fake_app.b, fake_app.c, fake_app.d.`,
			events:     []string{`fake_app.a["1"] failed`, `fake_app.a["2"] done`, "fake_app.c failed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := newScripted()
			pl := &plan.Plan{Workspace: "ws", Changes: []*plan.Change{
				schedChange(`fake_app.a["1"]`, "fake_app", plan.Create),
				schedChange(`fake_app.a["2"]`, "fake_app", plan.Create),
				schedChange("fake_app.b", "fake_app", plan.Create, "fake_app.a"),
				schedChange("fake_app.c", "fake_app", plan.Create),
				schedChange(`fake_app.d`, "fake_app", plan.Create),
			}}
			// a["1"], a["2"] and c run at once; a["1"] ends (fails) last but one, after a["2"]
			// and c started, and they end after it: all three were running at the failure.
			ex.waitStarted["fake_app_a_1"] = []string{"fake_app_a_2", "fake_app_c"}
			ex.waitEnded["fake_app_a_2"] = []string{"fake_app_a_1"}
			ex.waitEnded["fake_app_c"] = []string{"fake_app_a_1"}
			for _, f := range tc.fail {
				ex.fail[f] = true
			}
			var events []string
			p := &plan.Planner{Registry: scheduleRegistry(ex), ApplyParallelism: 3}
			n, ds := p.Apply(context.Background(), pl, func(e plan.Event) {
				switch {
				case e.Err != nil:
					events = append(events, e.Change.Addr+" failed")
				case e.Done:
					events = append(events, e.Change.Addr+" done")
				}
			})
			if n != tc.applied {
				t.Errorf("applied %d, want %d", n, tc.applied)
			}
			var sums []string
			for _, d := range ds {
				sums = append(sums, d.Summary)
				if !strings.Contains(d.Detail, fmt.Sprintf("%d change(s) were applied. %s", tc.applied, tc.notApplied)) {
					t.Errorf("detail %q", d.Detail)
				}
			}
			if diff := cmp.Diff(tc.diags, sums); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.events, events); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
			if ex.started["fake_app_b"] || ex.started["fake_app_d"] {
				t.Errorf("a change started after the failure:\n%s", strings.Join(ex.log, "\n"))
			}
		})
	}
}

// TestApplyWaitsForProducer: a change that uses a value another change produces waits for
// it, even with no declared dependency (a plan built by hand).
func TestApplyWaitsForProducer(t *testing.T) {
	ex := &answering{answers: map[string]string{"POST /applications": `{"appId":"app-1"}`}}
	pl := handPlan(map[string][]providers.Operation{
		"a": {{Service: svc, Method: "POST", Path: "/applications", Produces: map[string]string{"appId": "fake_app.a.app_id"}}},
		"b": {{Service: svc, Method: "POST", Path: "/servicePrincipals/" + schema.Placeholder("fake_app.a", "app_id")}},
	}, "a", "b")
	p := &plan.Planner{Registry: registryWith(ex)}
	if n, ds := p.Apply(context.Background(), pl, nil); n != 2 || ds.HasErrors() {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if got := ex.sent[1].Path; got != "/servicePrincipals/app-1" {
		t.Errorf("sent %s", got)
	}
}
