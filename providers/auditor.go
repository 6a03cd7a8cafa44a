package providers

import (
	"context"

	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// An Auditor is a resource type that also checks the hygiene of the live tenant: findings that
// are not differences from the configuration, so no plan would ever show them, but that an
// administrator must act on before something breaks (a client secret about to expire that
// nothing rotates). The planner calls every Auditor of its registry once per plan, after its
// own reads, and adds the findings to the plan's diagnostics; they therefore appear in every
// output format, and a nightly plan reports them next to drift.
//
// An Auditor only reads. It judges time by the clock its provider was given (the planner never
// reads the clock), and a read that fails is an error: it never reports a clean tenant that it
// could not see.
type Auditor interface {
	// Audit returns warnings about the live objects in the audit's scope, which it reads itself
	// in bulk. Every diagnostic names the object in Address and says what to do in Detail.
	Audit(ctx context.Context, in AuditInput) (diag.Diagnostics, error)
}

// AuditInput is what an audit knows of the configuration: it decides which live objects are in
// scope (those the configuration declares or that carry the workspace's ownership marker) and
// which of them something already manages.
type AuditInput struct {
	Workspace string
	// Instances are the configuration's resource instances, evaluated against the tenant.
	Instances []*schema.Instance
}
