// Package providertest holds test doubles for code that uses providers: a fake resource type
// with an in-memory tenant. Tests of real providers run against the simulated tenant instead,
// connected with SimConnection. It is for tests only: nothing outside _test.go files imports it.
package providertest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// WidgetType is the fake resource type: a named widget with a few settings.
var WidgetType = &schema.ResourceType{
	Name: "fake_widget", Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true},
		{Name: "size", Wire: "Size", Type: cty.String, Enum: []string{"Small", "Large"}},
		{Name: "enabled", Wire: "Enabled", Type: cty.Bool},
		{Name: "domains", Wire: "Domains", Type: cty.Set(cty.String), FoldCase: true},
		{Name: "comment", Wire: "Comment", Type: cty.String},
	},
}

// SettingType is a fake settings type: objects exoform only updates (a mailbox's settings).
var SettingType = &schema.ResourceType{
	Name: "fake_setting", Keys: []string{"identity"}, Kind: schema.Setting,
	Attributes: []*schema.Attribute{
		{Name: "identity", Wire: "Identity", Type: cty.String, Required: true, FoldCase: true},
		{Name: "enabled", Wire: "Enabled", Type: cty.Bool},
		{Name: "auth_disabled", Wire: "AuthDisabled", Type: cty.String, TriState: true, Enum: []string{"true", "false", "inherit"}},
	},
}

// NoteType is a fake declared-only type: created and updated, never deleted (no marker field).
var NoteType = &schema.ResourceType{
	Name: "fake_note", Keys: []string{"box", "name"}, Kind: schema.Declared,
	Attributes: []*schema.Attribute{
		{Name: "box", Wire: "Box", Type: cty.String, Required: true, FoldCase: true},
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true},
		{Name: "priority", Wire: "Priority", Type: cty.Number},
	},
}

// BoxType is a fake data-bearing owned type (a mailbox).
var BoxType = &schema.ResourceType{
	Name: "fake_box", Keys: []string{"address"}, DataBearing: true,
	Attributes: []*schema.Attribute{
		{Name: "address", Wire: "Address", Type: cty.String, Required: true, FoldCase: true},
		{Name: "display_name", Wire: "DisplayName", Type: cty.String},
	},
}

// Tenant is an in-memory store of objects of one type; it is the fake's resource and executor.
type Tenant struct {
	T       *schema.ResourceType
	mu      sync.Mutex
	objects map[string]providers.LiveObject // by lower-case key
	ReadErr error                           // when set, ReadAll fails
	FailOp  string                          // when set, operations whose cmdlet matches fail
	Reads   int
	Ops     []providers.Operation
}

// NewTenant returns a tenant of widgets holding objs.
func NewTenant(objs ...providers.LiveObject) *Tenant { return NewTenantOf(WidgetType, objs...) }

// NewTenantOf returns a tenant of objects of type rt.
func NewTenantOf(rt *schema.ResourceType, objs ...providers.LiveObject) *Tenant {
	t := &Tenant{T: rt, objects: map[string]providers.LiveObject{}}
	for _, o := range objs {
		t.objects[strings.ToLower(o.Key)] = o
	}
	return t
}

// Widget builds a live widget; attrs maps attribute names to values.
func Widget(key, owner string, attrs map[string]cty.Value) providers.LiveObject {
	if attrs == nil {
		attrs = map[string]cty.Value{}
	}
	if _, ok := attrs["name"]; !ok {
		attrs["name"] = cty.StringVal(key)
	}
	return Object(WidgetType, key, owner, attrs)
}

// Object builds a live object of any fake type; attrs maps attribute names to values.
func Object(rt *schema.ResourceType, key, owner string, attrs map[string]cty.Value) providers.LiveObject {
	all := map[string]cty.Value{}
	for _, a := range rt.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	for k, v := range attrs {
		all[k] = v
	}
	return providers.LiveObject{Key: key, ID: "id-" + strings.ToLower(key), Owner: owner, Value: cty.ObjectVal(all)}
}

// Registry returns a registry with the tenant as its type's resource and as the executor.
func (t *Tenant) Registry() *providers.Registry { return Registry(t) }

// Registry returns a registry of several fake tenants; the first one executes operations.
func Registry(ts ...*Tenant) *providers.Registry {
	r := providers.NewRegistry()
	for _, t := range ts {
		r.AddResource(t)
	}
	r.AddExecutor(ts[0])
	return r
}

// Type implements providers.Resource.
func (t *Tenant) Type() *schema.ResourceType { return t.T }

// ReadAll implements providers.Resource.
func (t *Tenant) ReadAll(context.Context) ([]providers.LiveObject, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Reads++
	if t.ReadErr != nil {
		return nil, t.ReadErr
	}
	out := make([]providers.LiveObject, 0, len(t.objects))
	for _, o := range t.objects {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Compile implements providers.Resource with one operation per change, named after the kind.
func (t *Tenant) Compile(c providers.Change) ([]providers.Operation, error) {
	op := providers.Operation{Service: "fake"}
	switch c.Kind {
	case providers.Create:
		op.Cmdlet = "New-Widget"
		op.Parameters = providers.Params{{Name: "Name", Value: t.T.KeyOf(c.Desired)}}
	case providers.Update:
		op.Cmdlet = "Set-Widget"
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}}
	case providers.Delete:
		op.Cmdlet = "Remove-Widget"
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}}
	}
	for _, s := range c.Set {
		if t.T.Attribute(s) == nil {
			panic("Compile got a pseudo-attribute in Set: " + s)
		}
		op.Parameters = append(op.Parameters, providers.Param{Name: t.T.Attribute(s).Wire, Value: plain(c.Desired.GetAttr(s))})
	}
	if c.WriteMarker {
		op.Parameters = append(op.Parameters, providers.Param{Name: "Owner", Value: c.Marker.String()})
	}
	return []providers.Operation{op}, nil
}

// Service implements providers.Executor.
func (t *Tenant) Service() providers.Service { return "fake" }

// Execute records the operation and applies its effect on ownership and existence.
func (t *Tenant) Execute(_ context.Context, op providers.Operation) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.FailOp != "" && op.Cmdlet == t.FailOp {
		return errors.New("injected failure")
	}
	t.Ops = append(t.Ops, op)
	return nil
}

// Set replaces or adds an object, as an administrator would.
func (t *Tenant) Set(o providers.LiveObject) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.objects[strings.ToLower(o.Key)] = o
}

// plain turns a configured value into a parameter value.
func plain(v cty.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.Type() == cty.Bool:
		return v.True()
	case v.Type() == cty.Number:
		i, _ := v.AsBigFloat().Int64()
		return i
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type().IsSetType():
		out := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, e.AsString())
		}
		return out
	}
	return fmt.Sprint(v.GoString())
}

// ScopedTenant is a Tenant read key by key, like mailbox permissions: keys whose container
// (the part before schema.KeySep) is not in Containers are reported missing.
type ScopedTenant struct {
	*Tenant
	Containers map[string]bool // lower-case container keys that exist
}

// ReadKeys implements providers.ScopedReader.
func (s *ScopedTenant) ReadKeys(ctx context.Context, keys []string) ([]providers.LiveObject, []string, error) {
	all, err := s.ReadAll(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []providers.LiveObject
	var missing []string
	for _, k := range keys {
		c, _, _ := strings.Cut(k, schema.KeySep)
		if !s.Containers[strings.ToLower(c)] {
			missing = append(missing, k)
			continue
		}
		for _, o := range all {
			if strings.EqualFold(o.Key, k) {
				out = append(out, o)
			}
		}
	}
	return out, missing, nil
}

// Guard implements providers.Guarder: the widget is read by its key, every attribute is
// compared, and the ownership marker is read from the "Owner" property.
func (t *Tenant) Guard(c providers.Change) (providers.Guard, error) {
	var key string
	if c.Prior != nil {
		key = c.Prior.Key
	} else {
		key = t.T.KeyOf(c.Desired)
	}
	g := providers.Guard{Read: providers.Operation{Service: "fake", Cmdlet: "Get-Widget", Parameters: providers.Params{{Name: "Identity", Value: key}}}}
	g.Checks, g.Unchecked = providers.AttrChecks(t.T, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		cmp := providers.CompareExact
		switch {
		case a.IsSet():
			cmp = providers.CompareSet
		case a.FoldCase:
			cmp = providers.CompareFold
		}
		return a.Wire, plain, cmp, a.Name != "comment"
	})
	if t.T.Kind == schema.Owned {
		g.Checks = append(g.Checks, providers.OwnerCheck(c, "Owner"))
	}
	return g, nil
}
