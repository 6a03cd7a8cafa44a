package exchange

import "github.com/exoform/exoform/providers"

// registerRules registers transport rules and the application-scoping resource types.
func registerRules(r *providers.Registry, c invoker) {}
