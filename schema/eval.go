package schema

import (
	"fmt"
	"sort"
	"strings"

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
	e := &evaluator{cfg: cfg, types: types, vars: vars, locals: map[string]cty.Value{}, resources: map[string]cty.Value{}}
	order, gd := e.graph()
	ds.Append(gd)
	if gd.HasErrors() {
		return ev, ds
	}
	for _, n := range order {
		ds.Append(e.evalNode(n, ev))
	}
	if !ds.HasErrors() {
		ds.Append(e.evalOutputs(ev))
	}
	ds.Append(e.tenant(ev, in))
	ds.Append(checkKeys(ev.Instances))
	if cc, ok := types.(ConfigChecker); ok && !ds.HasErrors() {
		ds.Append(cc.CheckConfig(ev.Instances))
	}
	ds.Sort()
	return ev, ds
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
	resources map[string]cty.Value // by address
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

func (e *evaluator) references(n node) []hcl.Traversal {
	if n.local != nil {
		return n.local.Expr.Variables()
	}
	var out []hcl.Traversal
	if n.res.ForEach != nil {
		out = append(out, n.res.ForEach.Variables()...)
	}
	if t, ok := e.types.ResourceType(n.res.Type); ok {
		out = append(out, hcldec.Variables(n.res.Body, spec(t))...)
	}
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
	}
	if _, ok := e.types.ResourceType(root); ok || e.declaresType(root) {
		name, ok := attrStep(tr)
		if !ok {
			ds.Append(diag.Errorf(&r, "Invalid reference", "Refer to a resource as %s.NAME.", root))
			return "", ds
		}
		for _, res := range e.cfg.Resources {
			if res.Type == root && res.Name == name {
				return res.Addr(), ds
			}
		}
		ds.Append(diag.Errorf(&r, "Reference to an undeclared resource", "No resource %s.%s is declared. Check the name, or declare it.", root, name))
		return "", ds
	}
	ds.Append(diag.Errorf(&r, "Unknown reference", "%q is not something a configuration can refer to. Use var.NAME, local.NAME, each.key, each.value or TYPE.NAME.ATTRIBUTE.", root))
	return "", ds
}

func (e *evaluator) declaresType(t string) bool {
	for _, r := range e.cfg.Resources {
		if r.Type == t {
			return true
		}
	}
	return false
}

func attrStep(tr hcl.Traversal) (string, bool) {
	if len(tr) < 2 {
		return "", false
	}
	a, ok := tr[1].(hcl.TraverseAttr)
	return a.Name, ok
}

func (e *evaluator) ctx() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(e.vars),
		"local": cty.ObjectVal(e.locals),
	}
	byType := map[string]map[string]cty.Value{}
	for addr, v := range e.resources {
		t, name, _ := strings.Cut(addr, ".")
		if byType[t] == nil {
			byType[t] = map[string]cty.Value{}
		}
		byType[t][name] = v
	}
	for t, m := range byType {
		vars[t] = cty.ObjectVal(m)
	}
	return &hcl.EvalContext{Variables: vars, Functions: Functions()}
}

func (e *evaluator) evalNode(n node, ev *Evaluated) diag.Diagnostics {
	var ds diag.Diagnostics
	if n.local != nil {
		v, hd := n.local.Expr.Value(e.ctx())
		ds.Append(hd)
		if hd.HasErrors() {
			v = cty.DynamicVal
		}
		e.locals[n.local.Name] = v
		return ds
	}
	res := n.res
	t, ok := e.types.ResourceType(res.Type)
	if !ok {
		r := res.TypeRange
		ds.Append(diag.Errorf(&r, "Unknown resource type", "exoform has no resource type %q%s. The types are: %s.", res.Type, suggest(res.Type, e.types.ResourceTypeNames()), strings.Join(e.types.ResourceTypeNames(), ", ")))
		return ds
	}
	deps := e.dependsOn(res)
	ctx := e.ctx()
	if res.ForEach == nil {
		inst, d := e.instance(res, t, res.Addr(), ctx)
		ds.Append(d)
		if inst != nil {
			inst.DependsOn = deps
			ev.Instances = append(ev.Instances, inst)
			e.resources[res.Addr()] = inst.Value
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
			ev.Instances = append(ev.Instances, inst)
			all[key] = inst.Value
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

func spec(t *ResourceType) hcldec.Spec {
	obj := hcldec.ObjectSpec{}
	for _, a := range t.Attributes {
		obj[a.Name] = &hcldec.AttrSpec{Name: a.Name, Type: a.Type, Required: a.Required}
	}
	return obj
}

func (e *evaluator) instance(res *Resource, t *ResourceType, addr string, ctx *hcl.EvalContext) (*Instance, diag.Diagnostics) {
	var ds diag.Diagnostics
	sp := spec(t)
	v, hd := hcldec.Decode(res.Body, sp, ctx)
	ds.Append(hd)
	if hd.HasErrors() {
		return nil, ds
	}
	inst := &Instance{Addr: addr, Resource: res, Type: t, AttrRanges: map[string]hcl.Range{}}
	attrs := map[string]cty.Value{}
	for _, a := range t.Attributes {
		av := v.GetAttr(a.Name)
		r := hcldec.SourceRange(res.Body, sp.(hcldec.ObjectSpec)[a.Name])
		if !av.IsNull() || r != res.Body.MissingItemRange() {
			inst.AttrRanges[a.Name] = r
		}
		if av.ContainsMarked() {
			if !a.Sensitive {
				ds.Append(diag.Errorf(&r, "Sensitive value in a non-sensitive attribute",
					"%s comes from a sensitive variable, but %s is stored and shown in clear text in the tenant and in plans. Use a non-sensitive variable here.", a.Name, a.Name))
			}
			av, _ = av.UnmarkDeep()
		}
		if !av.IsWhollyKnown() {
			ds.Append(diag.Errorf(&r, "Value not known", "%s depends on a value that is not known until apply. Use a literal, a variable or a configured attribute.", a.Name))
			continue
		}
		if a.Required && av.IsNull() {
			ds.Append(diag.Errorf(&r, "Missing value for "+a.Name, "%s is required and cannot be null. Give it a value.", a.Name))
		}
		// A null element in a multi-valued property is a user error, not an empty string.
		if a.IsSet() && !av.IsNull() {
			for it := av.ElementIterator(); it.Next(); {
				if _, el := it.Element(); el.IsNull() {
					ds.Append(diag.Errorf(&r, "Null element", "%s contains null. Remove it from the list.", a.Name))
				}
			}
		}
		av = a.Canonical(av)
		for _, p := range a.checkElements(av) {
			er := elementRange(res.Body, a.Name, p.bad, ctx, r)
			ds.Append(diag.Errorf(&er, "Invalid value for "+a.Name, "%s", p.msg))
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
		if v.ContainsMarked() && !o.Sensitive {
			ds.Append(diag.Errorf(&r, "Output refers to sensitive values", "The output %q would print a value that comes from a sensitive variable. Set sensitive = true in the output block to hide it, or output something else.", o.Name))
			continue
		}
		if !v.IsWhollyKnown() {
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
