package schema

import (
	"github.com/hashicorp/hcl/v2"
)

// Config is what the *.exo.hcl files of one directory declare, before evaluation.
type Config struct {
	Dir   string
	Files map[string]*hcl.File // by file name, for source snippets in diagnostics
	// Sources holds each file's bytes; the fingerprint of a saved plan is computed from them.
	Sources map[string][]byte

	Workspace      string
	WorkspaceRange hcl.Range
	// MaxDeletes is the exoform block's max_deletes: the most objects a plan may delete
	// without --allow-deletes. Nil when the block does not set it (the planner's default).
	MaxDeletes      *int
	MaxDeletesRange hcl.Range
	Tenant          *TenantBlock
	Variables       map[string]*Variable
	Locals          map[string]*Local
	Resources       []*Resource // resource and data blocks, in file order
	Outputs         []*Output   // in file order

	declared map[string]*Resource // Resources by address, while loading
	outputs  map[string]*Output   // Outputs by name, while loading
}

// An Output is an `output "NAME"` block: a value printed after plan and apply.
type Output struct {
	Name        string
	Expr        hcl.Expression
	Description string
	Sensitive   bool
	DeclRange   hcl.Range
}

// TenantBlock is `tenant { id = ... }`.
type TenantBlock struct {
	ID        hcl.Expression
	DeclRange hcl.Range
}

// A Variable is a `variable "NAME"` block.
type Variable struct {
	Name        string
	Description string
	Type        hcl.Expression // nil means any
	Default     hcl.Expression // nil means required
	Sensitive   bool
	Validations []*Validation
	DeclRange   hcl.Range
}

// A Validation is a variable's `validation { condition, error_message }` block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// A Local is one entry of a `locals` block.
type Local struct {
	Name string
	Expr hcl.Expression
}

// A Resource is a `resource "TYPE" "NAME"` block, or a `data "TYPE" "NAME"` block, which
// looks up an object without managing it.
type Resource struct {
	Type, Name string
	Data       bool
	ForEach    hcl.Expression // nil without for_each
	DependsOn  []hcl.Traversal
	Lifecycle  Lifecycle
	Body       hcl.Body // the remaining attributes, decoded against the type's schema
	DeclRange  hcl.Range
	TypeRange  hcl.Range
}

// Addr is "TYPE.NAME", or "data.TYPE.NAME" for a data block.
func (r *Resource) Addr() string {
	if r.Data {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// Lifecycle holds a resource's `lifecycle` block.
type Lifecycle struct {
	PreventDestroy bool
	// AllowDestroy opts in to deleting objects that hold data (mailboxes).
	AllowDestroy       bool
	AllowDestroyRange  hcl.Range
	IgnoreChanges      []string
	IgnoreChangesRange map[string]hcl.Range
}
