package plan

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"

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
	c := &liveCache{p: p, ctx: providers.WithReadScope(ctx, scope), scope: scope, reads: map[string]*typeRead{}, keys: keys}
	c.prefetch(types)
	in.Live = c
	ev, ds := schema.Reevaluate(offline, p.Registry, in)
	p.cache = c
	return ev, ds
}

// liveCache reads each type once, for evaluation and planning alike.
type liveCache struct {
	p     *Planner
	ctx   context.Context
	scope *providers.ReadScope // shared by the reads of Evaluate and of the Plan that follows
	mu    sync.Mutex
	reads map[string]*typeRead
	keys  map[string][]string // the declared keys of each type, for DeclaredReaders
}

type typeRead struct {
	once sync.Once
	objs []providers.LiveObject
	err  error
}

func (c *liveCache) read(t string) ([]providers.LiveObject, error) {
	c.mu.Lock()
	r, ok := c.reads[t]
	if !ok {
		r = &typeRead{}
		c.reads[t] = r
	}
	c.mu.Unlock()
	r.once.Do(func() {
		res, ok := c.p.Registry.Resource(t)
		switch {
		case !ok:
			r.err = fmt.Errorf("%s is not a resource type of this version of exoform", t)
		default:
			if _, scoped := res.(providers.ScopedReader); scoped {
				r.err = fmt.Errorf("%s objects are read one by one and cannot be looked up", t)
				return
			}
			if dr, ok := res.(providers.DeclaredReader); ok {
				r.objs, r.err = dr.ReadDeclared(c.ctx, c.keys[t])
				return
			}
			r.objs, r.err = res.ReadAll(c.ctx)
		}
	})
	return r.objs, r.err
}

// prefetch reads the types that are read in bulk, concurrently, within the planner's limit (by
// default none: the clients keep to the services' limits).
func (c *liveCache) prefetch(types []string) {
	g := errgroup.Group{}
	g.SetLimit(c.p.readLimit())
	for _, t := range types {
		res, ok := c.p.Registry.Resource(t)
		if !ok {
			continue
		}
		if _, scoped := res.(providers.ScopedReader); scoped {
			continue
		}
		g.Go(func() error { _, _ = c.read(t); return nil })
	}
	_ = g.Wait()
}

// cached returns a finished read of a type, if there is one.
func (c *liveCache) cached(t string) (objs []providers.LiveObject, err error, ok bool) {
	if c == nil {
		return nil, nil, false
	}
	c.mu.Lock()
	_, ok = c.reads[t]
	c.mu.Unlock()
	if !ok {
		return nil, nil, false
	}
	objs, err = c.read(t)
	return objs, err, true
}

// Lookup implements schema.Live.
func (c *liveCache) Lookup(t *schema.ResourceType, key string) (cty.Value, bool, error) {
	objs, err := c.read(t.Name)
	if err != nil {
		return cty.NilVal, false, err
	}
	if o, ok := newIndex(objs)[strings.ToLower(key)]; ok {
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
