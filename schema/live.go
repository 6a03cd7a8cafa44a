package schema

import "github.com/zclconf/go-cty/cty"

// Live answers what only the tenant knows while a configuration is evaluated: the computed
// attributes of objects that exist (an application's app_id) and the answers of data blocks.
// The planner implements it over the same bulk reads it plans from. Evaluate without it (for
// validate) gives placeholders and unknown data, and checks only what it can.
type Live interface {
	// Lookup returns the live object of type t whose key is key, as a value of t.ObjectType(),
	// or found false when there is none. An error means the tenant could not be read.
	Lookup(t *ResourceType, key string) (obj cty.Value, found bool, err error)
	// Query answers a data block: query holds its configured attributes; the answer is a value
	// of t.ObjectType() with the computed attributes filled in.
	Query(t *ResourceType, query cty.Value) (cty.Value, error)
}

// DataTypeLookup is implemented by a TypeLookup that has data sources.
type DataTypeLookup interface {
	DataSourceType(name string) (*ResourceType, bool)
	DataSourceTypeNames() []string
}
