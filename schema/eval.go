package schema

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/exoform/exoform/schema/diag"
)

// TypeLookup finds a resource type by name.
type TypeLookup interface {
	ResourceType(name string) (*ResourceType, bool)
	ResourceTypeNames() []string
}

// ConfigChecker is implemented by a TypeLookup that has checks across the instances of a
// configuration; Evaluate runs them when every instance evaluated without error.
type ConfigChecker interface {
	CheckConfig([]*Instance) diag.Diagnostics
}

// An Instance is one object the configuration declares: a resource, or one element of a
// resource with for_each.
type Instance struct {
	Addr     string // exchange_inbound_connector.relay or exchange_inbound_connector.relay["x"]
	Resource *Resource
	Type     *ResourceType
	// Value is an object of Type.ObjectType(); a null attribute is not managed.
	Value      cty.Value
	AttrRanges map[string]hcl.Range
	// DependsOn lists the resource addresses (TYPE.NAME) this instance must follow.
	DependsOn []string

	forEachKey string // each.key, for a resource with for_each
}

// Key is the natural key's value ("" for a singleton, or if unset).
func (in *Instance) Key() string { return in.Type.KeyOf(in.Value) }

// KeyRange is where the instance's key is written, for diagnostics about the object it names.
func (in *Instance) KeyRange() *hcl.Range {
	if len(in.Type.Keys) == 0 {
		r := in.Resource.DeclRange
		return &r
	}
	return in.Range(in.Type.Keys[len(in.Type.Keys)-1])
}

// Range returns the best source range for an attribute: its expression, else the block.
func (in *Instance) Range(attr string) *hcl.Range {
	if r, ok := in.AttrRanges[attr]; ok {
		return &r
	}
	r := in.Resource.DeclRange
	return &r
}

// Evaluated is a configuration with every expression evaluated.
type Evaluated struct {
	Config    *Config
	Workspace string
	TenantID  string // "" when neither the tenant block nor AZURE_TENANT_ID gives one
	Instances []*Instance
	Variables map[string]cty.Value // marked values stay marked
	Outputs   []OutputValue

	// reuse is what Reevaluate needs of an offline evaluation; nil for a live one or one that
	// stopped at an error.
	reuse *reusable
}

// An OutputValue is an evaluated output block. A sensitive output's Value is still the value:
// renderers must print "(sensitive)" instead.
type OutputValue struct {
	Name        string
	Description string
	Sensitive   bool
	Value       cty.Value // unmarked
}

// Evaluate evaluates variables, locals and resources in dependency order.
func Evaluate(cfg *Config, types TypeLookup, in Inputs) (*Evaluated, diag.Diagnostics) {
	var ds diag.Diagnostics
	ev := &Evaluated{Config: cfg, Workspace: cfg.Workspace}
	vars, vd := cfg.evalVariables(in)
	ds.Append(vd)
	if vd.HasErrors() {
		return ev, ds
	}
	ev.Variables = vars
	e := newEvaluator(cfg, types, in.Live, vars)
	order, gd := e.graph()
	ds.Append(gd)
	if gd.HasErrors() {
		return ev, ds
	}
	var reuse *reusable
	if in.Live == nil {
		reuse = &reusable{order: order, varDS: vd, graphDS: gd, nodes: make(map[string]*nodeResult, len(order))}
	}
	for _, n := range order {
		before := len(ev.Instances)
		nd := e.evalNode(n, ev)
		ds.Append(nd)
		if reuse != nil {
			reuse.record(e, n, nd, ev.Instances[before:])
		}
	}
	if !ds.HasErrors() {
		ev.reuse = reuse
	}
	return ev, e.finish(ev, in, ds)
}

func newEvaluator(cfg *Config, types TypeLookup, live Live, vars map[string]cty.Value) *evaluator {
	return &evaluator{cfg: cfg, types: types, live: live, vars: vars, locals: map[string]cty.Value{}, resources: map[string]cty.Value{},
		specs: map[*ResourceType]hcldec.ObjectSpec{}, schemas: map[*ResourceType]*hcl.BodySchema{}, refs: map[string][]hcl.Traversal{}, valueDeps: map[string][]string{}}
}

// finish evaluates what follows the declarations (outputs, the tenant) and runs the checks
// across instances.
func (e *evaluator) finish(ev *Evaluated, in Inputs, ds diag.Diagnostics) diag.Diagnostics {
	if !ds.HasErrors() {
		ds.Append(e.evalOutputs(ev))
	}
	ds.Append(e.tenant(ev, in))
	ds.Append(checkKeys(ev.Instances))
	if cc, ok := e.types.(ConfigChecker); ok && !ds.HasErrors() {
		ds.Append(cc.CheckConfig(ev.Instances))
	}
	ds.Sort()
	return ds
}

type node struct {
	local *Local
	res   *Resource
}

func (n node) name() string {
	if n.local != nil {
		return "local." + n.local.Name
	}
	return n.res.Addr()
}

type evaluator struct {
	cfg       *Config
	types     TypeLookup
	vars      map[string]cty.Value
	locals    map[string]cty.Value
	resources map[string]cty.Value // by address, with computed attributes filled in
	live      Live                 // nil when evaluating offline

	declared      map[string]*Resource // by address (data blocks as data.TYPE.NAME), for refTarget
	declaredTypes map[string]bool      // the resource types the configuration declares

	// Built once per evaluation rather than per use: at ten thousand declarations, rebuilding
	// a type's decoder spec and walking a body for its references twice cost a third of it.
	specs     map[*ResourceType]hcldec.ObjectSpec
	schemas   map[*ResourceType]*hcl.BodySchema // hcldec.ImpliedSchema of specs
	refs      map[string][]hcl.Traversal        // by node name
	valueDeps map[string][]string               // by node name: the nodes its values refer to (not depends_on)
}

// spec is the decoder spec of a type's configurable attributes.
func (e *evaluator) spec(t *ResourceType) hcldec.ObjectSpec {
	sp, ok := e.specs[t]
	if !ok {
		sp = attrSpec(t.Configurable())
		e.specs[t] = sp
	}
	return sp
}

// sourceRanges returns, for each attribute of t, what hcldec.SourceRange(body, spec) returns,
// reading the body's content once: SourceRange reads it again for every attribute, and at
// fifteen attributes of ten thousand declarations that was a tenth of an evaluation's
// allocations. Nested blocks, rare and small, still go through SourceRange.
func (e *evaluator) sourceRanges(body hcl.Body, t *ResourceType) func(name string) hcl.Range {
	sp := e.spec(t)
	sc, ok := e.schemas[t]
	if !ok {
		sc = hcldec.ImpliedSchema(sp)
		e.schemas[t] = sc
	}
	content, _, _ := body.PartialContent(sc)
	return func(name string) hcl.Range {
		if s, ok := sp[name].(*hcldec.AttrSpec); ok {
			if attr, ok := content.Attributes[s.Name]; ok {
				return attr.Expr.Range()
			}
			return content.MissingItemRange
		}
		return hcldec.SourceRange(body, sp[name])
	}
}

// index builds the lookups refTarget uses, so that resolving a reference does not scan every
// declaration (ten thousand references to ten thousand declarations).
func (e *evaluator) index() {
	if e.declared != nil {
		return
	}
	e.declared = map[string]*Resource{}
	e.declaredTypes = map[string]bool{}
	for _, r := range e.cfg.Resources {
		if _, ok := e.declared[r.Addr()]; !ok {
			e.declared[r.Addr()] = r
		}
		if !r.Data {
			e.declaredTypes[r.Type] = true
		}
	}
}

// typeOf finds the type of a resource or data block.
func (e *evaluator) typeOf(res *Resource) (*ResourceType, bool) {
	if res.Data {
		if d, ok := e.types.(DataTypeLookup); ok {
			return d.DataSourceType(res.Type)
		}
		return nil, false
	}
	return e.types.ResourceType(res.Type)
}

// graph orders locals and resources so each follows what it refers to.
func (e *evaluator) graph() ([]node, diag.Diagnostics) {
	var ds diag.Diagnostics
	nodes := map[string]node{}
	var names []string
	for _, l := range e.cfg.Locals {
		n := node{local: l}
		nodes[n.name()] = n
		names = append(names, n.name())
	}
	for _, r := range e.cfg.Resources {
		n := node{res: r}
		nodes[n.name()] = n
		names = append(names, n.name())
	}
	sort.Strings(names)
	deps := map[string][]string{}
	for _, name := range names {
		n := nodes[name]
		for _, tr := range e.references(n) {
			dep, d := e.refTarget(tr, n)
			ds.Append(d)
			if dep != "" && dep != name {
				deps[name] = append(deps[name], dep)
				e.valueDeps[name] = append(e.valueDeps[name], dep)
			} else if dep == name {
				r := tr.SourceRange()
				ds.Append(diag.Errorf(&r, "Self-referential value", "%s refers to itself. Use a variable or a literal instead.", name))
			}
		}
		if n.res != nil {
			for _, tr := range n.res.DependsOn {
				dep, d := e.refTarget(tr, n)
				ds.Append(d)
				if dep != "" && !strings.HasPrefix(dep, "local.") {
					deps[name] = append(deps[name], dep)
				}
			}
		}
	}
	if ds.HasErrors() {
		return nil, ds
	}
	// Depth-first topological sort; a back edge is a cycle.
	state := map[string]int{} // 0 new, 1 in progress, 2 done
	var order []node
	var stack []string
	var visit func(string) bool
	visit = func(name string) bool {
		switch state[name] {
		case 1:
			i := 0
			for i < len(stack) && stack[i] != name {
				i++
			}
			cycle := append(append([]string{}, stack[i:]...), name)
			r := declRange(nodes[name])
			ds.Append(diag.Errorf(&r, "Dependency cycle", "These values refer to each other in a circle: %s. Break the circle by using a variable or literal in one of them.", strings.Join(cycle, " → ")))
			return false
		case 2:
			return true
		}
		state[name] = 1
		stack = append(stack, name)
		ds := deps[name]
		sort.Strings(ds)
		for _, d := range ds {
			if !visit(d) {
				return false
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = 2
		order = append(order, nodes[name])
		return true
	}
	for _, name := range names {
		if !visit(name) {
			break
		}
	}
	return order, ds
}

func declRange(n node) hcl.Range {
	if n.local != nil {
		return n.local.Expr.Range()
	}
	return n.res.DeclRange
}

// references are the traversals in a node's expressions, found once and kept.
func (e *evaluator) references(n node) []hcl.Traversal {
	name := n.name()
	if out, ok := e.refs[name]; ok {
		return out
	}
	var out []hcl.Traversal
	switch {
	case n.local != nil:
		out = n.local.Expr.Variables()
	default:
		if n.res.ForEach != nil {
			out = append(out, n.res.ForEach.Variables()...)
		}
		if t, ok := e.typeOf(n.res); ok {
			out = append(out, hcldec.Variables(n.res.Body, e.spec(t))...)
		}
	}
	e.refs[name] = out
	return out
}

// refTarget names the node a traversal refers to ("" for var/each), or reports a reference to
// nothing.
func (e *evaluator) refTarget(tr hcl.Traversal, from node) (string, diag.Diagnostics) {
	var ds diag.Diagnostics
	r := tr.SourceRange()
	root := tr.RootName()
	switch root {
	case "var":
		name, ok := attrStep(tr)
		if !ok {
			ds.Append(diag.Errorf(&r, "Invalid reference", "Refer to a variable as var.NAME."))
		} else if _, ok := e.cfg.Variables[name]; !ok {
			ds.Append(diag.Errorf(&r, "Reference to an undeclared variable", "No variable %q is declared%s. Declare it with a variable block.", name, suggest(name, keysOf(e.cfg.Variables))))
		}
		return "", ds
	case "local":
		name, ok := attrStep(tr)
		if !ok {
			ds.Append(diag.Errorf(&r, "Invalid reference", "Refer to a local value as local.NAME."))
			return "", ds
		}
		if _, ok := e.cfg.Locals[name]; !ok {
			ds.Append(diag.Errorf(&r, "Reference to an undeclared local value", "No local value %q is defined%s. Define it in a locals block.", name, suggest(name, keysOf(e.cfg.Locals))))
			return "", ds
		}
		return "local." + name, ds
	case "each":
		if from.res == nil || from.res.ForEach == nil {
			ds.Append(diag.Errorf(&r, "each is not available here", "each.key and each.value exist only inside a resource that has for_each."))
		}
		return "", ds
	case "data":
		var typ, name string
		if len(tr) >= 3 {
			a1, ok1 := tr[1].(hcl.TraverseAttr)
			a2, ok2 := tr[2].(hcl.TraverseAttr)
			if ok1 && ok2 {
				typ, name = a1.Name, a2.Name
			}
		}
		if typ == "" {
			ds.Append(diag.Errorf(&r, "Invalid reference", "Refer to a data block as data.TYPE.NAME."))
			return "", ds
		}
		e.index()
		if res, ok := e.declared["data."+typ+"."+name]; ok && res.Data {
			return res.Addr(), ds
		}
		ds.Append(diag.Errorf(&r, "Reference to an undeclared data block", "No data block data.%s.%s is declared. Check the name, or declare it.", typ, name))
		return "", ds
	}
	if _, ok := e.types.ResourceType(root); ok || e.declaresType(root) {
		name, ok := attrStep(tr)
		if !ok {
			ds.Append(diag.Errorf(&r, "Invalid reference", "Refer to a resource as %s.NAME.", root))
			return "", ds
		}
		e.index()
		if res, ok := e.declared[root+"."+name]; ok && !res.Data {
			return res.Addr(), ds
		}
		ds.Append(diag.Errorf(&r, "Reference to an undeclared resource", "No resource %s.%s is declared. Check the name, or declare it.", root, name))
		return "", ds
	}
	ds.Append(diag.Errorf(&r, "Unknown reference", "%q is not something a configuration can refer to. Use var.NAME, local.NAME, each.key, each.value or TYPE.NAME.ATTRIBUTE.", root))
	return "", ds
}

func (e *evaluator) declaresType(t string) bool {
	e.index()
	return e.declaredTypes[t]
}

func attrStep(tr hcl.Traversal) (string, bool) {
	if len(tr) < 2 {
		return "", false
	}
	a, ok := tr[1].(hcl.TraverseAttr)
	return a.Name, ok
}

func (e *evaluator) ctx() *hcl.EvalContext {
	byType := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for addr, v := range e.resources {
		m := byType
		if rest, ok := strings.CutPrefix(addr, "data."); ok {
			m, addr = data, rest
		}
		t, name, _ := strings.Cut(addr, ".")
		if m[t] == nil {
			m[t] = map[string]cty.Value{}
		}
		m[t][name] = v
	}
	return e.evalContext(e.vars, e.locals, byType, data)
}

// ctxFor is the evaluation context of expressions whose references are refs: var, local, and
// only the resources and data blocks they name. Building the whole context (every resource
// evaluated so far) for each of ten thousand declarations made evaluation quadratic in their
// number. Variables and locals are narrowed the same way: a hundred thousand locals each built
// the object of all the others. A reference of another shape (a whole type, as in a for
// expression over it, or var or local on its own) gets the whole context.
func (e *evaluator) ctxFor(refs []hcl.Traversal) *hcl.EvalContext {
	byType := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	vars, locals := map[string]cty.Value{}, map[string]cty.Value{}
	for _, tr := range refs {
		root := tr.RootName()
		m, typ, name, addr := byType, root, "", ""
		switch root {
		case "var", "local":
			all, some := e.vars, vars
			if root == "local" {
				all, some = e.locals, locals
			}
			n := stepName(tr, 1)
			if n == "" {
				return e.ctx()
			}
			if v, ok := all[n]; ok {
				some[n] = v
			}
			continue
		case "each":
			continue
		case "data":
			m = data
			typ, name = stepName(tr, 1), stepName(tr, 2)
			addr = "data." + typ + "." + name
		default:
			name = stepName(tr, 1)
			addr = typ + "." + name
		}
		if typ == "" || name == "" {
			return e.ctx()
		}
		v, ok := e.resources[addr]
		if !ok {
			continue
		}
		if m[typ] == nil {
			m[typ] = map[string]cty.Value{}
		}
		m[typ][name] = v
	}
	return e.evalContext(vars, locals, byType, data)
}

// evalContext is the context holding the variables, locals, resources (by type, then name) and
// data blocks given.
func (e *evaluator) evalContext(vs, locals map[string]cty.Value, byType, data map[string]map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(vs),
		"local": cty.ObjectVal(locals),
	}
	for t, m := range byType {
		vars[t] = cty.ObjectVal(m)
	}
	if len(data) > 0 {
		dv := map[string]cty.Value{}
		for t, m := range data {
			dv[t] = cty.ObjectVal(m)
		}
		vars["data"] = cty.ObjectVal(dv)
	}
	return &hcl.EvalContext{Variables: vars, Functions: evalFunctions()}
}

// evalFunctions is Functions, built once: every declaration's context holds them.
var evalFunctions = sync.OnceValue(Functions)

// stepName is the name of a traversal's i-th step when it is an attribute, else "".
func stepName(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

func (e *evaluator) evalNode(n node, ev *Evaluated) diag.Diagnostics {
	var ds diag.Diagnostics
	if n.local != nil {
		v, hd := n.local.Expr.Value(e.ctxFor(n.local.Expr.Variables()))
		ds.Append(hd)
		if hd.HasErrors() {
			v = cty.DynamicVal
		}
		e.locals[n.local.Name] = v
		return ds
	}
	res := n.res
	t, ok := e.typeOf(res)
	if !ok {
		r := res.TypeRange
		if res.Data {
			var names []string
			if d, ok := e.types.(DataTypeLookup); ok {
				names = d.DataSourceTypeNames()
			}
			ds.Append(diag.Errorf(&r, "Unknown data source", "exoform has no data source %q%s. The data sources are: %s.", res.Type, suggest(res.Type, names), strings.Join(names, ", ")))
			return ds
		}
		ds.Append(diag.Errorf(&r, "Unknown resource type", "exoform has no resource type %q%s. The types are: %s.", res.Type, suggest(res.Type, e.types.ResourceTypeNames()), strings.Join(e.types.ResourceTypeNames(), ", ")))
		return ds
	}
	if res.Data {
		return e.evalData(res, t)
	}
	deps := e.dependsOn(res)
	ctx := e.ctxFor(e.references(n))
	if res.ForEach == nil {
		inst, d := e.instance(res, t, res.Addr(), ctx)
		ds.Append(d)
		if inst != nil {
			inst.DependsOn = deps
			ev.Instances = append(ev.Instances, inst)
			rv, d := e.withComputed(inst)
			ds.Append(d)
			e.resources[res.Addr()] = rv
		} else {
			e.resources[res.Addr()] = cty.DynamicVal
		}
		return ds
	}
	fe, hd := res.ForEach.Value(ctx)
	ds.Append(hd)
	if hd.HasErrors() {
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	r := res.ForEach.Range()
	if hasMark(fe, unreadMark{}) {
		e.resources[res.Addr()] = unread // the failed read is reported where it was needed
		return ds
	}
	if !fe.IsWhollyKnown() && e.live == nil {
		// Offline, for_each over a data block's answer cannot be expanded; nothing to check.
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	if hasMark(fe, deferredMark{}) {
		ds.Append(diag.Errorf(&r, "for_each depends on a value known only after apply", "for_each keys become resource addresses, so they must be known when planning. Use a literal or a variable for the keys."))
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	if fe.ContainsMarked() {
		ds.Append(diag.Errorf(&r, "Sensitive value in for_each", "for_each keys become resource addresses and appear in plans and output, so they cannot come from a sensitive variable. Use a non-sensitive value for the keys."))
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	ty := fe.Type()
	if fe.IsNull() || !fe.IsWhollyKnown() || !(ty.IsMapType() || ty.IsObjectType() || (ty.IsSetType() && ty.ElementType() == cty.String)) {
		ds.Append(diag.Errorf(&r, "Invalid for_each", "for_each must be a map, or a set of strings (use toset([...]) for a list)."))
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	all := map[string]cty.Value{}
	for it := fe.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if ty.IsSetType() {
			k = v
		}
		if k.IsNull() {
			ds.Append(diag.Errorf(&r, "Invalid for_each", "for_each contains null. Every key must be a string."))
			continue
		}
		key := k.AsString()
		c := ctx.NewChild()
		c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": v})}
		inst, d := e.instance(res, t, fmt.Sprintf("%s[%q]", res.Addr(), key), c)
		ds.Append(d)
		if inst != nil {
			inst.DependsOn = deps
			inst.forEachKey = key
			ev.Instances = append(ev.Instances, inst)
			rv, d := e.withComputed(inst)
			ds.Append(d)
			all[key] = rv
		}
	}
	// A map, so that length(), keys() and values() work on it as users expect.
	if len(all) == 0 {
		e.resources[res.Addr()] = cty.MapValEmpty(t.ObjectType())
	} else {
		e.resources[res.Addr()] = cty.MapVal(all)
	}
	return ds
}

func (e *evaluator) dependsOn(res *Resource) []string {
	set := map[string]bool{}
	for _, tr := range e.references(node{res: res}) {
		if dep, _ := e.refTarget(tr, node{res: res}); dep != "" && !strings.HasPrefix(dep, "local.") {
			set[dep] = true
		}
	}
	for _, tr := range res.DependsOn {
		if dep, _ := e.refTarget(tr, node{res: res}); dep != "" {
			set[dep] = true
		}
	}
	// A resource that reads a local depends on whatever that local reads.
	for _, tr := range e.references(node{res: res}) {
		if dep, _ := e.refTarget(tr, node{res: res}); strings.HasPrefix(dep, "local.") {
			e.localDeps(e.cfg.Locals[strings.TrimPrefix(dep, "local.")], set, map[string]bool{})
		}
	}
	delete(set, res.Addr())
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func (e *evaluator) localDeps(l *Local, set, seen map[string]bool) {
	if l == nil || seen[l.Name] {
		return
	}
	seen[l.Name] = true
	for _, tr := range l.Expr.Variables() {
		dep, _ := e.refTarget(tr, node{local: l})
		switch {
		case strings.HasPrefix(dep, "local."):
			e.localDeps(e.cfg.Locals[strings.TrimPrefix(dep, "local.")], set, seen)
		case dep != "":
			set[dep] = true
		}
	}
}

func attrSpec(attrs []*Attribute) hcldec.ObjectSpec {
	obj := hcldec.ObjectSpec{}
	for _, a := range attrs {
		if a.Nested != nil {
			obj[a.Name] = &hcldec.BlockSetSpec{TypeName: a.Name, Nested: attrSpec(a.Nested)}
			continue
		}
		obj[a.Name] = &hcldec.AttrSpec{Name: a.Name, Type: a.Type, Required: a.Required}
	}
	return obj
}

func (e *evaluator) instance(res *Resource, t *ResourceType, addr string, ctx *hcl.EvalContext) (*Instance, diag.Diagnostics) {
	var ds diag.Diagnostics
	ds.Append(refuseComputed(res.Body, t))
	if ds.HasErrors() {
		return nil, ds
	}
	sp := e.spec(t)
	v, hd := hcldec.Decode(res.Body, sp, ctx)
	ds.Append(hd)
	if hd.HasErrors() || ds.HasErrors() {
		return nil, ds
	}
	inst := &Instance{Addr: addr, Resource: res, Type: t, AttrRanges: map[string]hcl.Range{}}
	rangeOf := e.sourceRanges(res.Body, t)
	attrs := map[string]cty.Value{}
	for _, a := range t.Attributes {
		if a.Computed {
			attrs[a.Name] = cty.NullVal(a.Type)
			continue
		}
		av := v.GetAttr(a.Name)
		r := rangeOf(a.Name)
		if !av.IsNull() || r != res.Body.MissingItemRange() {
			inst.AttrRanges[a.Name] = r
		}
		av, d := e.attrValue(a, av, r)
		ds.Append(d)
		if av == cty.NilVal {
			attrs[a.Name] = cty.NullVal(a.Type)
			continue
		}
		if a.Required && av.IsNull() {
			ds.Append(diag.Errorf(&r, "Missing value for "+a.Name, "%s is required and cannot be null. Give it a value.", a.Name))
		}
		av = a.Canonical(av)
		for _, p := range a.checkElements(av) {
			er := elementRange(res.Body, a.Name, p.bad, ctx, r)
			ds.Append(diag.Errorf(&er, "Invalid value for "+a.Name, "%s", p.msg))
		}
		if a.Nested != nil && !av.IsNull() {
			av, d = checkBlocks(a, av, r)
			ds.Append(d)
		}
		attrs[a.Name] = av
	}
	obj, err := convert.Convert(cty.ObjectVal(attrs), t.ObjectType())
	if err != nil {
		r := res.DeclRange
		ds.Append(diag.Errorf(&r, "Invalid resource", "%s.", err))
		return nil, ds
	}
	inst.Value = obj
	if !ds.HasErrors() && t.Check != nil {
		for _, p := range t.Check(obj) {
			sev := diag.Error
			if p.Warning {
				sev = diag.Warning
			}
			ds.Append(diag.Diagnostic{Severity: sev, Summary: p.Summary, Detail: p.Detail, Subject: inst.Range(p.Attr), Address: addr})
		}
	}
	if res.Lifecycle.AllowDestroy && !t.DataBearing {
		r := res.Lifecycle.AllowDestroyRange
		ds.Append(diag.Errorf(&r, "allow_destroy is not used by "+t.Name, "allow_destroy opts in to deleting objects that hold data (mailboxes); %s objects are deleted without it. Remove the line.", t.Name))
	}
	if (res.Lifecycle.AllowDestroy || res.Lifecycle.PreventDestroy) && t.Kind == Setting {
		r := res.DeclRange
		ds.Append(diag.Errorf(&r, "Lifecycle setting not used by "+t.Name, "%s holds settings of an object exoform never creates or deletes, so prevent_destroy and allow_destroy do not apply. Remove them.", t.Name))
	}
	for _, name := range res.Lifecycle.IgnoreChanges {
		if t.Attribute(name) == nil {
			r := res.Lifecycle.IgnoreChangesRange[name]
			ds.Append(diag.Errorf(&r, "Unknown attribute in ignore_changes", "%s has no attribute %q%s.", t.Name, name, suggest(name, attrNames(t))))
		}
	}
	if ds.HasErrors() {
		return nil, ds
	}
	return inst, ds
}

// refuseComputed reports computed attributes set in a block: the service sets them.
func refuseComputed(body hcl.Body, t *ResourceType) diag.Diagnostics {
	var ds diag.Diagnostics
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return ds
	}
	for _, a := range t.Attributes {
		if attr, set := sb.Attributes[a.Name]; set && a.Computed {
			r := attr.NameRange
			ds.Append(diag.Errorf(&r, a.Name+" cannot be configured", "%s is set by the service when the object is created. Remove the line; other blocks can refer to it as %s.NAME.%s.", a.Name, t.Name, a.Name))
		}
	}
	return ds
}

// attrValue checks the marks and knownness of one configured value and returns it unmarked,
// or cty.NilVal when it cannot be used (offline, a value only the tenant knows).
func (e *evaluator) attrValue(a *Attribute, av cty.Value, r hcl.Range) (cty.Value, diag.Diagnostics) {
	var ds diag.Diagnostics
	av, pvms := av.UnmarkDeepWithPaths()
	sensitive, deferred := false, false
	for _, pm := range pvms {
		if _, ok := pm.Marks[unreadMark{}]; ok {
			return cty.NilVal, ds // the failed read is reported where it was needed
		}
		if _, ok := pm.Marks[sensitiveMark{}]; ok {
			sensitive = true
		}
		if _, ok := pm.Marks[deferredMark{}]; ok {
			deferred = true
		}
	}
	if sensitive && !a.Sensitive {
		ds.Append(diag.Errorf(&r, "Sensitive value in a non-sensitive attribute",
			"%s comes from a sensitive variable, but %s is stored and shown in clear text in the tenant and in plans. Use a non-sensitive variable here.", a.Name, a.Name))
	}
	if !av.IsWhollyKnown() {
		if e.live == nil {
			return cty.NilVal, ds // offline: what a data block answers is checked when planning
		}
		ds.Append(diag.Errorf(&r, "Value not known", "%s depends on a value that is not known until apply. Use a literal, a variable or a configured attribute.", a.Name))
		return cty.NilVal, ds
	}
	// A null element in a multi-valued property is a user error, not an empty string.
	if a.IsSet() && !av.IsNull() {
		for it := av.ElementIterator(); it.Next(); {
			if _, el := it.Element(); el.IsNull() {
				ds.Append(diag.Errorf(&r, "Null element", "%s contains null. Remove it from the list.", a.Name))
			}
		}
	}
	// A placeholder may only be used as it is: one that went through a function or template
	// would not be the value apply fills in, and one typed by hand refers to nothing.
	bad := false
	for _, pm := range pvms {
		if _, ok := pm.Marks[deferredMark{}]; !ok {
			continue
		}
		pv, err := pm.Path.Apply(av)
		switch {
		case err != nil || pv.IsNull():
			bad = true
		case pv.Type() == cty.String:
			bad = bad || !IsPlaceholder(pv.AsString())
		default:
			// cty keeps the marks of a set's elements on the set: check its strings.
			_ = cty.Walk(pv, func(_ cty.Path, v cty.Value) (bool, error) {
				if !v.IsNull() && v.IsKnown() && v.Type() == cty.String && strings.ContainsAny(v.AsString(), "⟪⟫") && !IsPlaceholder(v.AsString()) {
					bad = true
				}
				return true, nil
			})
		}
	}
	_ = cty.Walk(av, func(_ cty.Path, v cty.Value) (bool, error) {
		if !v.IsNull() && v.IsKnown() && v.Type() == cty.String && HasPlaceholder(v.AsString()) && !deferred {
			bad = true
		}
		return true, nil
	})
	if bad {
		ds.Append(diag.Errorf(&r, "Value known only after apply", "%s uses a value that exists only once another object of this plan is created, inside a function or a template. "+
			"Such a value can only be used as it is (%s = TYPE.NAME.ATTRIBUTE, or as an element of a list); apply once, or write the value itself.", a.Name, a.Name))
		return cty.NilVal, ds
	}
	return av, ds
}

// checkBlocks applies the rules of a repeatable block's attributes to every block.
func checkBlocks(a *Attribute, v cty.Value, r hcl.Range) (cty.Value, diag.Diagnostics) {
	var ds diag.Diagnostics
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, blk := it.Element()
		attrs := map[string]cty.Value{}
		for _, n := range a.Nested {
			nv := n.Canonical(blk.GetAttr(n.Name))
			if n.Required && nv.IsNull() {
				ds.Append(diag.Errorf(&r, "Missing value for "+n.Name, "Each %s block needs %s.", a.Name, n.Name))
			}
			for _, p := range n.checkElements(nv) {
				ds.Append(diag.Errorf(&r, "Invalid value for "+n.Name, "In a %s block: %s", a.Name, p.msg))
			}
			attrs[n.Name] = nv
		}
		out = append(out, cty.ObjectVal(attrs))
	}
	if len(out) == 0 {
		return v, ds
	}
	return cty.SetVal(out), ds
}

// withComputed is the value other blocks see for an instance: its configured attributes and
// its computed ones, read from the tenant when the object exists, else placeholders.
func (e *evaluator) withComputed(inst *Instance) (cty.Value, diag.Diagnostics) {
	var ds diag.Diagnostics
	var computed []*Attribute
	for _, a := range inst.Type.Attributes {
		if a.Computed {
			computed = append(computed, a)
		}
	}
	if len(computed) == 0 {
		return markPlaceholders(inst.Value), ds
	}
	var live cty.Value
	found := false
	if key := inst.Key(); e.live != nil && !HasPlaceholder(key) {
		var err error
		live, found, err = e.live.Lookup(inst.Type, key)
		if err != nil {
			ds.Append(diag.Errorf(inst.KeyRange(), "Cannot read the live "+inst.Type.Name+" objects", "%s\n\nexoform plans nothing from a failed read. Check the connection and the app's permissions, then run the command again.", err))
			return unread, ds
		}
	}
	attrs := markPlaceholders(inst.Value).AsValueMap()
	for _, a := range computed {
		switch {
		case found && !live.GetAttr(a.Name).IsNull():
			attrs[a.Name] = live.GetAttr(a.Name)
		case a.Type == cty.String:
			attrs[a.Name] = cty.StringVal(Placeholder(inst.Addr, a.Name)).Mark(deferredMark{})
		default:
			attrs[a.Name] = cty.UnknownVal(a.Type)
		}
	}
	return cty.ObjectVal(attrs), ds
}

// evalData evaluates a data block: its query attributes, then the tenant's answer.
func (e *evaluator) evalData(res *Resource, t *ResourceType) diag.Diagnostics {
	inst, ds := e.instance(res, t, res.Addr(), e.ctxFor(e.references(node{res: res})))
	if inst == nil {
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	if e.live == nil {
		e.resources[res.Addr()] = cty.UnknownVal(t.ObjectType())
		return ds
	}
	if hasPlaceholder(inst.Value) {
		r := res.DeclRange
		ds.Append(diag.Errorf(&r, "Data block depends on a value known only after apply", "%s looks up an object by a value that exists only once another object of this plan is created. Refer to that object's attributes directly instead of looking it up.", res.Addr()))
		e.resources[res.Addr()] = cty.DynamicVal
		return ds
	}
	v, err := e.live.Query(t, inst.Value)
	if err != nil {
		r := res.DeclRange
		ds.Append(diag.Errorf(&r, "Cannot read "+res.Addr(), "%s", err))
		v = unread
	}
	e.resources[res.Addr()] = v
	return ds
}

// markPlaceholders marks the placeholders a configured value took from another object, so
// that a reference through it is held to the same rule as a direct one.
func markPlaceholders(v cty.Value) cty.Value {
	out, _ := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsNull() && v.IsKnown() && v.Type() == cty.String && IsPlaceholder(v.AsString()) {
			return v.Mark(deferredMark{}), nil
		}
		return v, nil
	})
	return out
}

func hasPlaceholder(v cty.Value) bool {
	found := false
	_ = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if !v.IsNull() && v.IsKnown() && v.Type() == cty.String && HasPlaceholder(v.AsString()) {
			found = true
		}
		return !found, nil
	})
	return found
}

// unreadMark marks the value of an object or data block whose read failed: the failure is
// reported once, where the read was needed, and the values that depend on it are left out
// without a second, misleading error ("Value not known") at every reference.
type unreadMark struct{}

var unread = cty.DynamicVal.Mark(unreadMark{})

func hasMark(v cty.Value, m any) bool {
	_, pvms := v.UnmarkDeepWithPaths()
	for _, pm := range pvms {
		if _, ok := pm.Marks[m]; ok {
			return true
		}
	}
	return false
}

// evalOutputs evaluates the output blocks after everything they can refer to.
func (e *evaluator) evalOutputs(ev *Evaluated) diag.Diagnostics {
	var ds diag.Diagnostics
	ctx := e.ctx()
	for _, o := range e.cfg.Outputs {
		bad := false
		for _, tr := range o.Expr.Variables() {
			if tr.RootName() == "each" {
				r := tr.SourceRange()
				ds.Append(diag.Errorf(&r, "each is not available here", "each.key and each.value exist only inside a resource that has for_each."))
				bad = true
				continue
			}
			_, d := e.refTarget(tr, node{})
			ds.Append(d)
			bad = bad || d.HasErrors()
		}
		if bad {
			continue
		}
		v, hd := o.Expr.Value(ctx)
		ds.Append(hd)
		if hd.HasErrors() {
			continue
		}
		r := o.Expr.Range()
		if hasMark(v, unreadMark{}) {
			continue // the failed read is reported where it was needed
		}
		if hasMark(v, sensitiveMark{}) && !o.Sensitive {
			ds.Append(diag.Errorf(&r, "Output refers to sensitive values", "The output %q would print a value that comes from a sensitive variable. Set sensitive = true in the output block to hide it, or output something else.", o.Name))
			continue
		}
		if !v.IsWhollyKnown() {
			if e.live == nil {
				continue // offline: it depends on a data block
			}
			ds.Append(diag.Errorf(&r, "Output value not known", "The value of output %q is not known until apply.", o.Name))
			continue
		}
		v, _ = v.UnmarkDeep()
		ev.Outputs = append(ev.Outputs, OutputValue{Name: o.Name, Description: o.Description, Sensitive: o.Sensitive, Value: v})
	}
	return ds
}

// elementRange narrows a problem with one element of a list literal to that element, so a
// diagnostic in a long multi-line list points at the offending line.
func elementRange(body hcl.Body, attr, bad string, ctx *hcl.EvalContext, whole hcl.Range) hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return whole
	}
	a, ok := sb.Attributes[attr]
	if !ok {
		return whole
	}
	tuple, ok := a.Expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return whole
	}
	for _, e := range tuple.Exprs {
		v, hd := e.Value(ctx)
		if hd.HasErrors() || v.IsMarked() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			continue
		}
		if v.AsString() == bad {
			return e.Range()
		}
	}
	return whole
}

func (e *evaluator) tenant(ev *Evaluated, in Inputs) diag.Diagnostics {
	var ds diag.Diagnostics
	if e.cfg.Tenant == nil {
		if in.Getenv != nil {
			ev.TenantID = in.Getenv("AZURE_TENANT_ID")
		}
		return ds
	}
	v, hd := e.cfg.Tenant.ID.Value(e.ctx())
	ds.Append(hd)
	if hd.HasErrors() {
		return ds
	}
	v, _ = v.Unmark()
	r := e.cfg.Tenant.ID.Range()
	if !v.IsWhollyKnown() {
		return ds // an error in what it refers to was reported already
	}
	if v.IsNull() || v.Type() != cty.String || !ValidTenant(v.AsString()) {
		ds.Append(diag.Errorf(&r, "Invalid tenant id", "The tenant id must be the tenant's GUID or its initial domain (for example contoso.onmicrosoft.com)."))
		return ds
	}
	ev.TenantID = v.AsString()
	return ds
}

// checkKeys refuses two instances of one type that name the same object.
func checkKeys(insts []*Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	seen := map[string]*Instance{}
	for _, in := range insts {
		k := in.Key()
		if k == "" && !in.Type.Singleton() {
			continue
		}
		id := in.Type.Name + "\x00" + strings.ToLower(k)
		if prev, ok := seen[id]; ok {
			what := fmt.Sprintf("the %s %q", strings.Join(in.Type.Keys, " and "), k)
			if in.Type.Singleton() {
				what = "the tenant's one " + in.Type.Name
			}
			ds.Append(diag.Errorf(in.KeyRange(), "Duplicate "+in.Type.Name,
				"%s and %s both declare %s. Each object may be declared once.", prev.Addr, in.Addr, what))
			continue
		}
		seen[id] = in
	}
	return ds
}

func attrNames(t *ResourceType) []string {
	out := make([]string, len(t.Attributes))
	for i, a := range t.Attributes {
		out[i] = a.Name
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns ` (did you mean "x"?)` for the closest candidate, or "".
func suggest(given string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		d := levenshtein.Distance(given, c, nil)
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > 3 || bestDist > len(given)/2+1 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
