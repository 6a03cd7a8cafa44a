package providers

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// ExportRules say how "exoform export" declares the live objects of one type. A type without
// rules (no Exporter) is exported whole: every object, every attribute as read.
type ExportRules struct {
	// Skip says why the type is left out of an export unless --types names it, or, with
	// Never, at all (its objects cannot be read in bulk, or hold a secret nobody can read).
	Skip  string
	Never bool
	// Scope names the type whose exported objects' keys are this type's keys: a ScopedReader
	// can only read the objects it is asked for (the permissions of the exported shared
	// mailboxes).
	Scope string
	// Refs maps an attribute to the type whose key it names: where the value is the key of an
	// exported object of that type, export writes a reference to it instead of the name.
	Refs map[string]string
	// Value returns what to declare for an object (null attributes are left out), or false to
	// leave the object out: a built-in object, or settings that only repeat the defaults. Nil
	// declares every object with every attribute as read.
	Value func(LiveObject) (cty.Value, bool)
}

// An Exporter is a type with export rules.
type Exporter interface {
	ExportRules() ExportRules
}

// An ExportReader reads every object of its type completely for an export: a DeclaredReader
// reads some attributes (an application's owners) only for declared or owned objects, which
// an export of a tenant configured by hand would miss.
type ExportReader interface {
	ReadExport(ctx context.Context) ([]LiveObject, error)
}
