package sim

import (
	"bytes"
	"encoding/json"
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
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
