package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// Helpers shared by the transport-rule and application-scoping resources (transport rules,
// Exchange service principals, management scopes, role assignments, application access
// policies). They are variants of the generic helpers in objects.go for what those cmdlet
// families need beyond a connector: Get-* field names that differ from the parameter names,
// multi-valued fields that arrive as one comma-separated string, and a reset that sends $null
// rather than an empty value.

// ruleMap says how one resource type reads its Get-* output.
type ruleMap struct {
	t *schema.ResourceType
	// markerWire is the Get-* field that carries the ownership marker; "" for none.
	markerWire string
	// fields lists, per attribute, the Get-* fields to read it from, first present wins;
	// an attribute not listed is read from its Wire name.
	fields map[string][]string
	// commaLists names the set attributes whose Get-* value may come as one comma-separated
	// string ("a, b") rather than an array. Only attributes whose elements cannot contain a
	// comma (addresses, domains, IP ranges, GUIDs) are listed: a regular expression or a
	// word may contain one.
	commaLists map[string]bool
	// convert overrides the conversion of an attribute (State -> enabled).
	convert map[string]func(raw any) (cty.Value, error)
}

// raw returns the Get-* value of an attribute.
func (m *ruleMap) raw(a *schema.Attribute, o map[string]any) any {
	names := m.fields[a.Name]
	if len(names) == 0 {
		names = []string{a.Wire}
	}
	for _, n := range names {
		if v, ok := o[n]; ok {
			return v
		}
	}
	return nil
}

// value converts one attribute of a Get-* object.
func (m *ruleMap) value(a *schema.Attribute, o map[string]any) (cty.Value, error) {
	raw := m.raw(a, o)
	if f := m.convert[a.Name]; f != nil {
		return f(raw)
	}
	if s, ok := raw.(string); ok && a.IsSet() {
		raw = ruleSplitList(s, m.commaLists[a.Name])
	}
	if a.IsSet() {
		// Empty strings in a multi-valued property are no values.
		if arr, ok := raw.([]any); ok {
			kept := make([]any, 0, len(arr))
			for _, e := range arr {
				if s, ok := e.(string); ok && strings.TrimSpace(s) == "" {
					continue
				}
				kept = append(kept, e)
			}
			raw = kept
		}
	}
	if a.Type == cty.String {
		switch v := raw.(type) {
		case string:
			if v == "" {
				raw = nil // Exchange stores an empty string as $null
			}
		case json.Number, bool: // a value Exchange serialises as a number (a status code)
			raw = fmt.Sprint(v)
		}
	}
	return toCty(a, raw)
}

// ruleSplitList turns a single-string multi-valued value into its elements.
func ruleSplitList(s string, comma bool) []any {
	parts := []string{s}
	if comma {
		parts = strings.Split(s, ",")
	}
	out := make([]any, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// object converts a Get-* output object into an object value of the type, and splits the
// ownership marker off the marker field. It returns the value and the marker.
func (m *ruleMap) object(o map[string]any) (cty.Value, providers.Marker, error) {
	attrs := make(map[string]cty.Value, len(m.t.Attributes))
	var mk providers.Marker
	for _, a := range m.t.Attributes {
		v, err := m.value(a, o)
		if err != nil {
			return cty.NilVal, mk, fmt.Errorf("%s: %w", a.Wire, err)
		}
		if m.markerWire != "" && a.Wire == m.markerWire {
			v, mk = splitMarkerValue(v)
		}
		attrs[a.Name] = v
	}
	return cty.ObjectVal(attrs), mk, nil
}

// live converts a Get-* output object into a LiveObject.
func (m *ruleMap) live(o map[string]any) (providers.LiveObject, error) {
	v, mk, err := m.object(o)
	if err != nil {
		return providers.LiveObject{}, err
	}
	key := m.t.KeyOf(v)
	if key == "" {
		return providers.LiveObject{}, fmt.Errorf("the object has no %s", strings.Join(m.t.Keys, " or "))
	}
	id := ruleString(o, "Guid")
	if id == "" {
		id = ruleString(o, "Identity")
	}
	return providers.LiveObject{Key: key, ID: id, Value: v, Owner: mk.Workspace, Protected: mk.PreventDestroy, AllowDestroy: mk.AllowDestroy}, nil
}

// ruleString returns a string field of a Get-* object, or "".
func ruleString(o map[string]any, field string) string {
	switch v := o[field].(type) {
	case string:
		return v
	case []any: // a one-element list
		if len(v) == 1 {
			if s, ok := v[0].(string); ok {
				return s
			}
		}
	}
	return ""
}

// ruleRead runs a bulk Get-* and converts every object with conv. A list that comes with
// non-terminating errors may be incomplete, and an incomplete read must never look like an
// absence, so it fails.
func ruleRead(ctx context.Context, c invoker, cmdlet string, params providers.Params, conv func(o map[string]any) ([]providers.LiveObject, error)) ([]providers.LiveObject, error) {
	res, err := c.Invoke(ctx, cmdlet, params)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, fmt.Errorf("%s reported errors, so the list may be incomplete: %s", cmdlet, strings.Join(res.Errors, "; "))
	}
	out := make([]providers.LiveObject, 0, len(res.Objects))
	for i, o := range res.Objects {
		los, err := conv(o)
		if err != nil {
			return nil, fmt.Errorf("%s: object %d: %w", cmdlet, i, err)
		}
		out = append(out, los...)
	}
	return out, nil
}

// ruleParam turns a configured value into a cmdlet parameter value. Unlike paramValue, an empty
// string or an empty set is sent as $null: that is how a condition or action is removed from a
// rule, and Exchange refuses an empty string or an empty array for most of these parameters.
func ruleParam(a *schema.Attribute, v cty.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.Type() == cty.String && v.AsString() == "":
		return nil
	case (v.Type().IsSetType() || v.Type().IsListType()) && v.LengthInt() == 0:
		return nil
	}
	return paramValue(a, v)
}

// ruleIsSet reports whether a configured value says something on create: not null, and not an
// empty string or set (which would only reset a default).
func ruleIsSet(v cty.Value) bool {
	return ruleParam(nil, v) != nil
}

// ruleSetOf returns the attributes of a change as a set.
func ruleSetOf(c providers.Change) map[string]bool {
	set := make(map[string]bool, len(c.Set))
	for _, n := range c.Set {
		set[n] = true
	}
	return set
}

// ruleMarkerField is the value of a marker-bearing free-text field after the change: the
// user's text followed by the marker. The user's text comes from the configuration when it is
// one of the changes (or on create); otherwise the live text is kept as it is.
func ruleMarkerField(c providers.Change, attr string, fromDesired bool) string {
	v := cty.NullVal(cty.String)
	switch {
	case fromDesired && !c.Desired.IsNull():
		v = c.Desired.GetAttr(attr)
	case c.Prior != nil:
		v = c.Prior.Value.GetAttr(attr)
	}
	text := ""
	if !v.IsNull() {
		text = v.AsString()
	}
	return providers.JoinMarker(text, c.Marker)
}

// ruleOp builds an Exchange operation.
func ruleOp(cmdlet string, params ...providers.Param) providers.Operation {
	return providers.Operation{Service: providers.Exchange, Cmdlet: cmdlet, Parameters: providers.Params(params)}
}

// ruleConfirm is -Confirm:$false, so that a rendered script runs without prompts.
var ruleConfirm = providers.Param{Name: "Confirm", Value: providers.Switch(false)}

// ruleText returns a string attribute of an object, or "".
func ruleText(obj cty.Value, attr string) string {
	v := obj.GetAttr(attr)
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	return v.AsString()
}

// ruleLen counts characters as Exchange (.NET) does: UTF-16 code units.
func ruleLen(s string) int { return len(utf16.Encode([]rune(s))) }

// ruleMaxMarker is the longest ownership marker line, with the newline that separates it from
// the user's text: a 64-character workspace name and prevent_destroy. Free-text fields keep
// this much room for it.
var ruleMaxMarker = 1 + len(providers.Marker{Workspace: strings.Repeat("w", 64), PreventDestroy: true}.String())

// ruleName checks an object name that Exchange limits to 64 characters.
func ruleName(what string) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("The %s name must not be empty.", what)
		}
		if n := ruleLen(s); n > 64 {
			return fmt.Sprintf("The %s name is %d characters long; Exchange allows 64.", what, n)
		}
		return ""
	}
}

// ruleFreeText checks a free-text field that also carries exoform's ownership marker: the user's
// text must not contain the marker, and must leave room for it within Exchange's limit
// (max <= 0: no limit).
func ruleFreeText(field string, max int) func(string) string {
	return func(s string) string {
		if strings.Contains(s, providers.MarkerPrefix) {
			return fmt.Sprintf("The %s field contains exoform's ownership marker text. Remove it: exoform writes the marker itself.", field)
		}
		if max > 0 {
			if n, room := ruleLen(s), max-ruleMaxMarker; n > room {
				return fmt.Sprintf("The %s field is %d characters long; keep it to %d. Exchange allows %d, and exoform keeps up to %d of them for its ownership marker on the last line.", field, n, room, max, ruleMaxMarker)
			}
		}
		return ""
	}
}

var ruleGUIDRe = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// ruleGUID checks a GUID such as an app id or object id.
func ruleGUID(what string) func(string) string {
	return func(s string) string {
		if !ruleGUIDRe.MatchString(s) {
			return fmt.Sprintf("%q is not a GUID. The %s looks like 00000000-0000-0000-0000-000000000000.", s, what)
		}
		return ""
	}
}

// ruleIPRange accepts what a transport rule's SenderIpRanges takes: an IPv4 or IPv6 address, a
// range first-last of one family, or a CIDR range, each written exactly as Exchange reports it
// (lower-case compressed IPv6, no spaces around the dash). Exchange stores its own spelling, so
// any other one ("2001:DB8::1", "192.0.2.1 - 192.0.2.9") would show as a difference in every
// plan; such a spelling is refused with the canonical one in the message.
func ruleIPRange(s string) string {
	canonical := func(want string) string {
		if s == want {
			return ""
		}
		return fmt.Sprintf("Write %q as %s: Exchange reports it that way, so any other spelling would show as a change in every plan.", s, want)
	}
	parse := func(x string) (netip.Addr, bool) {
		a, err := netip.ParseAddr(strings.TrimSpace(x))
		return a, err == nil && a.Zone() == ""
	}
	if from, to, ok := strings.Cut(s, "-"); ok {
		a, ok1 := parse(from)
		b, ok2 := parse(to)
		switch {
		case !ok1 || !ok2:
			return fmt.Sprintf("%q is not an IP address range. Write a range as 192.0.2.1-192.0.2.254.", s)
		case a.Is4() != b.Is4():
			return fmt.Sprintf("%q mixes IPv4 and IPv6. Both ends of a range must be of one family.", s)
		case b.Less(a):
			return fmt.Sprintf("%q ends before it starts. Write the lower address first.", s)
		}
		return canonical(a.String() + "-" + b.String())
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return fmt.Sprintf("%q is not a CIDR range. Write it as 192.0.2.0/24 or 2001:db8::/32.", s)
		}
		return canonical(p.String())
	}
	a, ok := parse(s)
	if !ok {
		return fmt.Sprintf("%q is not an IP address, range or CIDR range. Write 192.0.2.10, 192.0.2.1-192.0.2.254 or 192.0.2.0/24.", s)
	}
	return canonical(a.String())
}

// ruleNonEmpty checks that a value is not blank.
func ruleNonEmpty(what string) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("The %s must not be empty.", what)
		}
		return ""
	}
}
