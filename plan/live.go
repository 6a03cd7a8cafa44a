package plan

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// Evaluate evaluates a configuration against the live tenant: references to computed
// attributes (an application's app_id) take the values of the objects that exist, and data
// blocks are answered. The types a plan reads are read here once, concurrently, and Plan plans
// from the same reads, so evaluating live costs no extra requests.
func (p *Planner) Evaluate(ctx context.Context, cfg *schema.Config, in schema.Inputs) (*schema.Evaluated, diag.Diagnostics) {
	in.Live = nil
	offline, ds := schema.Evaluate(cfg, p.Registry, in)
	if ds.HasErrors() {
		return offline, ds
	}
	return p.EvaluateLive(ctx, offline, in)
}

// EvaluateLive is Evaluate from the configuration's offline evaluation (without errors, with
// the same inputs), which a command has made already to report mistakes before signing in. It
// consumes offline: only what the tenant can change is evaluated again (schema.Reevaluate).
func (p *Planner) EvaluateLive(ctx context.Context, offline *schema.Evaluated, in schema.Inputs) (*schema.Evaluated, diag.Diagnostics) {
	types, keys := p.readSet(offline)
	scope := providers.NewReadScope()
	ctx, cancel := context.WithCancel(ctx)
	c := &liveCache{p: p, ctx: providers.WithReadScope(ctx, scope), cancel: cancel, scope: scope, reads: map[string]*typeRead{}, keys: keys}
	c.prefetch(types)
	in.Live = c
	ev, ds := schema.Reevaluate(offline, p.Registry, in)
	p.cache = c
	if ds.HasErrors() {
		// No plan follows: stop the reads started for it rather than leave them running
		// (and logging) after the command has reported the error.
		p.Close()
	}
	return ev, ds
}

// Close stops the reads EvaluateLive started that are still under way and waits for them, so
// that none outlives the command that started them (a read still running would go on sending
// requests and writing to the log after the command returned). A Plan after Close reads
// afresh. Plan waits for the reads it uses; Close is for a command that evaluated and then
// does not plan, or stopped at an error.
func (p *Planner) Close() {
	c := p.cache
	if c == nil {
		return
	}
	p.cache = nil
	c.cancel()
	c.wait()
}

// liveCache reads each type once, for evaluation and planning alike.
type liveCache struct {
	p      *Planner
	ctx    context.Context
	cancel context.CancelFunc   // stops the reads (Close)
	scope  *providers.ReadScope // shared by the reads of Evaluate and of the Plan that follows
	mu     sync.Mutex
	reads  map[string]*typeRead
	keys   map[string][]string // the declared keys of each type, for DeclaredReaders and ScopedReaders
	sem    chan struct{}       // bounds the reads by type when the planner's Parallelism is set
}

type typeRead struct {
	once    sync.Once
	objs    []providers.LiveObject
	missing []string // a ScopedReader's keys whose containing object does not exist
	err     error
}

func (c *liveCache) typeRead(t string) *typeRead {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.reads[t]
	if !ok {
		r = &typeRead{}
		c.reads[t] = r
	}
	return r
}

// read reads a type once; later calls wait for the same read.
func (c *liveCache) read(t string) *typeRead {
	r := c.typeRead(t)
	r.once.Do(func() {
		if c.sem != nil {
			c.sem <- struct{}{}
			defer func() { <-c.sem }()
		}
		res, ok := c.p.Registry.Resource(t)
		if !ok {
			r.err = fmt.Errorf("%s is not a resource type of this version of exoform", t)
			return
		}
		switch rr := res.(type) {
		case providers.ScopedReader:
			r.objs, r.missing, r.err = rr.ReadKeys(c.ctx, c.keys[t])
		case providers.DeclaredReader:
			r.objs, r.err = rr.ReadDeclared(c.ctx, c.keys[t])
		default:
			r.objs, r.err = res.ReadAll(c.ctx)
		}
	})
	return r
}

// prefetch starts the reads of every type at once and returns: evaluation waits only for the
// types it looks up, and the plan for the rest. Waiting here for every read before evaluating,
// and then starting the per-mailbox reads only when planning, left most of Exchange's
// concurrent request slots idle for the first half of a large plan. The clients keep to the
// services' limits; the planner's Parallelism, when set, bounds the reads by type.
func (c *liveCache) prefetch(types []string) {
	if n := c.p.readLimit(); n > 0 {
		c.sem = make(chan struct{}, n)
	}
	for _, t := range types {
		c.typeRead(t) // before returning, so that the plan finds every read started
		go c.read(t)
	}
}

// started reports, without waiting, whether a read of a type was started that serves keys:
// not when it was given other keys (the plan's keys differ from the offline evaluation's where
// they come from the tenant), which then need a read of their own.
func (c *liveCache) started(t string, keys []string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	_, ok := c.reads[t]
	c.mu.Unlock()
	if !ok {
		return false
	}
	if res, found := c.p.Registry.Resource(t); found {
		_, scoped := res.(providers.ScopedReader)
		_, declared := res.(providers.DeclaredReader)
		if (scoped || declared) && !sameKeys(c.keys[t], keys) {
			return false
		}
	}
	return true
}

// wait waits for every read started, so that none outlives the plan that started it.
func (c *liveCache) wait() {
	if c == nil {
		return
	}
	c.mu.Lock()
	types := make([]string, 0, len(c.reads))
	for t := range c.reads {
		types = append(types, t)
	}
	c.mu.Unlock()
	for _, t := range types {
		c.read(t)
	}
}

// sameKeys reports whether two lists hold the same keys, case-insensitively, in any order.
func sameKeys(a, b []string) bool {
	set := func(ks []string) map[string]bool {
		m := make(map[string]bool, len(ks))
		for _, k := range ks {
			m[strings.ToLower(k)] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for k := range sa {
		if !sb[k] {
			return false
		}
	}
	return true
}

// Lookup implements schema.Live.
func (c *liveCache) Lookup(t *schema.ResourceType, key string) (cty.Value, bool, error) {
	if res, ok := c.p.Registry.Resource(t.Name); ok {
		if _, scoped := res.(providers.ScopedReader); scoped {
			return cty.NilVal, false, fmt.Errorf("%s objects are read one by one and cannot be looked up", t.Name)
		}
	}
	r := c.read(t.Name)
	if r.err != nil {
		return cty.NilVal, false, r.err
	}
	if o, ok := newIndex(r.objs)[strings.ToLower(key)]; ok {
		return o.Value, true, nil
	}
	return cty.NilVal, false, nil
}

// Query implements schema.Live.
func (c *liveCache) Query(t *schema.ResourceType, query cty.Value) (cty.Value, error) {
	d, ok := c.p.Registry.DataSource(t.Name)
	if !ok {
		return cty.NilVal, fmt.Errorf("%s is not a data source of this version of exoform", t.Name)
	}
	return d.Query(c.ctx, query)
}
