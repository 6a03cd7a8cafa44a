package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// CheckStale re-reads the objects a saved plan touches and reports every one that no longer
// looks as it did when the plan was made. A plan is applied exactly or not at all.
func (p *Planner) CheckStale(ctx context.Context, pl *Plan) diag.Diagnostics {
	stale, ds := p.Stale(ctx, pl)
	if len(stale) > 0 {
		ds.Append(diag.Errorf(nil, "Saved plan is stale",
			"The tenant changed since the plan was made, so it is not applied:\n  %s\nRun exoform plan again and review the new plan.", strings.Join(stale, "\n  ")))
	}
	return ds
}

// Stale re-reads, in one bulk read per type, the objects the plan changes and lists how each
// that no longer looks as it did when planned differs. Apply calls it just before its first
// write, for a saved plan and a fresh one alike (optimistic concurrency: another run, or an
// administrator, may have changed the tenant since); a read error is an error, never "not
// stale".
func (p *Planner) Stale(ctx context.Context, pl *Plan) ([]string, diag.Diagnostics) {
	var ds diag.Diagnostics
	types := map[string]bool{}
	for _, c := range pl.Changes {
		if c.Action != NoOp {
			types[c.Type] = true
		}
	}
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	keys := map[string][]string{}
	for _, c := range pl.Changes {
		keys[c.Type] = append(keys[c.Type], c.Key)
	}
	live, _, rd := p.ReadLive(ctx, names, keys)
	ds.Append(rd)
	if rd.HasErrors() {
		return nil, ds
	}
	var stale []string
	for _, c := range pl.Changes {
		if c.Action == NoOp {
			continue
		}
		t, _ := p.Registry.ResourceType(c.Type)
		now := newIndex(live[c.Type])[strings.ToLower(c.Key)]
		switch {
		case c.Pending && now != nil:
			stale = append(stale, fmt.Sprintf("%s: the plan sets it up after creating it, but it now exists", c.Addr))
		case c.Pending:
			// Absent, as when planned: the plan creates it first.
		case c.Prior == nil && now != nil:
			stale = append(stale, fmt.Sprintf("%s: the plan creates it, but it now exists", c.Addr))
		case c.Prior != nil && now == nil:
			stale = append(stale, fmt.Sprintf("%s: it no longer exists", c.Addr))
		case c.Prior != nil:
			stale = append(stale, staleAttrs(t, c, now)...)
		}
	}
	return stale, ds
}

func staleAttrs(t *schema.ResourceType, c *Change, now *providers.LiveObject) []string {
	var out []string
	if now.Owner != c.Prior.Owner {
		out = append(out, fmt.Sprintf("%s: ownership marker was %s, now %s", c.Addr, ownerText(c.Prior.Owner), ownerText(now.Owner)))
	}
	if now.Protected != c.Prior.Protected {
		out = append(out, fmt.Sprintf("%s: prevent_destroy in the marker was %t, now %t", c.Addr, c.Prior.Protected, now.Protected))
	}
	if !maps.Equal(now.Meta, c.Prior.Meta) {
		out = append(out, fmt.Sprintf("%s: what the service reports beside its attributes changed (%v, now %v)", c.Addr, c.Prior.Meta, now.Meta))
	}
	if now.AllowDestroy != c.Prior.AllowDestroy {
		out = append(out, fmt.Sprintf("%s: allow_destroy in the marker was %t, now %t", c.Addr, c.Prior.AllowDestroy, now.AllowDestroy))
	}
	for _, a := range t.Attributes {
		was, is := c.Prior.Value.GetAttr(a.Name), now.Value.GetAttr(a.Name)
		if a.Sensitive || equalAttr(a, was, is) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s was %s, now %s", c.Addr, a.Name, Display(was), Display(is)))
	}
	return out
}

func ownerText(o string) string {
	if o == "" {
		return "absent"
	}
	return fmt.Sprintf("workspace %q", o)
}

// An Event reports progress of an apply.
type Event struct {
	Change *Change
	Op     *providers.Operation
	Err    error
	Done   bool // the change finished
}

// Apply makes the plan's changes: independent ones concurrently, at most ApplyParallelism at
// once, and each after every change it depends on (schedule.go lists what it keeps in order);
// each service's client keeps to that service's limits besides. A change's operations run one
// after the other. Apply stops starting changes at the first failure, waits for those already
// running, and reports exactly what was applied and what was not, so a second apply (after a
// fresh plan) converges. progress gets the events in plan order, whatever order the changes
// run in, and never two at once.
func (p *Planner) Apply(ctx context.Context, pl *Plan, progress func(Event)) (applied int, ds diag.Diagnostics) {
	if progress == nil {
		progress = func(Event) {}
	}
	if pl.Known == nil {
		pl.Known = map[string]string{}
	}
	s := newSchedule(pl, func(typ string) bool {
		res, ok := p.Registry.Resource(typ)
		if !ok {
			return false
		}
		_, ok = res.(providers.Orderer)
		return ok
	})
	out := newInOrder(len(s.changes), progress)
	k := &knownValues{m: pl.Known}
	failedOp := make([]providers.Operation, len(s.changes))
	done, failed, errs := s.run(p.applyParallelism(), func(i int) error {
		c := s.changes[i]
		defer out.finish(i)
		for j := range c.Operations {
			op, err := k.fill(p, c.Operations[j])
			if err == nil {
				out.emit(i, Event{Change: c, Op: &op})
				err = p.execute(ctx, c, op, UsesProduced(c.Operations[j]), k, out)
			}
			if err != nil {
				out.emit(i, Event{Change: c, Op: &op, Err: err})
				failedOp[i] = op
				return err
			}
		}
		out.emit(i, Event{Change: c, Done: true})
		return nil
	})
	out.flush()
	var left []string
	for i, c := range s.changes {
		if done[i] {
			applied++
		} else {
			left = append(left, c.Addr)
		}
	}
	for n, i := range failed {
		c := s.changes[i]
		ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Apply stopped: " + failedOp[i].String() + " failed",
			Detail: fmt.Sprintf("%s\n\n%d change(s) were applied. Not applied: %s.\nRun exoform plan to see what remains; applying again converges.",
				errs[n], applied, strings.Join(left, ", "))})
	}
	return applied, ds
}

// knownValues are the values the operations of an apply produced, shared by the changes
// running at once.
type knownValues struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *knownValues) fill(p *Planner, op providers.Operation) (providers.Operation, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return p.fill(op, k.m)
}

func (k *knownValues) set(ref, v string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[ref] = v
}

// fill replaces the placeholders of an operation with the values earlier operations produced.
func (p *Planner) fill(op providers.Operation, known map[string]string) (providers.Operation, error) {
	filled, missing, err := op.Fill(known)
	if err != nil {
		return op, err
	}
	if len(missing) > 0 {
		return op, fmt.Errorf("%s needs %s, which no earlier operation of this apply produced", op, strings.Join(missing, ", "))
	}
	return filled, nil
}

// execute sends one operation. One that uses a value produced moments ago by this apply, or
// that sets up an object created moments ago, may wait out the service's replication delay;
// one that produces values records them from the service's answer.
func (p *Planner) execute(ctx context.Context, c *Change, op providers.Operation, fresh bool, known *knownValues, out *inOrder) error {
	ex, ok := p.Registry.Executor(op.Service)
	if !ok {
		return fmt.Errorf("%s needs the %s service, which is not configured", op, op.Service)
	}
	if c.Pending || fresh {
		ctx = providers.WithPending(ctx)
	}
	if len(op.Produces) == 0 && op.Deliver == nil {
		return ex.Execute(ctx, op)
	}
	if op.Deliver != nil && p.Deliver == nil {
		return fmt.Errorf("%s creates a secret, and this command has nowhere to deliver it", op)
	}
	rex, ok := ex.(providers.ResultExecutor)
	if !ok {
		return fmt.Errorf("%s produces values, which the %s executor cannot return", op, op.Service)
	}
	raw, err := rex.ExecuteResult(ctx, op)
	if err != nil {
		return err
	}
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("%s: the answer is not a JSON object: %w", op, err)
	}
	if d := op.Deliver; d != nil {
		secret, ok := answer[d.Field].(string)
		if !ok || secret == "" {
			return fmt.Errorf("%s: the answer has no %s, so the new secret's value is unknown; remove the secret and apply again", op, d.Field)
		}
		delete(answer, d.Field)
		// The schedule runs a delivering change alone, after every change before it, so its
		// output lands among its own progress lines; the lock keeps any other event out.
		if err := out.locked(func() error { return p.Deliver(c, *d, secret) }); err != nil {
			return fmt.Errorf("%s was created, but delivering its value failed: %w. The value cannot be read again: delete the secret (or rotate it) and apply again", d.What, err)
		}
	}
	for field, ref := range op.Produces {
		v, ok := answer[field].(string)
		if !ok || v == "" {
			return fmt.Errorf("%s: the answer has no %s", op, field)
		}
		if r, ok := schema.PlaceholderRef(ref); ok {
			ref = r
		}
		known.set(ref, v)
	}
	return nil
}

// UsesProduced reports whether an operation, as planned, uses a value produced earlier in
// this apply (its path, body or parameters hold a placeholder): apply and a script wait out
// replication for it.
func UsesProduced(op providers.Operation) bool {
	op.Produces, op.Deliver = nil, nil
	b, _ := json.Marshal(op)
	return schema.HasPlaceholder(string(b))
}

// Display renders a value the way plan output shows it.
func Display(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() {
		return "null"
	}
	switch {
	case v.Type() == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case v.Type() == cty.Bool:
		return fmt.Sprint(v.True())
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case v.Type().IsSetType() || v.Type().IsListType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, Display(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case v.Type().IsObjectType():
		// A block, written as in the configuration: { name = value, ... }, attributes sorted.
		var names []string
		for n := range v.Type().AttributeTypes() {
			if av := v.GetAttr(n); !av.IsNull() && !(av.Type().IsSetType() && av.LengthInt() == 0) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + " = " + Display(v.GetAttr(n))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return v.GoString()
}
