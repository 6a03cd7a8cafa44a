package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exoform/exoform/schema"
)

// Service names an API that an Operation is sent to.
type Service string

const (
	// Exchange is the Exchange Online admin API (InvokeCommand).
	Exchange Service = "exchange"
	// Graph is Microsoft Graph v1.0.
	Graph Service = "graph"
)

// An Operation is one call that apply sends and a script renders: an Exchange cmdlet invocation
// or a Graph request. Changes compile to operations so that a reviewer sees exactly what will be
// called; nothing is sent that is not an Operation in the plan.
type Operation struct {
	Service Service `json:"service"`

	// Exchange: the cmdlet and its named parameters, in the order they are rendered.
	Cmdlet     string `json:"cmdlet,omitempty"`
	Parameters Params `json:"parameters,omitempty"`

	// Graph (later resources): method, path relative to the Graph root, and JSON body.
	Method string          `json:"method,omitempty"`
	Path   string          `json:"path,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`

	// Produces names values that later operations use but that only the service's answer
	// holds (a new application's appId): response field → placeholder reference
	// (schema.Placeholder of "entra_application.ews.app_id"). Apply records them and fills the placeholders (see
	// schema.Placeholder) of every later operation before sending it.
	Produces map[string]string `json:"produces,omitempty"`

	// Deliver names a secret in the service's answer (a new client secret's secretText) that
	// apply hands to the destination the configuration chose, and nowhere else: it is never
	// recorded, logged or printed with the operation.
	Deliver *Delivery `json:"deliver,omitempty"`
}

// A Delivery says where a secret from an operation's answer goes.
type Delivery struct {
	Field string `json:"field"`          // the answer's field holding the secret
	File  string `json:"file,omitempty"` // the file to write it to (mode 0600); "" for standard output, when allowed
	What  string `json:"what"`           // what the secret is, for messages ("client secret ci of Contoso relay")
}

// String is a one-line summary for progress output and errors.
func (o Operation) String() string {
	if o.Service == Exchange {
		return o.Cmdlet
	}
	return o.Method + " " + o.Path
}

// A Param is one named cmdlet parameter. Value is one of: string, bool, int64, nil (reset to
// the default, $null), []string (a multi-valued property, replaced whole), AddRemove (values
// added to and removed from a multi-valued property in place), or Switch.
type Param struct {
	Name  string
	Value any
}

// Switch is the value of a switch parameter (-Shared, -Confirm:$false). On the wire it is a JSON
// boolean; a script writes it as a switch.
type Switch bool

// AddRemove changes a multi-valued property in place, PowerShell's @{Add=...; Remove=...}. On
// the wire it is a hashtable tagged {"@odata.type":"#Exchange.GenericHashTable","add":[...],
// "remove":[...]}; values the service manages itself (a mailbox's routing addresses) stay as
// they are, which replacing the whole property would not do.
type AddRemove struct {
	Add    []string
	Remove []string
}

const genericHashTable = "#Exchange.GenericHashTable"

// MarshalJSON writes the tagged hashtable, leaving out an empty add or remove list.
func (v AddRemove) MarshalJSON() ([]byte, error) {
	m := map[string]any{"@odata.type": genericHashTable}
	if len(v.Add) > 0 {
		m["add"] = v.Add
	}
	if len(v.Remove) > 0 {
		m["remove"] = v.Remove
	}
	return json.Marshal(m)
}

// Params keeps cmdlet parameters in a fixed order; it encodes as a JSON object in that order.
type Params []Param

// Get returns the value of the named parameter.
func (ps Params) Get(name string) (any, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes the parameters as one JSON object, keeping their order.
func (ps Params) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.Name)
		b.Write(k)
		b.WriteByte(':')
		v := p.Value
		if s, ok := v.(Switch); ok {
			v = bool(s)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object back into ordered parameters. Arrays become []string,
// numbers int64; switches come back as bool (the wire cannot tell them apart).
func (ps *Params) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("parameters: want a JSON object")
	}
	var out Params
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		v, err := decodeParamValue(raw)
		if err != nil {
			return fmt.Errorf("parameter %s: %w", name, err)
		}
		out = append(out, Param{Name: name, Value: v})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*ps = out
	return nil
}

func decodeParamValue(raw json.RawMessage) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case nil, string, bool:
		return t, nil
	case json.Number:
		return t.Int64()
	case []any:
		return stringList(t)
	case map[string]any:
		if t["@odata.type"] != genericHashTable {
			return nil, fmt.Errorf("unsupported object %s", string(raw))
		}
		var ar AddRemove
		for k, v := range t {
			var err error
			switch strings.ToLower(k) {
			case "@odata.type":
			case "add":
				ar.Add, err = stringListOf(v)
			case "remove":
				ar.Remove, err = stringListOf(v)
			default:
				return nil, fmt.Errorf("unsupported key %q in an add/remove value", k)
			}
			if err != nil {
				return nil, err
			}
		}
		return ar, nil
	default:
		return nil, fmt.Errorf("unsupported value %s", string(raw))
	}
}

func stringListOf(v any) ([]string, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of strings")
	}
	return stringList(l)
}

func stringList(l []any) ([]string, error) {
	ss := make([]string, 0, len(l))
	for _, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("array elements must be strings")
		}
		ss = append(ss, s)
	}
	return ss, nil
}

// Fill replaces the placeholders in the operation's path, body and parameters with the values
// earlier operations produced, and returns the references it found no value for.
func (o Operation) Fill(values map[string]string) (Operation, []string, error) {
	var missing []string
	fill := func(s string) string {
		out, m := schema.ReplacePlaceholders(s, values)
		missing = append(missing, m...)
		return out
	}
	o.Path = fill(o.Path)
	if len(o.Body) > 0 && schema.HasPlaceholder(string(o.Body)) {
		dec := json.NewDecoder(bytes.NewReader(o.Body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return o, nil, fmt.Errorf("%s: the body is not JSON: %w", o, err)
		}
		b, err := json.Marshal(fillJSON(v, fill))
		if err != nil {
			return o, nil, err
		}
		o.Body = b
	}
	if len(o.Parameters) > 0 {
		ps := make(Params, len(o.Parameters))
		for i, p := range o.Parameters {
			switch v := p.Value.(type) {
			case string:
				p.Value = fill(v)
			case []string:
				p.Value = fillAll(v, fill)
			case AddRemove:
				p.Value = AddRemove{Add: fillAll(v.Add, fill), Remove: fillAll(v.Remove, fill)}
			}
			ps[i] = p
		}
		o.Parameters = ps
	}
	return o, missing, nil
}

func fillAll(ss []string, fill func(string) string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fill(s)
	}
	return out
}

func fillJSON(v any, fill func(string) string) any {
	switch t := v.(type) {
	case string:
		return fill(t)
	case []any:
		for i := range t {
			t[i] = fillJSON(t[i], fill)
		}
	case map[string]any:
		for k := range t {
			t[k] = fillJSON(t[k], fill)
		}
	}
	return v
}
