package plan

import (
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// diffAttrs lists the attributes whose configured value differs from the live one. An attribute
// the configuration leaves null is not managed and never differs; ignored attributes neither.
func diffAttrs(t *schema.ResourceType, live, desired cty.Value, ignore []string) []AttrChange {
	var out []AttrChange
	for _, a := range t.Attributes {
		if t.IsKey(a.Name) || contains(ignore, a.Name) {
			continue
		}
		want := desired.GetAttr(a.Name)
		if want.IsNull() {
			continue
		}
		var have cty.Value
		if live == cty.NilVal || live.IsNull() {
			have = cty.NullVal(a.Type)
		} else {
			have = live.GetAttr(a.Name)
		}
		if !equalAttr(a, have, want) {
			out = append(out, AttrChange{Name: a.Name, Before: have, After: want})
		}
	}
	return out
}

// equalAttr compares two values of an attribute the way the service does: multi-valued
// properties as sets (null and empty alike), and case-insensitively where the service is.
func equalAttr(a *schema.Attribute, x, y cty.Value) bool {
	if a.IsSet() {
		return setKey(a, x) == setKey(a, y)
	}
	if x.Type() == cty.String {
		// Exchange stores an empty string as $null, so the two are the same setting.
		x, y = emptyToNull(x), emptyToNull(y)
	}
	if x.IsNull() || y.IsNull() {
		return x.IsNull() == y.IsNull()
	}
	if a.FoldCase && x.Type() == cty.String {
		return strings.EqualFold(x.AsString(), y.AsString())
	}
	return x.Equals(y).True()
}

func emptyToNull(v cty.Value) cty.Value {
	if !v.IsNull() && v.AsString() == "" {
		return cty.NullVal(cty.String)
	}
	return v
}

func setKey(a *schema.Attribute, v cty.Value) string {
	if v.IsNull() {
		return ""
	}
	var ss []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		ss = append(ss, elementKey(a, e))
	}
	sort.Strings(ss)
	return strings.Join(ss, "\x00")
}

// elementKey is one element of a multi-valued property in a form that compares the way the
// service does; a block's attributes follow their own rules.
func elementKey(a *schema.Attribute, e cty.Value) string {
	if a.Nested == nil {
		s := e.AsString()
		if a.FoldCase {
			s = strings.ToLower(s)
		}
		return s
	}
	var parts []string
	for _, n := range a.Nested {
		v := e.GetAttr(n.Name)
		switch {
		case v.IsNull() || (n.IsSet() && v.LengthInt() == 0):
			parts = append(parts, n.Name+"=")
		case n.IsSet():
			parts = append(parts, n.Name+"=["+strings.ReplaceAll(setKey(n, v), "\x00", "\x01")+"]")
		case v.Type() == cty.String && n.FoldCase:
			parts = append(parts, n.Name+"="+strings.ToLower(v.AsString()))
		case v.Type() == cty.String:
			parts = append(parts, n.Name+"="+v.AsString())
		default:
			parts = append(parts, n.Name+"="+Display(v))
		}
	}
	return strings.Join(parts, "\x02")
}

// merged is the object as it will be after the change: configured values over live ones.
func merged(t *schema.ResourceType, live, desired cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	for _, a := range t.Attributes {
		v := desired.GetAttr(a.Name)
		if v.IsNull() && live != cty.NilVal && !live.IsNull() {
			v = live.GetAttr(a.Name)
		}
		attrs[a.Name] = v
	}
	return cty.ObjectVal(attrs)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
