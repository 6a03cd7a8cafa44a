package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// A Planner computes plans against a registry of resources.
type Planner struct {
	Registry *providers.Registry
	// Parallelism bounds the number of object types read at once. 0, the default, starts every
	// type's read at once: the real limits are per service, and each service's client keeps to
	// its own (the Exchange client's concurrent requests, Graph's budgets), so a bound here only
	// lowers the load below what the services allow (--parallelism 1 reads one type at a time).
	// Reads that need others (a scoped read needs the declared keys) still wait for them.
	Parallelism int
	// ApplyParallelism bounds the changes Apply runs at once (default DefaultApplyParallelism).
	// Independent changes run concurrently; each still waits for the changes it depends on.
	ApplyParallelism int

	// Deliver hands a new secret from an operation's answer to its destination (apply).
	Deliver func(c *Change, d providers.Delivery, secret string) error

	cache *liveCache // the reads Evaluate made, which Plan plans from
}

// DefaultApplyParallelism is the number of changes Apply runs at once unless told otherwise:
// the Exchange client's limit of concurrent requests per tenant, so that an apply of
// Exchange changes can use every slot the service allows and no more.
const DefaultApplyParallelism = 10

// readLimit is the errgroup limit of reads by type: -1 (no limit) unless Parallelism is set.
func (p *Planner) readLimit() int {
	if p.Parallelism <= 0 {
		return -1
	}
	return p.Parallelism
}

func (p *Planner) applyParallelism() int {
	if p.ApplyParallelism <= 0 {
		return DefaultApplyParallelism
	}
	return p.ApplyParallelism
}

// ReadLive reads the live objects of the given types, concurrently: every object of a type in
// one bulk read, or, for a type that can only be read object by object (ScopedReader), the
// objects named in keys. Any error fails the whole read: a plan is never computed from part of
// the tenant.
func (p *Planner) ReadLive(ctx context.Context, types []string, keys map[string][]string) (map[string][]providers.LiveObject, missingKeys, diag.Diagnostics) {
	var ds diag.Diagnostics
	var mu sync.Mutex
	out := map[string][]providers.LiveObject{}
	missing := missingKeys{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.readLimit())
	for _, t := range types {
		res, ok := p.Registry.Resource(t)
		if !ok {
			ds.Append(diag.Errorf(nil, "Unknown resource type", "%s is not a resource type of this version of exoform.", t))
			continue
		}
		g.Go(func() error {
			var objs []providers.LiveObject
			var absent []string
			var err error
			if sr, ok := res.(providers.ScopedReader); ok {
				objs, absent, err = sr.ReadKeys(gctx, keys[t])
			} else if dr, ok := res.(providers.DeclaredReader); ok {
				objs, err = dr.ReadDeclared(gctx, keys[t])
			} else {
				objs, err = res.ReadAll(gctx)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range absent {
				missing.add(t, k)
			}
			if err != nil {
				ds.Append(diag.Errorf(nil, "Cannot read the live "+t+" objects",
					"%s\n\nexoform plans nothing from a failed read. Check the connection and the app's permissions, then run the command again.", err))
				return nil
			}
			out[t] = objs
			return nil
		})
	}
	_ = g.Wait()
	return out, missing, ds
}

// readForPlan is ReadLive, taking what Evaluate read already from its cache.
func (p *Planner) readForPlan(ctx context.Context, types []string, keys map[string][]string) (map[string][]providers.LiveObject, missingKeys, diag.Diagnostics) {
	var rest, started []string
	var ds diag.Diagnostics
	for _, t := range types {
		if p.cache.started(t, keys[t]) {
			started = append(started, t)
		} else {
			rest = append(rest, t)
		}
	}
	// The reads Evaluate started may still be under way: wait for them after reading the rest.
	live, missing, rd := p.ReadLive(ctx, rest, keys)
	ds.Append(rd)
	for _, t := range started {
		r := p.cache.read(t)
		if r.err != nil {
			ds.Append(diag.Errorf(nil, "Cannot read the live "+t+" objects",
				"%s\n\nexoform plans nothing from a failed read. Check the connection and the app's permissions, then run the command again.", r.err))
			continue
		}
		live[t] = r.objs
		for _, k := range r.missing {
			missing.add(t, k)
		}
	}
	p.cache.wait() // reads made for other keys than the plan's, which it did not use
	return live, missing, ds
}

// missingKeys are, per type, the keys whose containing object a scoped reader found absent.
type missingKeys map[string]map[string]bool

func (m missingKeys) add(t, key string) {
	if m[t] == nil {
		m[t] = map[string]bool{}
	}
	m[t][strings.ToLower(key)] = true
}

func (m missingKeys) has(t, key string) bool { return m[t][strings.ToLower(key)] }

// readSet says which types a plan reads: every declared type, every type whose owned objects
// may have to be deleted, and every type a resolver needs. Settings and declared-only types
// that the configuration does not mention are not read at all.
func (p *Planner) readSet(ev *schema.Evaluated) ([]string, map[string][]string) {
	want := map[string]bool{}
	keys := map[string][]string{}
	for _, in := range ev.Instances {
		want[in.Type.Name] = true
		if k := in.Key(); !schema.HasPlaceholder(k) {
			// An object keyed by a value known only after apply does not exist yet.
			keys[in.Type.Name] = append(keys[in.Type.Name], k)
		}
		if res, ok := p.Registry.Resource(in.Type.Name); ok {
			if r, ok := res.(providers.Resolver); ok {
				for _, n := range r.Needs() {
					want[n] = true
				}
			}
		}
	}
	for _, name := range p.Registry.ResourceTypeNames() {
		res, _ := p.Registry.Resource(name)
		if _, scoped := res.(providers.ScopedReader); !scoped && res.Type().Kind == schema.Owned {
			want[name] = true
		}
	}
	out := make([]string, 0, len(want))
	for t := range want {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, keys
}

// index finds live objects by key or by any other name, case-insensitively. A key wins over
// another object's alternative name.
type index map[string]*providers.LiveObject

func newIndex(objs []providers.LiveObject) index {
	n := 0
	for i := range objs {
		n += 1 + len(objs[i].Names)
	}
	idx := make(index, n)
	for i := range objs {
		for _, n := range objs[i].Names {
			idx[strings.ToLower(n)] = &objs[i]
		}
	}
	for i := range objs {
		idx[strings.ToLower(objs[i].Key)] = &objs[i]
	}
	return idx
}

// Plan compares an evaluated configuration with the live tenant.
func (p *Planner) Plan(ctx context.Context, ev *schema.Evaluated) (*Plan, diag.Diagnostics) {
	var ds diag.Diagnostics
	// The reads of one plan (Evaluate's and this one's, the audit's) share what several types
	// need; a later plan reads afresh.
	scope := providers.NewReadScope()
	if p.cache != nil {
		scope = p.cache.scope
	}
	ctx = providers.WithReadScope(ctx, scope)
	types, keys := p.readSet(ev)
	live, missing, rd := p.readForPlan(ctx, types, keys)
	ds.Append(rd)
	if rd.HasErrors() {
		return nil, ds
	}
	pl := &Plan{Workspace: ev.Workspace, Tenant: ev.TenantID}
	indexes := map[string]index{}
	for t, objs := range live {
		indexes[t] = newIndex(objs)
	}
	matched := map[*providers.LiveObject]bool{}
	claimed := map[string]*schema.Instance{} // the live object each declaration names, by identity
	cr := created{addrs: map[string]bool{}, keys: map[string]bool{}}
	for _, inst := range ev.Instances {
		c, d := p.planInstance(inst, indexes[inst.Type.Name], live, missing, ev.Workspace, cr)
		ds.Append(d)
		if c == nil {
			continue
		}
		if c.Prior != nil && !c.Pending {
			id := inst.Type.Name + "\x00" + strings.ToLower(c.Prior.Key)
			if c.Prior.ID != "" {
				id = inst.Type.Name + "\x00id\x00" + strings.ToLower(c.Prior.ID)
			}
			if other, ok := claimed[id]; ok {
				// Two spellings of one object would undo each other's changes on every apply.
				ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: inst.KeyRange(), Address: inst.Addr, Summary: "Two declarations name the same object",
					Detail: fmt.Sprintf("%s and %s both name the %s %q (written differently). Declare it once.", other.Addr, inst.Addr, inst.Type.Name, c.Prior.Key)})
				continue
			}
			claimed[id] = inst
			matched[c.Prior] = true
		}
		if c.Action == Create {
			cr.addrs[inst.Resource.Addr()] = true
			cr.keys[strings.ToLower(c.Key)] = true
		}
		pl.Changes = append(pl.Changes, c)
	}
	ds.Append(p.planDeletes(pl, live, indexes, matched, ev.Workspace))
	if ds.HasErrors() {
		return nil, ds
	}
	ds.Append(p.audit(ctx, ev))
	if ds.HasErrors() {
		return nil, ds
	}
	p.applyOrderers(pl)
	pl.Diagnostics = ds
	return pl, ds
}

// audit runs the hygiene checks of the registry's Auditors, once the plan itself is sound. Their
// findings are warnings of the plan; an audit that cannot read is an error like any failed read.
func (p *Planner) audit(ctx context.Context, ev *schema.Evaluated) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, name := range p.Registry.ResourceTypeNames() {
		res, _ := p.Registry.Resource(name)
		a, ok := res.(providers.Auditor)
		if !ok {
			continue
		}
		found, err := a.Audit(ctx, providers.AuditInput{Workspace: ev.Workspace, Instances: ev.Instances})
		if err != nil {
			ds.Append(diag.Errorf(nil, "Cannot audit the live "+name+" objects",
				"%s\n\nThe hygiene checks of a plan never pass on what they could not read. Check the connection and the app's permissions, then run the command again.", err))
			continue
		}
		ds.Append(found)
	}
	return ds
}

// applyOrderers lets a type that implements providers.Orderer choose the order of its own
// changes. They move, in that order, to where the last of them stood, which keeps every one after
// what it depends on; a type that something else depends on is left in plan order.
func (p *Planner) applyOrderers(pl *Plan) {
	for _, name := range p.Registry.ResourceTypeNames() {
		res, _ := p.Registry.Resource(name)
		o, ok := res.(providers.Orderer)
		if !ok {
			continue
		}
		var mine, others []*Change
		var cs []providers.Change
		last := -1
		for i, c := range pl.Changes {
			if c.Type != name || c.Action == NoOp {
				continue
			}
			pc, _ := providerChange(c)
			mine, cs, last = append(mine, c), append(cs, pc), i
		}
		if len(mine) < 2 || dependedOn(pl, name) {
			continue
		}
		perm := o.ApplyOrder(cs)
		if !isPermutation(perm, len(mine)) {
			continue
		}
		for _, c := range pl.Changes {
			if c.Type != name || c.Action == NoOp {
				others = append(others, c)
			}
		}
		// The block goes where the last of the type's changes stood, among the others.
		before := 0
		for i := 0; i < last; i++ {
			if c := pl.Changes[i]; c.Type != name || c.Action == NoOp {
				before++
			}
		}
		out := append([]*Change{}, others[:before]...)
		for _, k := range perm {
			out = append(out, mine[k])
		}
		pl.Changes = append(out, others[before:]...)
	}
}

// dependedOn reports whether a change of another type depends on a resource of this type.
func dependedOn(pl *Plan, typ string) bool {
	for _, c := range pl.Changes {
		for _, d := range c.DependsOn {
			if c.Type != typ && strings.HasPrefix(d, typ+".") {
				return true
			}
		}
	}
	return false
}

func isPermutation(perm []int, n int) bool {
	if len(perm) != n {
		return false
	}
	seen := make([]bool, n)
	for _, k := range perm {
		if k < 0 || k >= n || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// created records what a plan creates, so that settings of a new object can follow it.
type created struct {
	addrs map[string]bool // resource addresses (TYPE.NAME) with a create
	keys  map[string]bool // lower-case keys of the objects created
}

// comesFirst reports whether the object an instance belongs to (its key, or for a composite key
// its first part, the mailbox) is created earlier in the plan by a resource it depends on.
func (cr created) comesFirst(inst *schema.Instance) bool {
	if !cr.keys[strings.ToLower(containerOf(inst.Key()))] {
		return false
	}
	for _, d := range inst.DependsOn {
		if cr.addrs[d] {
			return true
		}
	}
	return false
}

// containerOf is the first part of a key: the object itself, or the mailbox of an inbox rule.
func containerOf(key string) string {
	c, _, _ := strings.Cut(key, schema.KeySep)
	return c
}

// planDeletes deletes the owned objects of this workspace that no declaration matched.
func (p *Planner) planDeletes(pl *Plan, live map[string][]providers.LiveObject, indexes map[string]index, matched map[*providers.LiveObject]bool, workspace string) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, t := range p.Registry.ResourceTypeNames() {
		res, _ := p.Registry.Resource(t)
		rt := res.Type()
		if rt.Kind != schema.Owned {
			continue
		}
		objs := live[t]
		order := make([]int, len(objs))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(i, j int) bool { return strings.ToLower(objs[order[i]].Key) < strings.ToLower(objs[order[j]].Key) })
		for _, i := range order {
			o := indexes[t][strings.ToLower(objs[i].Key)]
			if o.Owner != workspace || matched[o] {
				continue
			}
			c := &Change{Addr: fmt.Sprintf("%s[%q]", t, o.Key), Type: t, Key: o.Key, Action: Delete, Prior: o, Marker: providers.Marker{Workspace: workspace}}
			if o.Protected {
				ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Object protected by prevent_destroy",
					Detail: fmt.Sprintf("The %s %q is owned by this workspace and no longer declared, but it was applied with lifecycle { prevent_destroy = true }, so exoform will not delete it. To delete it, declare it again without prevent_destroy, apply, then remove it. To keep it, declare it again.", t, o.Key)})
				continue
			}
			if rt.DataBearing && !o.AllowDestroy {
				ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Deleting an object that holds data needs allow_destroy",
					Detail: fmt.Sprintf("The %s %q is owned by this workspace and no longer declared, but it holds data, so exoform deletes it only when it was applied with lifecycle { allow_destroy = true }. To delete it, declare it again with allow_destroy = true, apply, then remove it. To keep it, declare it again.", t, o.Key)})
				continue
			}
			ops, err := compile(res, c)
			if err != nil {
				ds.Append(diag.Errorf(nil, "Cannot compile a change", "%s: %s.", c.Addr, err))
				continue
			}
			c.Operations = ops
			pl.Changes = append(pl.Changes, c)
		}
	}
	return ds
}

func (p *Planner) planInstance(inst *schema.Instance, idx index, live map[string][]providers.LiveObject, missing missingKeys, workspace string, cr created) (*Change, diag.Diagnostics) {
	var ds diag.Diagnostics
	t := inst.Type
	res, _ := p.Registry.Resource(t.Name)
	key := inst.Key()
	c := &Change{Addr: inst.Addr, Type: t.Name, Key: key, DependsOn: inst.DependsOn}
	if o, ok := idx[strings.ToLower(key)]; ok {
		c.Prior = o
		c.Key = o.Key
	}
	desired := inst.Value
	if r, ok := res.(providers.Resolver); ok {
		v, err := r.Resolve(desired, live)
		if err != nil {
			ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: &inst.Resource.DeclRange, Address: inst.Addr, Summary: "Cannot resolve a name", Detail: err.Error() + "."})
			return nil, ds
		}
		desired = v
	}
	if ff, ok := res.(providers.FactFinder); ok {
		facts, err := ff.Facts(desired)
		if err != nil {
			ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: &inst.Resource.DeclRange, Address: inst.Addr, Summary: "Cannot resolve a name", Detail: err.Error() + "."})
			return nil, ds
		}
		c.Facts = facts
	}
	lc := inst.Resource.Lifecycle
	c.Marker = providers.Marker{Workspace: workspace}
	if t.Kind == schema.Owned {
		c.Marker.PreventDestroy, c.Marker.AllowDestroy = lc.PreventDestroy, lc.AllowDestroy
	}
	comesFirst := c.Prior == nil && cr.comesFirst(inst)
	if c.Prior == nil && t.Kind == schema.Setting && comesFirst {
		// The object comes into being earlier in this plan: its settings are set after it.
		c.Pending = true
		c.Prior = &providers.LiveObject{Key: key, Value: t.NullObject()}
	}
	switch {
	case c.Prior == nil && missing.has(t.Name, key) && !comesFirst:
		ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: inst.Range(t.Keys[0]), Address: inst.Addr, Summary: "Object not found",
			Detail: fmt.Sprintf("The tenant has no %q, which %s belongs to. Check the name (any identity the service accepts works); a mailbox this configuration creates must be referred to through its resource (for example exchange_shared_mailbox.NAME.primary_smtp_address). A new mailbox can take a few minutes to become visible.", containerOf(key), inst.Addr)})
		return nil, ds
	case c.Prior == nil && t.Kind == schema.Setting:
		what := fmt.Sprintf("%s %q", t.Name, key)
		if t.Singleton() {
			what = "the " + t.Name
		}
		ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: inst.KeyRange(), Address: inst.Addr, Summary: "Object not found",
			Detail: fmt.Sprintf("The tenant has no %s. exoform manages the settings of objects that exist and never creates them: check the name (any identity the service accepts works). A new mailbox can take a few minutes to become visible.", what)})
		return nil, ds
	case c.Prior == nil:
		c.Action = Create
		c.Attrs = diffAttrs(t, cty.NilVal, desired, nil)
		c.After = merged(t, cty.NilVal, desired)
	case t.Kind == schema.Owned && c.Prior.Owner != "" && c.Prior.Owner != workspace:
		ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: inst.KeyRange(), Address: inst.Addr,
			Summary: "Object owned by another workspace",
			Detail: fmt.Sprintf("The %s %q carries the ownership marker of workspace %q. Two workspaces must not manage one object: remove it from this configuration, or remove it from workspace %q first.",
				t.Name, c.Prior.Key, c.Prior.Owner, c.Prior.Owner)})
		return nil, ds
	default:
		c.Attrs = diffAttrs(t, c.Prior.Value, desired, lc.IgnoreChanges)
		c.After = merged(t, c.Prior.Value, desired)
		owned := t.Kind == schema.Owned && c.Prior.Owner != ""
		if owned && c.Prior.Protected != c.Marker.PreventDestroy {
			c.Attrs = append(c.Attrs, AttrChange{Name: PreventDestroyAttr, Before: cty.BoolVal(c.Prior.Protected), After: cty.BoolVal(c.Marker.PreventDestroy)})
		}
		if owned && c.Prior.AllowDestroy != c.Marker.AllowDestroy {
			c.Attrs = append(c.Attrs, AttrChange{Name: AllowDestroyAttr, Before: cty.BoolVal(c.Prior.AllowDestroy), After: cty.BoolVal(c.Marker.AllowDestroy)})
		}
		switch {
		case t.Kind == schema.Owned && c.Prior.Owner == "":
			c.Action = Adopt
		case len(c.Attrs) > 0:
			c.Action = Update
		default:
			c.Action = NoOp
			return c, ds
		}
	}
	ops, err := compile(res, c)
	if err != nil {
		ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: &inst.Resource.DeclRange, Address: inst.Addr,
			Summary: "Cannot compile a change", Detail: err.Error() + "."})
		return nil, ds
	}
	c.Operations = ops
	return c, ds
}
