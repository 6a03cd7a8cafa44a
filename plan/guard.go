package plan

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/exoform/exoform/schema/diag"
)

// DefaultMaxDeletes is how many objects a plan may delete when the configuration sets no
// max_deletes: enough to remove one vendor's setup (an app, its secret, a connector, a few
// rules and mailboxes), few enough that a mistake such as a configuration directory left
// half-checked-out, or a workspace name typed wrong, stops before it deletes a tenant's worth.
const DefaultMaxDeletes = 10

// DeleteGuard is the limit on the deletes of one plan.
type DeleteGuard struct {
	// Max is the most deletes a plan may carry without Allow.
	Max int
	// MaxRange is where the configuration sets Max (nil for the default), for the diagnostic.
	MaxRange *hcl.Range
	// Allow is the --allow-deletes flag: the run accepts up to this many deletes whatever Max
	// says; negative when the flag is not given. A number rather than a yes: approving "the 37
	// deletes I reviewed" must not also approve the 3,000 of a later run.
	Allow int
}

// maxListed bounds the addresses a refusal lists: the count is what matters, and a refusal
// of thousands of deletes should not bury the way out.
const maxListed = 20

// Check refuses a plan whose deletes exceed the limit, naming them and the flag that accepts
// them. Deletes are counted after ownership, prevent_destroy and allow_destroy have removed
// what may never be deleted.
func (g DeleteGuard) Check(pl *Plan) diag.Diagnostics {
	var addrs []string
	for _, c := range pl.Changes {
		if c.Action == Delete {
			addrs = append(addrs, c.Addr)
		}
	}
	n := len(addrs)
	limit, by := g.Max, fmt.Sprintf("max_deletes (%d)", g.Max)
	if g.MaxRange == nil {
		by = fmt.Sprintf("the default limit (%d; set max_deletes in the exoform block to change it)", g.Max)
	}
	if g.Allow >= 0 {
		limit, by = g.Allow, fmt.Sprintf("--allow-deletes %d", g.Allow)
	}
	if n <= limit {
		return nil
	}
	listed := addrs
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], fmt.Sprintf("… and %d more", n-maxListed))
	}
	return diag.Diagnostics{diag.Errorf(g.MaxRange, "The plan deletes more objects than allowed",
		"This plan deletes %d objects, more than %s allows:\n  %s\nIf these deletes are intended, run again with --allow-deletes %d. If they are not, check that the configuration directory is complete and the workspace name is right: exoform deletes the objects this workspace owns that the configuration no longer declares.",
		n, by, strings.Join(listed, "\n  "), n)}
}
