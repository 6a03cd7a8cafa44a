// Package examples embeds the example configurations, one directory per scenario, so that the
// reference documentation and `exoform schema` can show a block of each type as the examples
// (which the tests keep valid, planned and applied) write it. It holds no code.
package examples

import "embed"

// FS holds every example's *.exo.hcl files, as examples/<scenario>/<file>.
//
//go:embed */*.exo.hcl
var FS embed.FS
