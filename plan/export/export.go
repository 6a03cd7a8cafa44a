package export

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// Options say what to export.
type Options struct {
	Registry *providers.Registry
	// Types to export; nil exports every type whose rules do not skip it.
	Types     []string
	Workspace string // written into the exoform block
	Tenant    string // the tenant_id variable's default
	// Parallelism bounds the types read at once (default 4).
	Parallelism int
	// Progress, if set, is called as reads start and finish (from several goroutines, one
	// call at a time).
	Progress func(Progress)
}

// Progress is the state of the reads.
type Progress struct {
	Reading []string // types being read now
	Done    int      // types read
	Total   int
}

// Result is an export.
type Result struct {
	// Files maps a file name (main.exo.hcl, TYPE.exo.hcl) to its content.
	Files map[string][]byte
	// Types are the exported types, sorted, with what was found.
	Types []TypeResult
	// Skipped are the types left out, and why.
	Skipped []Skipped
}

// TypeResult says what export did with one type's objects.
type TypeResult struct {
	Type     string
	Exported int
	Omitted  int // left out by the type's rules (built-in objects, default settings)
	// OtherWorkspaces counts objects carrying another workspace's ownership marker: they
	// belong to that workspace's configuration, not this one.
	OtherWorkspaces int
}

// Skipped is a type left out of the export.
type Skipped struct {
	Type, Reason string
}

// entry is one object to declare.
type entry struct {
	key, name string
	value     cty.Value
}

// Export reads the tenant and writes the configuration that declares it.
func Export(ctx context.Context, o Options) (*Result, error) {
	types, skipped, err := selectTypes(o.Registry, o.Types)
	if err != nil {
		return nil, err
	}
	r := &reader{o: o, total: len(types), live: map[string][]providers.LiveObject{}}
	// Types that a scoped type needs the keys of are read even when not exported.
	read := map[string]bool{}
	var first, second []string
	for _, t := range types {
		if scope := rulesOf(o.Registry, t).Scope; scope != "" {
			second = append(second, t)
			if !read[scope] && !slices.Contains(types, scope) {
				read[scope] = true
				first = append(first, scope)
				r.total++
			}
			continue
		}
		first = append(first, t)
	}
	if err := r.read(ctx, first); err != nil {
		return nil, err
	}
	entries := map[string][]entry{}
	res := &Result{Skipped: skipped}
	pick := func(t string) {
		es, tr := pickObjects(o.Registry, t, r.live[t], o.Workspace)
		if slices.Contains(types, t) {
			entries[t] = es
			res.Types = append(res.Types, tr)
		} else {
			entries[t] = nil
		}
		r.exportedKeys(t, es)
	}
	for _, t := range first {
		pick(t)
	}
	if err := r.read(ctx, second); err != nil {
		return nil, err
	}
	for _, t := range second {
		pick(t)
	}
	sort.Slice(res.Types, func(i, j int) bool { return res.Types[i].Type < res.Types[j].Type })
	res.Files, err = render(o, entries, r.keys)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// selectTypes checks the requested types, or picks the default ones.
func selectTypes(reg *providers.Registry, want []string) (types []string, skipped []Skipped, err error) {
	all := reg.ResourceTypeNames()
	if len(want) == 0 {
		for _, t := range all {
			if ru := rulesOf(reg, t); ru.Skip != "" {
				skipped = append(skipped, Skipped{Type: t, Reason: ru.Skip})
				continue
			}
			types = append(types, t)
		}
		return types, skipped, nil
	}
	seen := map[string]bool{}
	for _, t := range want {
		t = strings.TrimSpace(t)
		if _, ok := reg.Resource(t); !ok {
			return nil, nil, fmt.Errorf("--types: %q is not a resource type; the types are %s", t, strings.Join(all, ", "))
		}
		if ru := rulesOf(reg, t); ru.Never {
			return nil, nil, fmt.Errorf("--types: %s cannot be exported: %s", t, ru.Skip)
		}
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	sort.Strings(types)
	return types, nil, nil
}

func rulesOf(reg *providers.Registry, t string) providers.ExportRules {
	res, _ := reg.Resource(t)
	if e, ok := res.(providers.Exporter); ok {
		return e.ExportRules()
	}
	return providers.ExportRules{}
}

// reader reads types concurrently and reports progress.
type reader struct {
	o     Options
	mu    sync.Mutex
	live  map[string][]providers.LiveObject
	keys  map[string]map[string]string // type → lower-case key → block name, of exported objects
	orig  map[string][]string          // type → the exported objects' keys as the tenant spells them
	busy  []string
	done  int
	total int
}

func (r *reader) report() {
	if r.o.Progress != nil {
		r.o.Progress(Progress{Reading: append([]string(nil), r.busy...), Done: r.done, Total: r.total})
	}
}

func (r *reader) read(ctx context.Context, types []string) error {
	g, gctx := errgroup.WithContext(ctx)
	n := r.o.Parallelism
	if n <= 0 {
		n = 4
	}
	g.SetLimit(n)
	for _, t := range types {
		res, _ := r.o.Registry.Resource(t)
		var ks []string
		if scope := rulesOf(r.o.Registry, t).Scope; scope != "" {
			ks = r.orig[scope]
		}
		g.Go(func() error {
			r.mu.Lock()
			r.busy = append(r.busy, t)
			r.report()
			r.mu.Unlock()
			objs, err := readType(gctx, res, ks)
			r.mu.Lock()
			defer r.mu.Unlock()
			for i, b := range r.busy {
				if b == t {
					r.busy = append(r.busy[:i], r.busy[i+1:]...)
					break
				}
			}
			r.done++
			r.report()
			if err != nil {
				return fmt.Errorf("reading the live %s objects: %w\n\nexoform exports nothing from a failed read: check the connection and the app's permissions, then run export again", t, err)
			}
			r.live[t] = objs
			return nil
		})
	}
	return g.Wait()
}

// readType reads every object of a type in bulk; a scoped type, the objects keys name (its
// scope type's exported keys).
func readType(ctx context.Context, res providers.Resource, keys []string) ([]providers.LiveObject, error) {
	if sr, ok := res.(providers.ScopedReader); ok {
		objs, _, err := sr.ReadKeys(ctx, keys)
		return objs, err
	}
	if er, ok := res.(providers.ExportReader); ok {
		return er.ReadExport(ctx)
	}
	return res.ReadAll(ctx)
}

func (r *reader) exportedKeys(t string, es []entry) {
	if r.keys == nil {
		r.keys, r.orig = map[string]map[string]string{}, map[string][]string{}
	}
	m := map[string]string{}
	for _, e := range es {
		m[strings.ToLower(e.key)] = e.name
		r.orig[t] = append(r.orig[t], e.key)
	}
	r.keys[t] = m
}

// pickObjects applies a type's rules to what was read and names the objects it keeps.
func pickObjects(reg *providers.Registry, t string, objs []providers.LiveObject, workspace string) ([]entry, TypeResult) {
	ru := rulesOf(reg, t)
	tr := TypeResult{Type: t}
	var es []entry
	for _, o := range objs {
		if o.Owner != "" && o.Owner != workspace {
			tr.OtherWorkspaces++
			continue
		}
		v := o.Value
		if ru.Value != nil {
			var ok bool
			if v, ok = ru.Value(o); !ok {
				tr.Omitted++
				continue
			}
		}
		es = append(es, entry{key: o.Key, value: withKey(typeOf(reg, t), v, o.Key)})
	}
	res, _ := reg.Resource(t)
	if res.Type().Singleton() {
		for i := range es {
			es[i].name = "this"
		}
	} else {
		keys := make([]string, len(es))
		for i, e := range es {
			keys[i] = e.key
		}
		nm := names(keys)
		for i := range es {
			es[i].name = nm[es[i].key]
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	tr.Exported = len(es)
	return es, tr
}

// withKey fills in a single key attribute that a reader left null from the object's key, so
// that every declaration names its object.
func withKey(rt *schema.ResourceType, v cty.Value, key string) cty.Value {
	if len(rt.Keys) != 1 || !v.GetAttr(rt.Keys[0]).IsNull() {
		return v
	}
	attrs := v.AsValueMap()
	attrs[rt.Keys[0]] = cty.StringVal(key)
	return cty.ObjectVal(attrs)
}

// typeOf is the resource type of a registered type name.
func typeOf(reg *providers.Registry, t string) *schema.ResourceType {
	res, _ := reg.Resource(t)
	return res.Type()
}
