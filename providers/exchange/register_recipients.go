package exchange

import "github.com/exoform/exoform/providers"

// registerRecipients registers the recipient-side resource types.
func registerRecipients(r *providers.Registry, c invoker) {}
