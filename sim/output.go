package sim

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// field is one key of an ordered JSON object.
type field struct {
	key string
	val any
}

// object is a JSON object that keeps its key order. Exchange emits
// annotations ("Prop@odata.type") right before their property and the
// envelope keys in a fixed order; keeping that order makes sim output read
// like captured responses.
type object []field

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendJSON appends o's JSON to b. Values of the types output objects are
// made of (objects, strings, Booleans, numbers, string lists and nested
// objects) are written directly, the same bytes encoding/json writes for
// them, because json.Marshal re-validates and re-compacts whatever a
// MarshalJSON method returns, which doubled the cost of a page of mailboxes;
// other types go through json.Marshal.
func (o object) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.key)
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, f.val); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// marshalOutput encodes v (typically an envelope object) as json.Marshal
// would, through appendJSON.
func marshalOutput(v any) ([]byte, error) { return appendJSONValue(make([]byte, 0, 4096), v) }

func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case object:
		return v.appendJSON(b)
	case []object:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, o := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = o.appendJSON(b); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case json.RawMessage: // a JSON answer made by the sim itself ($batch items)
		if v == nil {
			return append(b, "null"...), nil
		}
		return append(b, v...), nil
	case string:
		return appendJSONString(b, v), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, raw...), nil
}

// appendJSONString quotes s. Printable ASCII without the characters
// encoding/json escapes (", \, <, >, &) is copied as is; anything else goes
// through json.Marshal, so the bytes are always encoding/json's.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s) // a string always encodes
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// exDateLayout is how Exchange prints DateTime values
// ("2022-09-21T08:07:47.0000000+00:00").
const exDateLayout = "2006-01-02T15:04:05.0000000-07:00"

// objBuilder appends Exchange output properties with their annotations.
type objBuilder struct{ o object }

func (b *objBuilder) val(k string, v any) { b.o = append(b.o, field{k, v}) }

// str writes a string property, null when unset.
func (b *objBuilder) str(k string, v *string) {
	if v == nil {
		b.val(k, nil)
		return
	}
	b.val(k, *v)
}

// strs writes a multi-valued property. Unset multi-valued properties are
// empty arrays, never null, so clients need no null case (doc.go).
func (b *objBuilder) strs(k string, v []string) {
	if v == nil {
		v = []string{}
	}
	b.val(k+"@odata.type", "#Collection(String)")
	b.val(k, v)
}

func (b *objBuilder) guid(k, v string) {
	b.val(k+"@data.type", "System.Guid")
	b.val(k+"@odata.type", "#Guid")
	b.val(k, v)
}

func (b *objBuilder) date(k string, t time.Time) {
	b.val(k+"@data.type", "System.DateTime")
	b.val(k, t.UTC().Format(exDateLayout))
}

// selectFields keeps only the properties named in a $select list (and their
// annotations), as "?$select=Name,Guid" does on InvokeCommand (wire-formats A1).
func selectFields(o object, sel map[string]bool) object {
	if sel == nil {
		return o
	}
	var out object
	for _, f := range o {
		name, _, _ := strings.Cut(f.key, "@")
		if sel[strings.ToLower(name)] {
			out = append(out, f)
		}
	}
	if out == nil {
		out = object{}
	}
	return out
}
