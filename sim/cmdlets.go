package sim

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// cmdlet is one simulated Exchange cmdlet.
type cmdlet struct {
	name   string
	write  bool // changes the tenant: subject to "lost" faults and RBAC write checks
	params []paramSpec
	run    func(x *cmdContext, p params) (*cmdResult, *exError)
}

// cmdContext is what a cmdlet may use: the state (under the store lock), the
// clock, and the replication lag for the change it makes.
type cmdContext struct {
	st  *state
	now time.Time
	lag func() time.Duration
	// changed is set by a cmdlet that modified st, so the store saves it.
	changed bool
}

// stamp is the WhenCreated/WhenChanged value for a change made now: UTC with
// whole seconds, as directory timestamps are.
func (x *cmdContext) stamp() time.Time { return x.now.UTC().Truncate(time.Second) }

// cmdResult is a cmdlet's output: the objects for "value" and the warnings
// for "@adminapi.warnings".
//
// A cmdlet whose output can run to tens of thousands of objects lists keys
// instead (mailbox Guids, in output order) and sets render, which makes the
// output object of one key from the state when its page is served; false
// means the object is gone since it was listed. Listing is cheap and
// rendering is not, so a page costs its own objects only (see pageCache).
type cmdResult struct {
	objects  []object
	keys     []string
	render   func(x *cmdContext, key string) (object, bool)
	warnings []string
}

// len is the number of output objects (keys for a lazy result).
func (r *cmdResult) len() int {
	if r.render != nil {
		return len(r.keys)
	}
	return len(r.objects)
}

// page returns output objects from..to-1 as x's state shows them now.
func (r *cmdResult) page(x *cmdContext, from, to int) []object {
	if r.render == nil {
		return slices.Clone(r.objects[from:to]) // the caller may $select in place
	}
	out := make([]object, 0, to-from)
	for _, k := range r.keys[from:to] {
		if o, ok := r.render(x, k); ok {
			out = append(out, o)
		}
	}
	return out
}

// cmdletRegistry lists every simulated cmdlet by lower-case name. A cmdlet
// not listed here is answered like an unknown cmdlet (403).
var cmdletRegistry = func() map[string]*cmdlet {
	m := map[string]*cmdlet{}
	for _, family := range [][]*cmdlet{inboundConnectorCmdlets(), recipientCmdlets(), ruleCmdlets()} {
		for _, c := range family {
			m[strings.ToLower(c.name)] = c
		}
	}
	return m
}()

func lookupCmdlet(name string) *cmdlet { return cmdletRegistry[strings.ToLower(name)] }

// cmdletNames returns the simulated cmdlet names, sorted, for error texts.
func cmdletNames() []string {
	var out []string
	for _, c := range cmdletRegistry {
		out = append(out, c.name)
	}
	sort.Strings(out)
	return out
}

// confirmParams are the risk-mitigation switches every writing cmdlet takes.
// Confirm:false is what non-interactive clients send; the REST endpoint never
// prompts, so both values just proceed.
var confirmParams = []paramSpec{
	{name: "Confirm", docType: "SwitchParameter", kind: kindSwitch},
	{name: "WhatIf", docType: "SwitchParameter", kind: kindSwitch},
}
