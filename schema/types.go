package schema

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Kind says how exoform owns the objects of a type.
type Kind uint8

const (
	// Owned objects are created by exoform (or adopted), carry its ownership marker, and are
	// deleted when their declaration goes away and the marker names this workspace.
	Owned Kind = iota
	// Setting objects exist independently of exoform (a mailbox's CAS settings, the transport
	// configuration): exoform only updates them, carries no marker on them, and never deletes
	// them. Removing a declaration stops managing the settings.
	Setting
	// Declared objects are created and updated by exoform but have no field that could carry
	// an ownership marker (inbox rules, management scopes), so exoform cannot tell its own from
	// others' and never deletes them: removing a declaration stops managing the object.
	Declared
)

// KeySep joins the parts of a composite key ("support@contoso.com\Import copy"), as Exchange
// writes identities of objects that live inside a mailbox.
const KeySep = "\\"

// A ResourceType describes one kind of object exoform manages: its attributes and the rules
// their values must follow. Providers declare them; the loader and the planner read them.
type ResourceType struct {
	Name        string // e.g. "exchange_inbound_connector"
	Description string
	Kind        Kind
	// Keys are the attributes that identify an object in the tenant (a connector's name; a
	// mailbox and a rule name). None: the type is a singleton (the transport configuration).
	Keys []string
	// DataBearing objects hold data (mailboxes): deleting one needs lifecycle { allow_destroy
	// = true }, recorded in the ownership marker like prevent_destroy.
	DataBearing bool
	// Attributes in documentation order.
	Attributes []*Attribute
	// Check enforces rules across attributes on a decoded, known object. It returns problems
	// against attribute names; the loader attaches source ranges.
	Check func(obj cty.Value) []AttrProblem
}

// An Attribute is one setting of a resource type.
type Attribute struct {
	Name      string   // snake_case of the cmdlet parameter or Graph property
	Wire      string   // the cmdlet parameter or Graph property it maps to
	Type      cty.Type // cty.String, cty.Bool, cty.Number or cty.Set(cty.String)
	Required  bool
	ForceNew  bool // a change replaces the object (the API cannot change it in place)
	Sensitive bool
	FoldCase  bool // values compare case-insensitively (Exchange names, domains)
	// Computed attributes are set by the service (an application's app_id), never by the
	// configuration. Other declarations may refer to them; until the object exists, a
	// reference evaluates to a placeholder that apply fills in (see Placeholder).
	Computed bool
	// Nested makes the attribute a repeatable block (api_permission { ... }) whose body has
	// these attributes; its Type must be BlockType(Nested).
	Nested []*Attribute
	// TriState marks a Boolean setting with a third state, "inherit" (the wire's $null: take the
	// organization's value). Its HCL type is string; true and false convert to "true"/"false".
	TriState    bool
	Enum        []string // allowed values, matched case-insensitively
	Description string
	// Validate checks one value (for a set: one element) and returns a message saying what is
	// wrong and what is allowed, or "".
	Validate func(v string) string
}

// An AttrProblem is a rule an object breaks, reported against one attribute.
type AttrProblem struct {
	Attr    string
	Summary string
	Detail  string
	// Warning marks a likely mistake the service itself accepts; it does not stop the command.
	Warning bool
}

// KeyOf returns the natural key of an object value: its key attributes joined with KeySep, or
// "" for a singleton or when a key attribute is unset.
func (t *ResourceType) KeyOf(v cty.Value) string {
	parts := make([]string, 0, len(t.Keys))
	for _, k := range t.Keys {
		kv := v.GetAttr(k)
		if kv.IsNull() || !kv.IsKnown() || kv.Type() != cty.String {
			return ""
		}
		parts = append(parts, kv.AsString())
	}
	return JoinKey(parts...)
}

// JoinKey joins the parts of a composite key.
func JoinKey(parts ...string) string { return strings.Join(parts, KeySep) }

// IsKey reports whether an attribute is part of the natural key.
func (t *ResourceType) IsKey(name string) bool {
	for _, k := range t.Keys {
		if k == name {
			return true
		}
	}
	return false
}

// Singleton reports whether the type has exactly one object per tenant.
func (t *ResourceType) Singleton() bool { return len(t.Keys) == 0 }

// Attribute returns the named attribute, or nil.
func (t *ResourceType) Attribute(name string) *Attribute {
	for _, a := range t.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// ObjectType is the cty type of an instance's value.
func (t *ResourceType) ObjectType() cty.Type {
	attrs := make(map[string]cty.Type, len(t.Attributes))
	for _, a := range t.Attributes {
		attrs[a.Name] = a.Type
	}
	return cty.Object(attrs)
}

// NullObject is a value of ObjectType() with every attribute null.
func (t *ResourceType) NullObject() cty.Value {
	attrs := make(map[string]cty.Value, len(t.Attributes))
	for _, a := range t.Attributes {
		attrs[a.Name] = cty.NullVal(a.Type)
	}
	return cty.ObjectVal(attrs)
}

// IsSet reports whether the attribute is a multi-valued property (or a repeatable block).
func (a *Attribute) IsSet() bool { return a.Type.IsSetType() || a.Type.IsListType() }

// BlockType is the type of a repeatable block with the given attributes: a set of objects.
func BlockType(nested ...*Attribute) cty.Type {
	attrs := make(map[string]cty.Type, len(nested))
	for _, a := range nested {
		attrs[a.Name] = a.Type
	}
	return cty.Set(cty.Object(attrs))
}

// NestedAttribute returns the named attribute of a block, or nil.
func (a *Attribute) NestedAttribute(name string) *Attribute {
	for _, n := range a.Nested {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Configurable lists the attributes a configuration may set: all but the computed ones.
func (t *ResourceType) Configurable() []*Attribute {
	out := make([]*Attribute, 0, len(t.Attributes))
	for _, a := range t.Attributes {
		if !a.Computed {
			out = append(out, a)
		}
	}
	return out
}

// CheckValue applies the attribute's enum and value rules to a known, non-null value and
// returns the first problem, or "". Enum values are returned in canonical case by Canonical.
func (a *Attribute) CheckValue(v cty.Value) string {
	if ps := a.checkElements(v); len(ps) > 0 {
		return ps[0].msg
	}
	return ""
}

type elementProblem struct{ msg, bad string }

// checkElements is CheckValue for every element, saying which element broke which rule.
func (a *Attribute) checkElements(v cty.Value) []elementProblem {
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	var out []elementProblem
	for _, s := range stringsOf(v) {
		if IsPlaceholder(s) {
			continue // known after apply: the object that sets it checks it
		}
		if len(a.Enum) > 0 && a.canonicalEnum(s) == "" {
			out = append(out, elementProblem{fmt.Sprintf("%q is not a valid value for %s. Valid values are %s.", s, a.Name, quoteList(a.Enum)), s})
			continue
		}
		if a.Validate != nil {
			if msg := a.Validate(s); msg != "" {
				out = append(out, elementProblem{msg, s})
			}
		}
	}
	return out
}

// Canonical rewrites enum values to the case the API documents, so that "onpremises" and
// "OnPremises" plan the same.
func (a *Attribute) Canonical(v cty.Value) cty.Value {
	if len(a.Enum) == 0 || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return v
	}
	if c := a.canonicalEnum(v.AsString()); c != "" {
		return cty.StringVal(c)
	}
	return v
}

func (a *Attribute) canonicalEnum(s string) string {
	for _, e := range a.Enum {
		if strings.EqualFold(e, s) {
			return e
		}
	}
	return ""
}

func stringsOf(v cty.Value) []string {
	switch {
	case v.Type() == cty.String:
		return []string{v.AsString()}
	case v.Type().IsSetType() || v.Type().IsListType():
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
				out = append(out, e.AsString())
			}
		}
		return out
	}
	return nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
