package exchange

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// liveObject turns one Get-* output object into a LiveObject of the type. The attribute that
// carries the ownership marker is split: the LiveObject holds the user's text and the owner.
func liveObject(t *schema.ResourceType, o map[string]any) (providers.LiveObject, error) {
	attrs := make(map[string]cty.Value, len(t.Attributes))
	var owner string
	var protected bool
	for _, a := range t.Attributes {
		raw := o[a.Wire]
		v, err := toCty(a, raw)
		if err != nil {
			return providers.LiveObject{}, fmt.Errorf("%s: %w", a.Wire, err)
		}
		if a.Name == "comment" || a.Name == "comments" {
			if !v.IsNull() {
				text, m := providers.SplitMarker(v.AsString())
				owner, protected = m.Workspace, m.PreventDestroy
				v = cty.StringVal(text)
				if text == "" {
					v = cty.NullVal(cty.String)
				}
			}
		}
		attrs[a.Name] = v
	}
	key, _ := o[wireOf(t, t.Key)].(string)
	if key == "" {
		return providers.LiveObject{}, fmt.Errorf("the object has no %s", wireOf(t, t.Key))
	}
	id, _ := o["Guid"].(string)
	return providers.LiveObject{Key: key, ID: id, Value: cty.ObjectVal(attrs), Owner: owner, Protected: protected}, nil
}

func wireOf(t *schema.ResourceType, name string) string {
	if a := t.Attribute(name); a != nil {
		return a.Wire
	}
	return name
}

func toCty(a *schema.Attribute, raw any) (cty.Value, error) {
	switch {
	case a.Type == cty.String:
		switch v := raw.(type) {
		case nil:
			return cty.NullVal(cty.String), nil
		case string:
			return a.Canonical(cty.StringVal(v)), nil
		}
	case a.Type == cty.Bool:
		switch v := raw.(type) {
		case nil:
			return cty.NullVal(cty.Bool), nil
		case bool:
			return cty.BoolVal(v), nil
		case string: // some cmdlets serialise booleans as "True"/"False"
			if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
				return cty.BoolVal(strings.EqualFold(v, "true")), nil
			}
		}
	case a.IsSet():
		var elems []cty.Value
		switch v := raw.(type) {
		case nil:
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return cty.NilVal, fmt.Errorf("want strings, got %T", e)
				}
				elems = append(elems, cty.StringVal(normaliseMulti(a, s)))
			}
		case string: // a single value
			elems = append(elems, cty.StringVal(normaliseMulti(a, v)))
		default:
			return cty.NilVal, fmt.Errorf("want a list, got %T", raw)
		}
		if len(elems) == 0 {
			return cty.SetValEmpty(cty.String), nil
		}
		return cty.SetVal(elems), nil
	}
	return cty.NilVal, fmt.Errorf("unexpected value %v (%T) for a %s", raw, raw, a.Type.FriendlyName())
}

// normaliseMulti strips the "smtp:" prefix and ";N" suffix some Exchange versions put on domain
// values of multi-valued properties.
func normaliseMulti(a *schema.Attribute, s string) string {
	if a.Wire != "SenderDomains" {
		return s
	}
	if strings.HasPrefix(strings.ToLower(s), "smtp:") {
		s = s[len("smtp:"):]
	}
	if i := strings.LastIndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return s
}

// paramValue turns a configured value into a cmdlet parameter value.
func paramValue(v cty.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Bool:
		return v.True()
	case v.Type().IsSetType() || v.Type().IsListType():
		out := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, e.AsString())
		}
		sort.Strings(out)
		return out
	}
	return nil
}

// compileCmdlets compiles a change of a type managed by a New-/Set-/Remove-NOUN cmdlet family
// whose objects are keyed by their Name and carry the ownership marker in markerWire.
func compileCmdlets(t *schema.ResourceType, noun, markerWire string, c providers.Change) ([]providers.Operation, error) {
	markerAttr := ""
	for _, a := range t.Attributes {
		if a.Wire == markerWire {
			markerAttr = a.Name
		}
	}
	op := providers.Operation{Service: providers.Exchange}
	switch c.Kind {
	case providers.Create:
		op.Cmdlet = "New-" + noun
		keyAttr := t.Attribute(t.Key)
		op.Parameters = append(op.Parameters, providers.Param{Name: keyAttr.Wire, Value: paramValue(c.Desired.GetAttr(t.Key))})
		for _, a := range t.Attributes {
			if a.Name == t.Key || a.Name == markerAttr {
				continue
			}
			if v := c.Desired.GetAttr(a.Name); !v.IsNull() {
				op.Parameters = append(op.Parameters, providers.Param{Name: a.Wire, Value: paramValue(v)})
			}
		}
		text := ""
		if v := c.Desired.GetAttr(markerAttr); !v.IsNull() {
			text = v.AsString()
		}
		op.Parameters = append(op.Parameters, providers.Param{Name: markerWire, Value: providers.JoinMarker(text, c.Marker)})
	case providers.Update:
		op.Cmdlet = "Set-" + noun
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}}
		set := map[string]bool{}
		for _, name := range c.Set {
			set[name] = true
		}
		for _, a := range t.Attributes {
			if !set[a.Name] || a.Name == markerAttr || a.Name == t.Key {
				continue
			}
			op.Parameters = append(op.Parameters, providers.Param{Name: a.Wire, Value: paramValue(c.Desired.GetAttr(a.Name))})
		}
		if set[markerAttr] || c.WriteMarker {
			// The user's text comes from the configuration only when it is one of the changes;
			// otherwise (not managed, ignored, or unchanged) the live text is kept as it is.
			v := c.Prior.Value.GetAttr(markerAttr)
			if set[markerAttr] {
				v = c.Desired.GetAttr(markerAttr)
			}
			text := ""
			if !v.IsNull() {
				text = v.AsString()
			}
			op.Parameters = append(op.Parameters, providers.Param{Name: markerWire, Value: providers.JoinMarker(text, c.Marker)})
		}
		if len(op.Parameters) == 1 {
			return nil, nil
		}
	case providers.Delete:
		op.Cmdlet = "Remove-" + noun
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}, {Name: "Confirm", Value: providers.Switch(false)}}
	default:
		return nil, fmt.Errorf("unknown change kind %d", c.Kind)
	}
	return []providers.Operation{op}, nil
}
