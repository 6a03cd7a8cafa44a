package exchange

import "github.com/exoform/exoform/providers"

// registerRules registers transport rules and the application-scoping resource types:
// Exchange service principals, management scopes, RBAC for Applications role assignments and
// the legacy application access policies.
func registerRules(r *providers.Registry, c invoker) {
	r.AddResource(&transportRule{c: c})
	r.AddResource(&servicePrincipal{c: c})
	r.AddResource(&managementScope{c: c})
	r.AddResource(&roleAssignment{c: c})
	r.AddResource(&appAccessPolicy{c: c})
	r.AddConfigCheck(checkRulePriorities)
	r.AddConfigCheck(roleAssignmentConfigWarnings)
}
