package providers

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// A LiveObject is one object as the tenant reports it now.
type LiveObject struct {
	Key   string    // the natural key as the tenant spells it
	ID    string    // the tenant's immutable id (a Guid), shown for reference
	Value cty.Value // an object of the type's ObjectType, every attribute as read
	Owner string    // the workspace named by the ownership marker; "" when unmarked
	// Protected is the marker's prevent_destroy: the object must not be deleted.
	Protected bool
	// AllowDestroy is the marker's allow_destroy: a data-bearing object may be deleted.
	AllowDestroy bool
	// Names are the other identities the object answers to (a mailbox's addresses, alias, GUID),
	// so a declaration may name it any way the service accepts.
	Names []string
	// Meta holds facts a provider read with the object that are not attributes but that its
	// Compile depends on (the other apps of a shared access policy). Saved plans record it and
	// the staleness check compares it; the planner never matches on it.
	Meta map[string]string
}

// ScopedReader is implemented by types whose API cannot list every object at once (mailbox
// permissions need -Identity): the planner reads only the declared keys. Such reads cost one
// request per declared object, which the service leaves no way around.
type ScopedReader interface {
	// ReadKeys returns the objects found for keys, and the keys whose containing object (the
	// mailbox) the service reported as not existing: the planner accepts those only for a
	// container that the same plan creates, and otherwise reports them, so that a missing
	// mailbox is never read as "no rules yet".
	ReadKeys(ctx context.Context, keys []string) (objs []LiveObject, missing []string, err error)
}

// A DeclaredReader reads every object of its type as ReadAll does, but some of each object's
// attributes (an application's owners and federated credentials) cost a request per object:
// it reads those only for the declared keys and for objects that carry an ownership marker,
// batched. Others come back with those attributes null, which the planner never compares.
type DeclaredReader interface {
	ReadDeclared(ctx context.Context, keys []string) ([]LiveObject, error)
}

// Orderer is implemented by types whose changes interact inside the service (setting a
// transport rule's priority shifts the others): ApplyOrder returns the order, as a permutation
// of indexes into cs, in which the type's changes of one plan should be applied.
type Orderer interface {
	ApplyOrder(cs []Change) []int
}

// Resolver is implemented by types whose values name other objects (permission trustees): it
// rewrites desired identities into the form the service reports, using the objects the plan
// read, so that "alice", "Alice Smith" and "alice@contoso.com" compare equal.
type Resolver interface {
	// Needs lists the types whose live objects Resolve uses.
	Needs() []string
	Resolve(desired cty.Value, live map[string][]LiveObject) (cty.Value, error)
}

// A Resource reads and changes one kind of tenant object.
type Resource interface {
	Type() *schema.ResourceType
	// ReadAll lists every live object of the type in one bulk, paged read. An error means the
	// live state is unknown: callers must never take it for an absence.
	ReadAll(ctx context.Context) ([]LiveObject, error)
	// Compile turns one change into the operations that make it.
	Compile(c Change) ([]Operation, error)
}

// ChangeKind says what a Change does to the tenant object.
type ChangeKind uint8

const (
	// Create makes a new object.
	Create ChangeKind = iota + 1
	// Update changes attributes of an object (and writes the ownership marker when adopting).
	Update
	// Delete removes an object.
	Delete
)

// A Change is what a Resource compiles: the object as it is, and the attributes to set.
type Change struct {
	// Addr is the declaration's address (entra_application.ews), which names the placeholders
	// of the values its operations produce; "" for a delete.
	Addr    string
	Kind    ChangeKind
	Prior   *LiveObject // nil for Create
	Desired cty.Value   // configured values; null attributes are not managed; null for Delete
	Set     []string    // attributes to write (Update: those that differ; Create: all non-null)
	Marker  Marker      // the ownership marker to write
	// WriteMarker makes an Update write Marker: when adopting an unmarked object, or when
	// prevent_destroy changed.
	WriteMarker bool
	// Facts are what the type's FactFinder found when planning.
	Facts map[string]string
}

// A FactFinder is a type whose Compile needs facts about objects other than the one it
// changes (the ids of permissions named in the configuration, on their APIs). Facts finds them
// in what the type read when planning; a saved plan records them, so compiling it again needs
// no connection. An error is a user error (a permission that does not exist).
type FactFinder interface {
	Facts(desired cty.Value) (map[string]string, error)
}

type pendingKey struct{}

// WithPending marks a context for an operation on an object that this apply created moments
// ago: executors may wait out the service's replication delay if it is not found yet.
func WithPending(ctx context.Context) context.Context {
	return context.WithValue(ctx, pendingKey{}, true)
}

// IsPending reports whether WithPending marked the context.
func IsPending(ctx context.Context) bool { v, _ := ctx.Value(pendingKey{}).(bool); return v }

// An Executor sends operations of one service.
type Executor interface {
	Service() Service
	Execute(ctx context.Context, op Operation) error
}

// A ResultExecutor also returns the service's answer, for operations that produce values
// (Operation.Produces).
type ResultExecutor interface {
	ExecuteResult(ctx context.Context, op Operation) (json.RawMessage, error)
}

// A DataSource answers data blocks: it looks up one object that the configuration uses but
// does not manage (a first-party service principal and its permissions).
type DataSource interface {
	Type() *schema.ResourceType
	// Query returns the object that query (the block's configured attributes) names, as a
	// value of the type's ObjectType. Not finding it is an error that says what was looked for.
	Query(ctx context.Context, query cty.Value) (cty.Value, error)
}

// Registry holds the resource types and executors the CLI wired up.
type Registry struct {
	resources map[string]Resource
	data      map[string]DataSource
	executors map[Service]Executor
	checks    []func([]*schema.Instance) diag.Diagnostics
}

// AddConfigCheck registers a check across the instances of a configuration (a warning that
// needs two resources, such as SMTP AUTH on a mailbox the configuration declares as shared).
func (r *Registry) AddConfigCheck(fn func([]*schema.Instance) diag.Diagnostics) {
	r.checks = append(r.checks, fn)
}

// CheckConfig implements schema.ConfigChecker.
func (r *Registry) CheckConfig(insts []*schema.Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, fn := range r.checks {
		ds.Append(fn(insts))
	}
	return ds
}

// NewRegistry builds a registry.
func NewRegistry() *Registry {
	return &Registry{resources: map[string]Resource{}, data: map[string]DataSource{}, executors: map[Service]Executor{}}
}

// AddResource registers a resource type.
func (r *Registry) AddResource(res Resource) { r.resources[res.Type().Name] = res }

// AddDataSource registers a data source.
func (r *Registry) AddDataSource(d DataSource) { r.data[d.Type().Name] = d }

// DataSource returns the data source of a type.
func (r *Registry) DataSource(name string) (DataSource, bool) {
	d, ok := r.data[name]
	return d, ok
}

// DataSourceType implements schema.DataTypeLookup.
func (r *Registry) DataSourceType(name string) (*schema.ResourceType, bool) {
	d, ok := r.data[name]
	if !ok {
		return nil, false
	}
	return d.Type(), true
}

// DataSourceTypeNames lists the registered data sources, sorted.
func (r *Registry) DataSourceTypeNames() []string {
	out := make([]string, 0, len(r.data))
	for n := range r.data {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AddExecutor registers the executor of a service.
func (r *Registry) AddExecutor(e Executor) { r.executors[e.Service()] = e }

// Resource returns the resource of a type.
func (r *Registry) Resource(name string) (Resource, bool) {
	res, ok := r.resources[name]
	return res, ok
}

// Executor returns the executor of a service.
func (r *Registry) Executor(s Service) (Executor, bool) {
	e, ok := r.executors[s]
	return e, ok
}

// ResourceType implements schema.TypeLookup.
func (r *Registry) ResourceType(name string) (*schema.ResourceType, bool) {
	res, ok := r.resources[name]
	if !ok {
		return nil, false
	}
	return res.Type(), true
}

// ResourceTypeNames lists the registered types, sorted.
func (r *Registry) ResourceTypeNames() []string {
	out := make([]string, 0, len(r.resources))
	for n := range r.resources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
