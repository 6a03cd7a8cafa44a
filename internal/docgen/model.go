package docgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// FormatVersion is the format_version of the JSON form (docs/schema-json.md). It changes only
// when a field changes meaning or is removed; new fields may appear within a version.
const FormatVersion = "1"

// Reference is everything docgen knows about the types of one registry.
type Reference struct {
	FormatVersion string  `json:"format_version"`
	Resources     []*Type `json:"resources"`
	DataSources   []*Type `json:"data_sources"`
}

// Kinds of Type.Kind: schema.Kind's three for resources, and "data" for data sources.
const (
	KindOwned    = "owned"
	KindSetting  = "setting"
	KindDeclared = "declared"
	KindData     = "data"
)

// A Type is one resource type or data source.
type Type struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
	// Keys are the attributes that identify an object in the tenant; empty for a singleton (and
	// for a data source, which looks its object up by its query attributes).
	Keys        []string `json:"keys"`
	DataBearing bool     `json:"data_bearing"`
	// Lifecycle says what exoform does with the type's objects; NeverDeleted which objects it
	// never deletes, whatever the configuration says.
	Lifecycle    string       `json:"lifecycle"`
	NeverDeleted string       `json:"never_deleted"`
	Attributes   []*Attribute `json:"attributes"`
	Calls        []*Call      `json:"calls"`
	Example      *Example     `json:"example"`
}

// An Attribute is one attribute of a type, or of a block (Attributes).
type Attribute struct {
	Name string `json:"name"`
	// Type is the HCL type ("string", "bool", "number", "set(string)"), or "block" for a
	// repeatable nested block whose attributes are in Attributes.
	Type      string `json:"type"`
	Required  bool   `json:"required"`
	Optional  bool   `json:"optional"`
	Computed  bool   `json:"computed"`
	Key       bool   `json:"key"`
	Sensitive bool   `json:"sensitive"`
	ForceNew  bool   `json:"force_new"`
	FoldCase  bool   `json:"fold_case"`
	// TriState: a string that takes true, false or "inherit" (the service's $null).
	TriState bool     `json:"tri_state"`
	Enum     []string `json:"enum"`
	// Wire is the cmdlet parameter or Graph property the attribute sets; "" for an attribute
	// that only steers exoform (a secret's value_file).
	Wire        string       `json:"wire"`
	Description string       `json:"description"`
	Attributes  []*Attribute `json:"attributes,omitempty"`
}

// use is how a configuration uses the attribute: required, optional or computed, and whether
// it is part of the key.
func (a *Attribute) use() []string {
	u := []string{"optional"}
	switch {
	case a.Required:
		u[0] = "required"
	case a.Computed:
		u[0] = "computed"
	}
	if a.Key {
		u = append(u, "key")
	}
	return u
}

// rules are the rules of the attribute's values and changes, as phrases; code writes a value
// as the rendering shows literal values.
func (a *Attribute) rules(code func(string) string) []string {
	var r []string
	switch {
	case a.TriState:
		r = append(r, "one of "+code("true")+", "+code("false")+" and "+code(`"inherit"`))
	case len(a.Enum) > 0:
		q := make([]string, len(a.Enum))
		for i, e := range a.Enum {
			q[i] = code(e)
		}
		r = append(r, "one of "+strings.Join(q, ", "))
	}
	if a.FoldCase {
		r = append(r, "compared case-insensitively")
	}
	if a.ForceNew {
		r = append(r, "changing it replaces the object")
	}
	if a.Sensitive {
		r = append(r, "sensitive: never shown or saved")
	}
	return r
}

// A Call is one cmdlet or Graph request a type sends, and what for.
type Call struct {
	Service  string   `json:"service"` // "exchange" or "graph"
	Name     string   `json:"name"`
	Purposes []string `json:"purposes"`
}

// An Example is one block of the type, formatted by hclwrite, and the file it comes from.
type Example struct {
	Source string `json:"source"` // relative to the repository's root
	HCL    string `json:"hcl"`
}

// Build makes the reference of every type the registry holds. Every type must describe its
// calls and have an example: an error names the ones that do not, since a reference without
// them would be incomplete.
func Build(reg *providers.Registry) (*Reference, error) {
	ex, err := loadExamples()
	if err != nil {
		return nil, err
	}
	ref := &Reference{FormatVersion: FormatVersion, Resources: []*Type{}, DataSources: []*Type{}}
	var problems []string
	for _, name := range reg.ResourceTypeNames() {
		res, _ := reg.Resource(name)
		t, err := newType(res.Type(), res, ex.find("resource", name))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		ref.Resources = append(ref.Resources, t)
	}
	for _, name := range reg.DataSourceTypeNames() {
		d, _ := reg.DataSource(name)
		t, err := newType(d.Type(), d, ex.find("data", name))
		if err != nil {
			problems = append(problems, "data "+err.Error())
			continue
		}
		t.Kind, t.Keys = KindData, []string{}
		t.Lifecycle = "A data block only reads the tenant: it never changes anything."
		t.NeverDeleted = "Anything: a data block never changes the tenant."
		ref.DataSources = append(ref.DataSources, t)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("docgen: %s", strings.Join(problems, "; "))
	}
	return ref, nil
}

// newType describes one type; impl is its Resource or DataSource, which must describe its calls.
func newType(st *schema.ResourceType, impl any, ex *Example) (*Type, error) {
	d, ok := impl.(providers.APIDescriber)
	if !ok {
		return nil, fmt.Errorf("%s does not describe its calls (providers.APIDescriber)", st.Name)
	}
	if ex == nil {
		return nil, fmt.Errorf("%s has no example: no block of it in examples/*/*.exo.hcl or internal/docgen/examples", st.Name)
	}
	t := &Type{
		Name: st.Name, Description: st.Description, Keys: append([]string{}, st.Keys...), DataBearing: st.DataBearing,
		Attributes: attributes(st, st.Attributes), Calls: []*Call{}, Example: ex,
	}
	t.Kind, t.Lifecycle, t.NeverDeleted = lifecycle(st)
	for _, c := range d.Calls() {
		call := &Call{Service: string(c.Service), Name: c.Name, Purposes: []string{}}
		for _, p := range c.Purposes {
			call.Purposes = append(call.Purposes, string(p))
		}
		t.Calls = append(t.Calls, call)
	}
	return t, nil
}

// lifecycle states a resource type's ownership rules (design principle 1).
func lifecycle(st *schema.ResourceType) (kind, does, never string) {
	switch st.Kind {
	case schema.Setting:
		return KindSetting,
			"exoform only changes its settings; it never creates or deletes it, and removing the declaration stops managing them.",
			"Every object of the type: removing the declaration stops managing its settings."
	case schema.Declared:
		return KindDeclared,
			"exoform creates and updates it, but the object has no field for an ownership marker, so exoform never deletes it: removing the declaration stops managing it.",
			"Every object of the type: without an ownership marker exoform cannot tell its own from others', so removing the declaration stops managing it."
	}
	does = "exoform creates it, adopts an existing one, and deletes it when its declaration is removed and it carries this workspace's ownership marker."
	never = "An object without this workspace's ownership marker (made by hand or by another workspace), or whose marker says prevent_destroy."
	if st.DataBearing {
		does += " It holds data: deleting it also needs `lifecycle { allow_destroy = true }`, applied before the declaration is removed."
		never = "An object without this workspace's ownership marker (made by hand or by another workspace), whose marker says prevent_destroy, or whose marker does not say allow_destroy: it holds data."
	}
	return KindOwned, does, never
}

func attributes(st *schema.ResourceType, attrs []*schema.Attribute) []*Attribute {
	out := make([]*Attribute, 0, len(attrs))
	for _, a := range attrs {
		at := &Attribute{
			Name: a.Name, Type: hclType(a.Type), Required: a.Required, Optional: !a.Required && !a.Computed, Computed: a.Computed,
			Key: st != nil && st.IsKey(a.Name), Sensitive: a.Sensitive, ForceNew: a.ForceNew, FoldCase: a.FoldCase,
			TriState: a.TriState, Enum: append([]string{}, a.Enum...), Wire: a.Wire, Description: a.Description,
		}
		if a.Nested != nil {
			// Keys are the type's own attributes; a block's attributes are never keys.
			at.Type, at.Attributes = "block", attributes(nil, a.Nested)
		}
		out = append(out, at)
	}
	return out
}

// hclType writes a type in HCL's type-constraint syntax.
func hclType(t cty.Type) string {
	switch {
	case t.IsSetType():
		return "set(" + hclType(t.ElementType()) + ")"
	case t.IsListType():
		return "list(" + hclType(t.ElementType()) + ")"
	case t.IsMapType():
		return "map(" + hclType(t.ElementType()) + ")"
	}
	return t.FriendlyNameForConstraint()
}

// Select keeps the types named, resources and data sources alike (a name may be both); no names
// keep everything. An unknown name is an error listing the names there are.
func (ref *Reference) Select(names []string) (*Reference, error) {
	if len(names) == 0 {
		return ref, nil
	}
	out := &Reference{FormatVersion: ref.FormatVersion, Resources: []*Type{}, DataSources: []*Type{}}
	pick := func(from []*Type, name string, to *[]*Type) bool {
		i := slices.IndexFunc(from, func(t *Type) bool { return t.Name == name })
		if i >= 0 && !slices.Contains(*to, from[i]) {
			*to = append(*to, from[i])
		}
		return i >= 0
	}
	for _, name := range names {
		res := pick(ref.Resources, name, &out.Resources)
		data := pick(ref.DataSources, name, &out.DataSources)
		if !res && !data {
			return nil, fmt.Errorf("exoform has no resource type or data source %q. The resource types are %s; the data sources are %s",
				name, typeNames(ref.Resources), typeNames(ref.DataSources))
		}
	}
	return out, nil
}

func typeNames(ts []*Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}
