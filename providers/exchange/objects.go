package exchange

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// liveObject turns one Get-* output object into a LiveObject of the type. The attribute whose
// wire name is markerWire carries the ownership marker: it is split, so the LiveObject holds
// the user's text and the marker apart. markerWire "" means the type has no marker.
func liveObject(t *schema.ResourceType, markerWire string, o map[string]any) (providers.LiveObject, error) {
	attrs := make(map[string]cty.Value, len(t.Attributes))
	var m providers.Marker
	for _, a := range t.Attributes {
		raw := o[a.Wire]
		v, err := toCty(a, raw)
		if err != nil {
			return providers.LiveObject{}, fmt.Errorf("%s: %w", a.Wire, err)
		}
		if markerWire != "" && a.Wire == markerWire {
			v, m = splitMarkerValue(v)
		}
		attrs[a.Name] = v
	}
	obj := cty.ObjectVal(attrs)
	key := t.KeyOf(obj)
	if key == "" && !t.Singleton() {
		return providers.LiveObject{}, fmt.Errorf("the object has no %s", strings.Join(t.Keys, " or "))
	}
	id, _ := o["Guid"].(string)
	return providers.LiveObject{Key: key, ID: id, Value: obj, Owner: m.Workspace, Protected: m.PreventDestroy, AllowDestroy: m.AllowDestroy}, nil
}

// splitMarkerValue separates the ownership marker from the text of a free-text field: the
// user's text (null when only the marker was there) and the marker.
func splitMarkerValue(v cty.Value) (cty.Value, providers.Marker) {
	if v.IsNull() {
		return v, providers.Marker{}
	}
	text, m := providers.SplitMarker(v.AsString())
	if text == "" {
		return cty.NullVal(cty.String), m
	}
	return cty.StringVal(text), m
}

func toCty(a *schema.Attribute, raw any) (cty.Value, error) {
	switch {
	case a.TriState:
		switch v := raw.(type) {
		case nil:
			return cty.StringVal("inherit"), nil
		case bool:
			return cty.StringVal(fmt.Sprint(v)), nil
		case string:
			if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
				return cty.StringVal(strings.ToLower(v)), nil
			}
		}
	case a.Type == cty.String:
		switch v := raw.(type) {
		case nil:
			return cty.NullVal(cty.String), nil
		case string:
			return a.Canonical(cty.StringVal(v)), nil
		}
	case a.Type == cty.Number:
		switch v := raw.(type) {
		case nil:
			return cty.NullVal(cty.Number), nil
		case json.Number:
			n, err := cty.ParseNumberVal(v.String())
			if err != nil {
				return cty.NilVal, err
			}
			return n, nil
		case float64:
			return cty.NumberFloatVal(v), nil
		case string: // Exchange serialises some numbers as strings ("500")
			if n, err := cty.ParseNumberVal(v); err == nil {
				return n, nil
			}
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

// paramValue turns a configured value of an attribute into a cmdlet parameter value.
func paramValue(a *schema.Attribute, v cty.Value) any {
	switch {
	case v.IsNull():
		return nil
	case a != nil && a.TriState:
		switch v.AsString() {
		case "true":
			return true
		case "false":
			return false
		}
		return nil // "inherit": $null resets to the organization's setting
	case v.Type() == cty.Number:
		bf := v.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			return i
		}
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
		for _, k := range t.Keys {
			keyAttr := t.Attribute(k)
			op.Parameters = append(op.Parameters, providers.Param{Name: keyAttr.Wire, Value: paramValue(keyAttr, c.Desired.GetAttr(k))})
		}
		for _, a := range t.Attributes {
			if t.IsKey(a.Name) || a.Name == markerAttr {
				continue
			}
			if v := c.Desired.GetAttr(a.Name); !v.IsNull() {
				op.Parameters = append(op.Parameters, providers.Param{Name: a.Wire, Value: paramValue(a, v)})
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
			if !set[a.Name] || a.Name == markerAttr || t.IsKey(a.Name) {
				continue
			}
			op.Parameters = append(op.Parameters, providers.Param{Name: a.Wire, Value: paramValue(a, c.Desired.GetAttr(a.Name))})
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
