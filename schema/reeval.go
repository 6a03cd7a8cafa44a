package schema

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema/diag"
)

// Evaluating twice, once.
//
// A plan evaluates its configuration offline first (to report mistakes before signing in, and
// to learn which types to read), then again against the tenant, so that references to computed
// attributes and data blocks take their live values. Most declarations refer to neither: ten
// thousand SMTP AUTH settings evaluate to the same values both times. Reevaluate keeps the
// offline results of those and evaluates only what the tenant can change.
//
// What the tenant can change: a data block's answer; the value other declarations see of a
// resource whose type has computed attributes (its app_id); and, transitively, anything whose
// expressions refer to one of those. The instances of a resource with computed attributes do
// not change unless its own expressions refer to such a value, so they are kept and only the
// value others see is looked up again.

// reusable is what an offline evaluation keeps for Reevaluate.
type reusable struct {
	order   []node
	varDS   diag.Diagnostics // the variables' (warnings only: an error stops before reuse)
	graphDS diag.Diagnostics
	nodes   map[string]*nodeResult
	live    map[string]bool // by node name: its value may differ against the tenant
}

// nodeResult is what evaluating one node gave offline.
type nodeResult struct {
	ds        diag.Diagnostics
	instances []*Instance
	keys      []string  // the for_each key of each instance; nil without for_each
	value     cty.Value // a local's value, or the value others see of a resource
	liveRefs  bool      // its expressions refer to a value the tenant may change
}

// record keeps a node's offline result: its diagnostics, the instances it added and its value.
func (r *reusable) record(e *evaluator, n node, ds diag.Diagnostics, added []*Instance) {
	if r.live == nil {
		r.live = map[string]bool{}
	}
	name := n.name()
	res := &nodeResult{ds: ds, instances: append([]*Instance(nil), added...)}
	for _, d := range e.valueDeps[name] {
		res.liveRefs = res.liveRefs || r.live[d]
	}
	switch {
	case n.local != nil:
		res.value = e.locals[n.local.Name]
		r.live[name] = res.liveRefs
	default:
		res.value = e.resources[n.res.Addr()]
		t, ok := e.typeOf(n.res)
		r.live[name] = n.res.Data || res.liveRefs || !ok || hasComputed(t)
		if n.res.ForEach != nil {
			for _, inst := range added {
				res.keys = append(res.keys, inst.forEachKey)
			}
		}
	}
	r.nodes[name] = res
}

func hasComputed(t *ResourceType) bool {
	for _, a := range t.Attributes {
		if a.Computed {
			return true
		}
	}
	return false
}

// Reevaluate evaluates a configuration against in.Live, given its offline evaluation with the
// same types and inputs (in.Live aside): declarations whose values the tenant cannot change keep
// their offline instances, values and diagnostics, and only the others are evaluated again. The
// result is what Evaluate with in.Live gives. offline must not be used afterwards: the two
// share instances. An offline evaluation that had errors, or was itself live, is evaluated
// again in full.
func Reevaluate(offline *Evaluated, types TypeLookup, in Inputs) (*Evaluated, diag.Diagnostics) {
	r := offline.reuse
	if r == nil || in.Live == nil {
		return Evaluate(offline.Config, types, in)
	}
	ev := &Evaluated{Config: offline.Config, Workspace: offline.Workspace, Variables: offline.Variables}
	e := newEvaluator(offline.Config, types, in.Live, offline.Variables)
	var ds diag.Diagnostics
	ds.Append(r.varDS, r.graphDS)
	for _, n := range r.order {
		res := r.nodes[n.name()]
		if res == nil || res.liveRefs || (n.res != nil && n.res.Data) {
			ds.Append(e.evalNode(n, ev))
			continue
		}
		ds.Append(res.ds)
		if n.local != nil {
			e.locals[n.local.Name] = res.value
			continue
		}
		ev.Instances = append(ev.Instances, res.instances...)
		t, _ := e.typeOf(n.res)
		if !hasComputed(t) || res.value.Type() == cty.DynamicPseudoType {
			e.resources[n.res.Addr()] = res.value
			continue
		}
		// The instances stand; the value others see takes the live computed attributes.
		if n.res.ForEach == nil {
			if len(res.instances) == 1 {
				v, d := e.withComputed(res.instances[0])
				ds.Append(d)
				e.resources[n.res.Addr()] = v
			}
			continue
		}
		all := map[string]cty.Value{}
		for i, inst := range res.instances {
			v, d := e.withComputed(inst)
			ds.Append(d)
			all[res.keys[i]] = v
		}
		if len(all) == 0 {
			e.resources[n.res.Addr()] = cty.MapValEmpty(t.ObjectType())
		} else {
			e.resources[n.res.Addr()] = cty.MapVal(all)
		}
	}
	return ev, e.finish(ev, in, ds)
}
