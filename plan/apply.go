package plan

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// CheckStale re-reads the objects a saved plan touches and reports every one that no longer
// looks as it did when the plan was made. A plan is applied exactly or not at all.
func (p *Planner) CheckStale(ctx context.Context, pl *Plan) diag.Diagnostics {
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
		return ds
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
	if len(stale) > 0 {
		ds.Append(diag.Errorf(nil, "Saved plan is stale",
			"The tenant changed since the plan was made, so it is not applied:\n  %s\nRun exoform plan again and review the new plan.", strings.Join(stale, "\n  ")))
	}
	return ds
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

// Apply sends the plan's operations in order and stops at the first failure. It reports what
// was done and what was not, so a second apply (after a fresh plan) converges.
func (p *Planner) Apply(ctx context.Context, pl *Plan, progress func(Event)) (applied int, ds diag.Diagnostics) {
	if progress == nil {
		progress = func(Event) {}
	}
	for i, c := range pl.Changes {
		if c.Action == NoOp {
			continue
		}
		for j := range c.Operations {
			op := &c.Operations[j]
			ex, ok := p.Registry.Executor(op.Service)
			if !ok {
				ds.Append(diag.Errorf(nil, "No connection for an operation", "%s needs the %s service, which is not configured.", op, op.Service))
				return applied, ds
			}
			progress(Event{Change: c, Op: op})
			opCtx := ctx
			if c.Pending {
				opCtx = providers.WithPending(ctx)
			}
			if err := ex.Execute(opCtx, *op); err != nil {
				progress(Event{Change: c, Op: op, Err: err})
				var left []string
				for _, rest := range pl.Changes[i:] {
					if rest.Action != NoOp {
						left = append(left, rest.Addr)
					}
				}
				ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Apply stopped: " + op.String() + " failed",
					Detail: fmt.Sprintf("%s\n\n%d change(s) were applied before this one. Not applied: %s.\nRun exoform plan to see what remains; applying again converges.",
						err, applied, strings.Join(left, ", "))})
				return applied, ds
			}
		}
		applied++
		progress(Event{Change: c, Done: true})
	}
	return applied, ds
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
	}
	return v.GoString()
}
