package sim

import "time"

// rulesState holds transport rules, Exchange service principals, management scopes and role
// assignments (RBAC for Applications), and application access policies.
type rulesState struct{}

func (r *rulesState) ensure()           {}
func (r *rulesState) compact(time.Time) {}

// seedRules adds the demo tenant's rules and app pointers.
func seedRules(st *state) {}

// ruleCmdlets lists the rule- and app-side cmdlets.
func ruleCmdlets() []*cmdlet { return nil }
