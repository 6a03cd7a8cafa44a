package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// GrantAttrs are the attributes of fake_app's repeatable grant block.
var GrantAttrs = []*schema.Attribute{
	{Name: "resource", Wire: "resource", Type: cty.String, Required: true, FoldCase: true},
	{Name: "scopes", Wire: "scopes", Type: cty.Set(cty.String), FoldCase: true},
	{Name: "kind", Wire: "kind", Type: cty.String, Enum: []string{"Delegated", "Application"}},
}

// AppType is a fake application: the service sets its app_id when it creates it, and it has a
// repeatable grant block.
var AppType = &schema.ResourceType{
	Name: "fake_app", Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "displayName", Type: cty.String, Required: true, FoldCase: true},
		{Name: "app_id", Wire: "appId", Type: cty.String, Computed: true},
		{Name: "grant", Wire: "grants", Type: schema.BlockType(GrantAttrs...), Nested: GrantAttrs},
	},
}

// AppService is the service AppTenant's operations go to, a Graph-like API that answers.
const AppService providers.Service = "fakegraph"

// AppTenant is a Tenant of applications. Its operations are Graph-like requests with JSON
// bodies; creating an application produces its app_id from the answer. It is its own
// executor for AppService and implements providers.ResultExecutor.
type AppTenant struct {
	*Tenant
	// Answer, when set, is the service's answer to an operation; by default a POST answers
	// {"id": ..., "appId": "app-id-of-NAME"} and anything else {}.
	Answer func(op providers.Operation) (json.RawMessage, error)
}

// NewAppTenant returns a tenant of applications holding objs.
func NewAppTenant(objs ...providers.LiveObject) *AppTenant {
	return &AppTenant{Tenant: NewTenantOf(AppType, objs...)}
}

// App builds a live application.
func App(name, owner, appID string, grants ...cty.Value) providers.LiveObject {
	attrs := map[string]cty.Value{"name": cty.StringVal(name), "app_id": cty.StringVal(appID)}
	if len(grants) > 0 {
		attrs["grant"] = cty.SetVal(grants)
	}
	o := Object(AppType, name, owner, attrs)
	o.ID = "obj-" + strings.ToLower(name)
	return o
}

// Grant builds one grant block; kind "" leaves it null, scopes nil leaves them null.
func Grant(resource, kind string, scopes ...string) cty.Value {
	k := cty.NullVal(cty.String)
	if kind != "" {
		k = cty.StringVal(kind)
	}
	s := cty.NullVal(cty.Set(cty.String))
	if scopes != nil {
		s = cty.SetValEmpty(cty.String)
		if len(scopes) > 0 {
			vs := make([]cty.Value, len(scopes))
			for i, sc := range scopes {
				vs[i] = cty.StringVal(sc)
			}
			s = cty.SetVal(vs)
		}
	}
	return cty.ObjectVal(map[string]cty.Value{"resource": cty.StringVal(resource), "kind": k, "scopes": s})
}

// Compile implements providers.Resource: a create produces the new application's app_id.
func (t *AppTenant) Compile(c providers.Change) ([]providers.Operation, error) {
	op := providers.Operation{Service: AppService}
	switch c.Kind {
	case providers.Create:
		op.Method, op.Path = "POST", "/applications"
		op.Produces = map[string]string{"appId": c.Addr + ".app_id"}
	case providers.Update:
		op.Method, op.Path = "PATCH", "/applications/"+c.Prior.ID
	case providers.Delete:
		op.Method, op.Path = "DELETE", "/applications/"+c.Prior.ID
		return []providers.Operation{op}, nil
	}
	body := map[string]json.RawMessage{}
	set := c.Set
	if c.Kind == providers.Create {
		set = append([]string{"name"}, set...)
	}
	for _, s := range set {
		a := t.T.Attribute(s)
		if a == nil || a.Computed {
			return nil, fmt.Errorf("cannot set %s", s)
		}
		b, err := ctyjson.Marshal(c.Desired.GetAttr(s), a.Type)
		if err != nil {
			return nil, err
		}
		body[a.Wire] = b
	}
	if c.WriteMarker || c.Kind == providers.Create {
		b, _ := json.Marshal(c.Marker.String())
		body["notes"] = b
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	op.Body = b
	return []providers.Operation{op}, nil
}

// Service implements providers.Executor.
func (t *AppTenant) Service() providers.Service { return AppService }

// Execute implements providers.Executor.
func (t *AppTenant) Execute(ctx context.Context, op providers.Operation) error {
	_, err := t.ExecuteResult(ctx, op)
	return err
}

// ExecuteResult implements providers.ResultExecutor: it records the operation and answers.
func (t *AppTenant) ExecuteResult(_ context.Context, op providers.Operation) (json.RawMessage, error) {
	t.mu.Lock()
	t.Ops = append(t.Ops, op)
	t.mu.Unlock()
	if t.Answer != nil {
		return t.Answer(op)
	}
	if op.Method != "POST" {
		return json.RawMessage(`{}`), nil
	}
	var body struct {
		Name string `json:"displayName"`
	}
	_ = json.Unmarshal(op.Body, &body)
	return json.Marshal(map[string]string{"id": "obj-" + strings.ToLower(body.Name), "appId": "app-id-of-" + strings.ToLower(body.Name)})
}

// DeclaredTenant is a Tenant read as a providers.DeclaredReader: it records the keys it was
// asked for.
type DeclaredTenant struct {
	*Tenant
	mu   sync.Mutex
	Keys [][]string // the keys of each ReadDeclared call
}

// ReadDeclared implements providers.DeclaredReader.
func (d *DeclaredTenant) ReadDeclared(ctx context.Context, keys []string) ([]providers.LiveObject, error) {
	d.mu.Lock()
	d.Keys = append(d.Keys, append([]string{}, keys...))
	d.mu.Unlock()
	return d.ReadAll(ctx)
}

// PrincipalType is a fake data source's type: a service principal looked up by app_id.
var PrincipalType = &schema.ResourceType{
	Name: "fake_principal", Keys: []string{"app_id"},
	Attributes: []*schema.Attribute{
		{Name: "app_id", Type: cty.String, Required: true},
		{Name: "object_id", Type: cty.String, Computed: true},
		{Name: "roles", Type: cty.Set(cty.String), Computed: true},
	},
}

// Principals is a fake providers.DataSource of service principals by app_id.
type Principals struct {
	mu      sync.Mutex
	byAppID map[string]cty.Value
	Queries []cty.Value
}

// NewPrincipals returns a data source that knows a principal per app id: object id and roles.
func NewPrincipals(objectIDs map[string]string, roles ...string) *Principals {
	p := &Principals{byAppID: map[string]cty.Value{}}
	sort.Strings(roles)
	rs := cty.SetValEmpty(cty.String)
	if len(roles) > 0 {
		vs := make([]cty.Value, len(roles))
		for i, r := range roles {
			vs[i] = cty.StringVal(r)
		}
		rs = cty.SetVal(vs)
	}
	for appID, oid := range objectIDs {
		p.byAppID[appID] = cty.ObjectVal(map[string]cty.Value{"app_id": cty.StringVal(appID), "object_id": cty.StringVal(oid), "roles": rs})
	}
	return p
}

// Type implements providers.DataSource.
func (p *Principals) Type() *schema.ResourceType { return PrincipalType }

// Query implements providers.DataSource.
func (p *Principals) Query(_ context.Context, q cty.Value) (cty.Value, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Queries = append(p.Queries, q)
	id := q.GetAttr("app_id")
	if id.IsNull() || !id.IsKnown() {
		return cty.NilVal, fmt.Errorf("a service principal is looked up by app_id")
	}
	v, ok := p.byAppID[id.AsString()]
	if !ok {
		return cty.NilVal, fmt.Errorf("no service principal has the appId %q", id.AsString())
	}
	return v, nil
}
