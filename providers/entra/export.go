package entra

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

// Export rules: which live objects "exoform export" declares, and how. Applications and
// service principals are read completely for an export (ReadExport).

// ExportRules never exports client secrets: their values cannot be read back, and declaring
// one would make exoform create a new secret the first time it applies.
func (r *applicationPassword) ExportRules() providers.ExportRules {
	return providers.ExportRules{Never: true,
		Skip: "a client secret's value cannot be read back; declare entra_application_password for the secrets exoform should create and rotate"}
}

// ExportRules declares only the service principals of other publishers' apps that hold a
// permission in this tenant: one without any was created by a user's sign-in and configures
// nothing.
func (r *servicePrincipal) ExportRules() providers.ExportRules {
	return providers.ExportRules{Value: func(o providers.LiveObject) (cty.Value, bool) {
		p := o.Value.GetAttr("api_permission")
		return o.Value, !p.IsNull() && p.IsKnown() && p.LengthInt() > 0
	}}
}
