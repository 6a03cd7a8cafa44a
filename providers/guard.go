package providers

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// A Guard tells a generated PowerShell script how to check, just before it makes a change,
// that the object is still as the plan saw it (the staleness rule of a saved plan), and how to
// recognise a change that an earlier run of the same script already made, so that running the
// script twice is safe.
//
// The script reads the object with Read, picks it out of the answer with List and Match, and
// compares the checked properties: all equal to Before means the change is still to be made,
// all equal to After means it was made; anything else stops the script. A Create expects no
// object before, a Delete none after.
type Guard struct {
	// Read is an Exchange Get- cmdlet or a Graph GET. Exchange's "couldn't be found" and
	// Graph's 404 read as no object; any other error stops the script.
	Read Operation
	// List names the property of the answer that holds a list of candidates (Graph's "value",
	// an application's "passwordCredentials"); "" when the answer itself is the object, or a list
	// of objects (Exchange cmdlets return lists).
	List string
	// Match picks the object among the candidates: each property equals its value,
	// ignoring case. With no Match the first candidate is the object.
	Match []Field
	// Checks compare properties of the object before and after the change.
	Checks []GuardCheck
	// Provides maps a property of the object to the placeholder reference of a value the
	// change's operations produce (entra_application.app.app_id): a run that finds the change
	// already made takes the value from the object, for the changes after it.
	Provides []Field
	// Lookups find the produced values that the object itself does not hold (the id of an
	// application's service principal), for the same case: each is read after Provides.
	Lookups []Lookup
	// Unchecked names attributes the guard does not compare, because reading them takes more
	// than the one request a guard makes or a resolution only exoform can do. The script lists
	// them, so that a reviewer knows what the guard does not cover.
	Unchecked []string
}

// A Lookup reads one value a skipped change would have produced: Read (which may use the
// values Provides gave), the first candidate of its answer (in List, as for a Guard), and its
// Property, which becomes the value of the placeholder reference Ref.
type Lookup struct {
	Read     Operation
	List     string
	Property string
	Ref      string
}

// A Field is a property name and a value.
type Field struct {
	Property string
	Value    string
}

// A GuardCheck compares one property of the object. Before and After are values of the kinds
// a Param holds (nil, bool, int64, string, []string).
type GuardCheck struct {
	Attr     string // the attribute, for the script's message
	Property string // the property of the object as the read returns it
	Before   any
	After    any
	Compare  Compare
}

// Compare says how a guard compares a property with a value.
type Compare uint8

const (
	// CompareExact compares strings case-sensitively, and numbers and booleans by value.
	CompareExact Compare = iota
	// CompareFold compares strings ignoring case.
	CompareFold
	// CompareSet compares lists as sets of strings, ignoring case and order; $null is the
	// empty set.
	CompareSet
	// CompareOwner compares the workspace that the ownership marker in a free-text property
	// names ("" when it carries none) with the value, a workspace name.
	CompareOwner
)

// A Guarder is a type whose changes a script can guard. Every type must be one: the script
// refuses to render a change it cannot guard.
type Guarder interface {
	Guard(c Change) (Guard, error)
}

// A Scoper names the delegated Graph permissions (OAuth scopes) an operation needs when an
// administrator sends it under their own account, for a script's Connect-MgGraph.
type Scoper interface {
	Scopes(op Operation) []string
}

// AttrChecks builds a guard's checks for the attributes of a type that map to a property of
// the read: Before is the plan's prior value, After the desired value where the change sets the
// attribute and the prior value elsewhere. property returns the property, the value's wire form
// and the comparison, or ok false for an attribute the guard leaves out. Sensitive attributes
// are never checked: their values must not appear in a script.
func AttrChecks(t *schema.ResourceType, c Change, property func(a *schema.Attribute) (prop string, wire func(cty.Value) any, cmp Compare, ok bool)) (checks []GuardCheck, unchecked []string) {
	set := map[string]bool{}
	for _, s := range c.Set {
		set[s] = true
	}
	for _, a := range t.Attributes {
		if a.Sensitive || a.Computed && !set[a.Name] {
			continue
		}
		prop, wire, cmp, ok := property(a)
		if !ok {
			unchecked = append(unchecked, a.Name)
			continue
		}
		var before, after cty.Value = cty.NullVal(a.Type), cty.NullVal(a.Type)
		if c.Prior != nil {
			before, after = c.Prior.Value.GetAttr(a.Name), c.Prior.Value.GetAttr(a.Name)
		}
		if c.Kind == Create || set[a.Name] {
			if d := c.Desired.GetAttr(a.Name); !d.IsNull() || set[a.Name] {
				after = d
			}
		}
		if c.Kind == Create {
			// Nothing to compare before a create; the check only recognises a second run.
			before = cty.NullVal(a.Type)
		}
		if c.Kind == Create && after.IsNull() {
			continue // not configured: the service's default, which the plan did not see
		}
		checks = append(checks, GuardCheck{Attr: a.Name, Property: prop, Before: wire(before), After: wire(after), Compare: cmp})
	}
	sort.Strings(unchecked)
	return checks, unchecked
}

// OwnerCheck is the check of the ownership marker a change writes into property.
func OwnerCheck(c Change, property string) GuardCheck {
	var before string
	if c.Prior != nil {
		before = c.Prior.Owner
	}
	after := before
	if c.Kind == Create || c.WriteMarker {
		after = c.Marker.Workspace
	}
	return GuardCheck{Attr: "ownership marker", Property: property, Before: before, After: after, Compare: CompareOwner}
}

// GuardState is what a guard finds: whether the object is as the plan saw it (Before), as the
// change leaves it (After), and the checks that match neither.
type GuardState struct {
	Before, After bool
	Mismatches    []string // attribute names
}

// Evaluate runs the guard's comparison over the decoded answer of its Read (JSON decoded into
// any, numbers as float64 or json.Number), the way the generated script's helper functions do.
// Tests use it to hold the guards of every type to what the simulated tenant answers; the
// script's PowerShell must keep to the same rules. pending: the object is created earlier in the
// same run, so any existing object is "before".
func (g Guard) Evaluate(kind ChangeKind, pending bool, answer any) GuardState {
	obj := g.Pick(answer)
	var st GuardState
	if obj == nil {
		st.Before = kind == Create
		st.After = kind == Delete
		return st
	}
	st.Before, st.After = kind != Create, kind != Delete
	if pending {
		st.Before = true
	}
	for _, c := range g.Checks {
		v := obj[c.Property]
		b, a := GuardValueEqual(c.Compare, v, c.Before), GuardValueEqual(c.Compare, v, c.After)
		if !pending {
			st.Before = st.Before && b
		}
		st.After = st.After && a
		if !pending && !b && !a {
			st.Mismatches = append(st.Mismatches, c.Attr)
		}
	}
	return st
}

// Pick is the object a guard takes from the decoded answer of its Read (or of a Lookup's):
// the first candidate whose Match properties equal, ignoring case; nil when there is none.
func (g Guard) Pick(answer any) map[string]any {
	var cands []any
	switch v := answer.(type) {
	case nil:
		return nil
	case []any:
		cands = v
	case map[string]any:
		if g.List != "" {
			l, _ := v[g.List].([]any)
			cands = l
		} else {
			cands = []any{v}
		}
	}
	for _, c := range cands {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		match := true
		for _, f := range g.Match {
			if !strings.EqualFold(scalarText(m[f.Property]), f.Value) {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// GuardValueEqual compares a property's value, as read, with a value of a check. $null, the
// empty string and the empty list are the same, as Exchange reports them interchangeably.
func GuardValueEqual(cmp Compare, actual, want any) bool {
	if cmp == CompareOwner {
		s, _ := actual.(string)
		_, m := SplitMarker(s)
		w, _ := want.(string)
		return m.Workspace == w
	}
	as, aList := textList(actual)
	ws, wList := textList(want)
	if cmp == CompareSet || aList || wList {
		if len(as) != len(ws) {
			return false
		}
		for i := range as {
			as[i], ws[i] = strings.ToLower(as[i]), strings.ToLower(ws[i])
		}
		sort.Strings(as)
		sort.Strings(ws)
		return slices.Equal(as, ws)
	}
	a, w := strings.Join(as, ""), strings.Join(ws, "")
	if _, isBool := want.(bool); isBool || cmp == CompareFold {
		return strings.EqualFold(a, w)
	}
	return a == w
}

// textList turns a value into the strings a script compares, and whether it was a list.
func textList(v any) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, false
	case []string:
		return slices.Clone(v), true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, scalarText(e))
		}
		return out, true
	}
	if s := scalarText(v); s != "" {
		return []string{s}, false
	}
	return nil, false
}

// scalarText is a scalar as PowerShell's [string] conversion writes it: True/False, integers
// without a fraction.
func scalarText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}
