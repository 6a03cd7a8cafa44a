package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// FormatVersion is the version of the saved plan file format. It changes when a reader of an
// older version could misread a newer file.
const FormatVersion = "1"

// The file form of a plan. It holds configured and live values but never a secret value:
// resource types mark secret attributes Sensitive, and those are written as null.
type planFile struct {
	FormatVersion  string        `json:"format_version"`
	ExoformVersion string        `json:"exoform_version"`
	Workspace      string        `json:"workspace"`
	Tenant         string        `json:"tenant"`
	Fingerprint    string        `json:"config_fingerprint"`
	Changes        []*changeFile `json:"changes"`
}

type changeFile struct {
	Address    string          `json:"address"`
	Type       string          `json:"type"`
	Key        string          `json:"key"`
	Action     string          `json:"action"`
	Prior      *liveFile       `json:"prior"`
	After      json.RawMessage `json:"after"`
	Attributes []attrFile      `json:"attributes,omitempty"`
	// PreventDestroy and AllowDestroy are the marker flags the change writes; the workspace
	// is the plan's.
	PreventDestroy bool                  `json:"prevent_destroy,omitempty"`
	AllowDestroy   bool                  `json:"allow_destroy,omitempty"`
	Operations     []providers.Operation `json:"operations,omitempty"`
	DependsOn      []string              `json:"depends_on,omitempty"`
	// Pending: the change sets up an object the plan creates first (see Change.Pending).
	Pending bool              `json:"pending,omitempty"`
	Facts   map[string]string `json:"facts,omitempty"`
}

type liveFile struct {
	Key          string            `json:"key"`
	ID           string            `json:"id,omitempty"`
	Owner        string            `json:"owner,omitempty"`
	Protected    bool              `json:"prevent_destroy,omitempty"`
	AllowDestroy bool              `json:"allow_destroy,omitempty"`
	Names        []string          `json:"names,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`
	Values       json.RawMessage   `json:"values"`
}

type attrFile struct {
	Name   string          `json:"name"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// Write saves a plan. Unchanged objects are left out: a saved plan records only what it touches.
func Write(w io.Writer, p *Plan, version string, types schema.TypeLookup) error {
	f := planFile{FormatVersion: FormatVersion, ExoformVersion: version, Workspace: p.Workspace, Tenant: p.Tenant, Fingerprint: p.Fingerprint, Changes: []*changeFile{}}
	for _, c := range p.Changes {
		if c.Action == NoOp {
			continue
		}
		t, ok := types.ResourceType(c.Type)
		if !ok {
			return fmt.Errorf("unknown resource type %s", c.Type)
		}
		cf := &changeFile{Address: c.Addr, Type: c.Type, Key: c.Key, Action: c.Action.String(), Operations: c.Operations, DependsOn: c.DependsOn,
			PreventDestroy: c.Marker.PreventDestroy, AllowDestroy: c.Marker.AllowDestroy, Pending: c.Pending, Facts: c.Facts}
		var err error
		if cf.After, err = encodeObject(t, c.After); err != nil {
			return err
		}
		if c.Prior != nil {
			vals, err := encodeObject(t, c.Prior.Value)
			if err != nil {
				return err
			}
			cf.Prior = &liveFile{Key: c.Prior.Key, ID: c.Prior.ID, Owner: c.Prior.Owner, Protected: c.Prior.Protected, AllowDestroy: c.Prior.AllowDestroy, Names: c.Prior.Names, Meta: c.Prior.Meta, Values: vals}
		}
		for _, a := range c.Attrs {
			at := attrOf(t, a.Name)
			b, err := encodeValue(at, a.Before)
			if err != nil {
				return err
			}
			af, err := encodeValue(at, a.After)
			if err != nil {
				return err
			}
			cf.Attributes = append(cf.Attributes, attrFile{Name: a.Name, Before: b, After: af})
		}
		f.Changes = append(f.Changes, cf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

// Read loads a saved plan. It refuses a file of another format version.
func Read(r io.Reader, types schema.TypeLookup) (*Plan, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, "", err
	}
	var head struct {
		FormatVersion string `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, "", fmt.Errorf("not an exoform plan file: %w", err)
	}
	if head.FormatVersion != FormatVersion {
		return nil, "", fmt.Errorf("the plan file has format version %q; this exoform reads version %q. Make the plan again with this version", head.FormatVersion, FormatVersion)
	}
	var f planFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, "", fmt.Errorf("not an exoform plan file: %w", err)
	}
	p := &Plan{Workspace: f.Workspace, Tenant: f.Tenant, Fingerprint: f.Fingerprint}
	for i, cf := range f.Changes {
		if cf == nil {
			return nil, "", fmt.Errorf("change %d is empty", i)
		}
		t, ok := types.ResourceType(cf.Type)
		if !ok {
			return nil, "", fmt.Errorf("change %d: unknown resource type %q", i, cf.Type)
		}
		act, ok := ParseAction(cf.Action)
		if !ok || act == NoOp {
			return nil, "", fmt.Errorf("change %d: unknown action %q", i, cf.Action)
		}
		c := &Change{Addr: cf.Address, Type: cf.Type, Key: cf.Key, Action: act, Operations: cf.Operations, DependsOn: cf.DependsOn,
			Marker: providers.Marker{Workspace: f.Workspace, PreventDestroy: cf.PreventDestroy, AllowDestroy: cf.AllowDestroy}, Pending: cf.Pending, Facts: cf.Facts}
		if c.After, err = decodeObject(t, cf.After); err != nil {
			return nil, "", fmt.Errorf("change %d after: %w", i, err)
		}
		if (c.After == cty.NilVal) != (act == Delete) {
			return nil, "", fmt.Errorf("change %d: a %s must %shave values after the change", i, act, map[bool]string{true: "not ", false: ""}[act == Delete])
		}
		if (cf.Prior == nil) != (act == Create) {
			return nil, "", fmt.Errorf("change %d: a %s must %shave a prior object", i, act, map[bool]string{true: "", false: "not "}[act != Create])
		}
		if cf.Prior != nil {
			v, err := decodeObject(t, cf.Prior.Values)
			if err != nil {
				return nil, "", fmt.Errorf("change %d prior: %w", i, err)
			}
			if v == cty.NilVal {
				return nil, "", fmt.Errorf("change %d: the prior object has no values", i)
			}
			c.Prior = &providers.LiveObject{Key: cf.Prior.Key, ID: cf.Prior.ID, Owner: cf.Prior.Owner, Protected: cf.Prior.Protected, AllowDestroy: cf.Prior.AllowDestroy, Names: cf.Prior.Names, Meta: cf.Prior.Meta, Value: v}
		}
		for _, af := range cf.Attributes {
			at := attrOf(t, af.Name)
			if at == nil {
				return nil, "", fmt.Errorf("change %d: unknown attribute %q", i, af.Name)
			}
			b, err := decodeValue(at, af.Before)
			if err != nil {
				return nil, "", err
			}
			a, err := decodeValue(at, af.After)
			if err != nil {
				return nil, "", err
			}
			c.Attrs = append(c.Attrs, AttrChange{Name: af.Name, Before: b, After: a})
		}
		p.Changes = append(p.Changes, c)
	}
	return p, f.ExoformVersion, nil
}

// attrOf finds an attribute of a type, or the prevent_destroy pseudo-attribute.
func attrOf(t *schema.ResourceType, name string) *schema.Attribute {
	if isMarkerAttr(name) {
		return &schema.Attribute{Name: name, Type: cty.Bool}
	}
	return t.Attribute(name)
}

// redact nulls the sensitive attributes of an object so that no secret reaches a file.
func redact(t *schema.ResourceType, v cty.Value) cty.Value {
	if v == cty.NilVal || v.IsNull() {
		return v
	}
	attrs := map[string]cty.Value{}
	for _, a := range t.Attributes {
		av := v.GetAttr(a.Name)
		if a.Sensitive {
			av = cty.NullVal(a.Type)
		}
		attrs[a.Name] = av
	}
	return cty.ObjectVal(attrs)
}

func encodeObject(t *schema.ResourceType, v cty.Value) (json.RawMessage, error) {
	if v == cty.NilVal {
		return json.RawMessage("null"), nil
	}
	return ctyjson.Marshal(redact(t, v), t.ObjectType())
}

func decodeObject(t *schema.ResourceType, raw json.RawMessage) (cty.Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return cty.NilVal, nil
	}
	return ctyjson.Unmarshal(raw, t.ObjectType())
}

func encodeValue(a *schema.Attribute, v cty.Value) (json.RawMessage, error) {
	if a.Sensitive {
		v = cty.NullVal(a.Type)
	}
	return ctyjson.Marshal(v, a.Type)
}

func decodeValue(a *schema.Attribute, raw json.RawMessage) (cty.Value, error) {
	return ctyjson.Unmarshal(raw, a.Type)
}
