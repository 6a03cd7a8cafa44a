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
	// Parallelism bounds the number of bulk reads running at once (default 4).
	Parallelism int
}

// ReadLive reads every live object of the given types, concurrently. Any error fails the whole
// read: a plan is never computed from part of the tenant.
func (p *Planner) ReadLive(ctx context.Context, types []string) (map[string][]providers.LiveObject, diag.Diagnostics) {
	var ds diag.Diagnostics
	var mu sync.Mutex
	out := map[string][]providers.LiveObject{}
	g, gctx := errgroup.WithContext(ctx)
	n := p.Parallelism
	if n <= 0 {
		n = 4
	}
	g.SetLimit(n)
	for _, t := range types {
		res, ok := p.Registry.Resource(t)
		if !ok {
			ds.Append(diag.Errorf(nil, "Unknown resource type", "%s is not a resource type of this version of exoform.", t))
			continue
		}
		g.Go(func() error {
			objs, err := res.ReadAll(gctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				ds.Append(diag.Errorf(nil, "Cannot read the live "+t+" objects",
					"%s\n\nexoform plans nothing from a failed read. Check the connection and the app's Exchange permissions, then run the command again.", err))
				return nil
			}
			out[t] = objs
			return nil
		})
	}
	_ = g.Wait()
	return out, ds
}

// Plan compares an evaluated configuration with the live tenant.
func (p *Planner) Plan(ctx context.Context, ev *schema.Evaluated) (*Plan, diag.Diagnostics) {
	var ds diag.Diagnostics
	// Every registered type is read, not just the declared ones: an owned object whose whole
	// type left the configuration must still be deleted.
	live, rd := p.ReadLive(ctx, p.Registry.ResourceTypeNames())
	ds.Append(rd)
	if rd.HasErrors() {
		return nil, ds
	}
	pl := &Plan{Workspace: ev.Workspace, Tenant: ev.TenantID}
	matched := map[string]map[string]bool{}
	for _, inst := range ev.Instances {
		c, d := p.planInstance(inst, live[inst.Type.Name], ev.Workspace)
		ds.Append(d)
		if c == nil {
			continue
		}
		if matched[c.Type] == nil {
			matched[c.Type] = map[string]bool{}
		}
		matched[c.Type][strings.ToLower(c.Key)] = true
		pl.Changes = append(pl.Changes, c)
	}
	for _, t := range p.Registry.ResourceTypeNames() {
		objs := append([]providers.LiveObject(nil), live[t]...)
		sort.Slice(objs, func(i, j int) bool { return strings.ToLower(objs[i].Key) < strings.ToLower(objs[j].Key) })
		for i := range objs {
			o := &objs[i]
			if o.Owner != ev.Workspace || matched[t][strings.ToLower(o.Key)] {
				continue
			}
			res, _ := p.Registry.Resource(t)
			c := &Change{Addr: fmt.Sprintf("%s[%q]", t, o.Key), Type: t, Key: o.Key, Action: Delete, Prior: o}
			if o.Protected {
				ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Object protected by prevent_destroy",
					Detail: fmt.Sprintf("The %s %q is owned by this workspace and no longer declared, but it was applied with lifecycle { prevent_destroy = true }, so exoform will not delete it. To delete it, declare it again without prevent_destroy, apply, then remove it. To keep it, declare it again.", t, o.Key)})
				continue
			}
			c.Marker = providers.Marker{Workspace: ev.Workspace}
			ops, err := compile(res, c)
			if err != nil {
				ds.Append(diag.Errorf(nil, "Cannot compile a change", "%s: %s.", c.Addr, err))
				continue
			}
			c.Operations = ops
			pl.Changes = append(pl.Changes, c)
		}
	}
	if ds.HasErrors() {
		return nil, ds
	}
	pl.Diagnostics = ds
	return pl, ds
}

func (p *Planner) planInstance(inst *schema.Instance, live []providers.LiveObject, workspace string) (*Change, diag.Diagnostics) {
	var ds diag.Diagnostics
	t := inst.Type
	res, _ := p.Registry.Resource(t.Name)
	key := inst.Key()
	c := &Change{Addr: inst.Addr, Type: t.Name, Key: key, DependsOn: inst.DependsOn}
	for i := range live {
		if strings.EqualFold(live[i].Key, key) {
			c.Prior = &live[i]
			c.Key = live[i].Key
			break
		}
	}
	c.Marker = providers.Marker{Workspace: workspace, PreventDestroy: inst.Resource.Lifecycle.PreventDestroy}
	switch {
	case c.Prior == nil:
		c.Action = Create
		c.Attrs = diffAttrs(t, nilObject(), inst.Value, nil)
		c.After = merged(t, nilObject(), inst.Value)
	case c.Prior.Owner != "" && c.Prior.Owner != workspace:
		ds.Append(diag.Diagnostic{Severity: diag.Error, Subject: inst.Range(t.Key), Address: inst.Addr,
			Summary: "Object owned by another workspace",
			Detail: fmt.Sprintf("The %s %q carries the ownership marker of workspace %q. Two workspaces must not manage one object: remove it from this configuration, or remove it from workspace %q first.",
				t.Name, c.Prior.Key, c.Prior.Owner, c.Prior.Owner)})
		return nil, ds
	default:
		c.Attrs = diffAttrs(t, c.Prior.Value, inst.Value, inst.Resource.Lifecycle.IgnoreChanges)
		c.After = merged(t, c.Prior.Value, inst.Value)
		if c.Prior.Owner != "" && c.Prior.Protected != c.Marker.PreventDestroy {
			c.Attrs = append(c.Attrs, AttrChange{Name: PreventDestroyAttr, Before: cty.BoolVal(c.Prior.Protected), After: cty.BoolVal(c.Marker.PreventDestroy)})
		}
		switch {
		case c.Prior.Owner == "":
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
