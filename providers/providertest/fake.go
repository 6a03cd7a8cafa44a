// Package providertest holds test doubles for code that uses providers: a fake resource type
// with an in-memory tenant. Tests of real providers run against the simulated tenant instead.
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
	Name: "fake_widget", Key: "name",
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true},
		{Name: "size", Wire: "Size", Type: cty.String, Enum: []string{"Small", "Large"}},
		{Name: "enabled", Wire: "Enabled", Type: cty.Bool},
		{Name: "domains", Wire: "Domains", Type: cty.Set(cty.String), FoldCase: true},
		{Name: "comment", Wire: "Comment", Type: cty.String},
	},
}

// Tenant is an in-memory store of widgets; it is the fake's resource and executor.
type Tenant struct {
	mu      sync.Mutex
	objects map[string]providers.LiveObject // by lower-case key
	ReadErr error                           // when set, ReadAll fails
	FailOp  string                          // when set, operations whose cmdlet matches fail
	Reads   int
	Ops     []providers.Operation
}

// NewTenant returns a tenant holding objs.
func NewTenant(objs ...providers.LiveObject) *Tenant {
	t := &Tenant{objects: map[string]providers.LiveObject{}}
	for _, o := range objs {
		t.objects[strings.ToLower(o.Key)] = o
	}
	return t
}

// Widget builds a live widget; attrs maps attribute names to values.
func Widget(key, owner string, attrs map[string]cty.Value) providers.LiveObject {
	all := map[string]cty.Value{}
	for _, a := range WidgetType.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	all["name"] = cty.StringVal(key)
	for k, v := range attrs {
		all[k] = v
	}
	return providers.LiveObject{Key: key, ID: "id-" + strings.ToLower(key), Owner: owner, Value: cty.ObjectVal(all)}
}

// Registry returns a registry with the tenant as the fake_widget resource and executor.
func (t *Tenant) Registry() *providers.Registry {
	r := providers.NewRegistry()
	r.AddResource(t)
	r.AddExecutor(t)
	return r
}

// Type implements providers.Resource.
func (t *Tenant) Type() *schema.ResourceType { return WidgetType }

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
		op.Parameters = providers.Params{{Name: "Name", Value: c.Desired.GetAttr("name").AsString()}}
	case providers.Update:
		op.Cmdlet = "Set-Widget"
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}}
	case providers.Delete:
		op.Cmdlet = "Remove-Widget"
		op.Parameters = providers.Params{{Name: "Identity", Value: c.Prior.Key}}
	}
	for _, s := range c.Set {
		if WidgetType.Attribute(s) == nil {
			panic("Compile got a pseudo-attribute in Set: " + s)
		}
		op.Parameters = append(op.Parameters, providers.Param{Name: WidgetType.Attribute(s).Wire, Value: plain(c.Desired.GetAttr(s))})
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
