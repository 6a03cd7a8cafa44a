package sim

import (
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
type cmdResult struct {
	objects  []object
	warnings []string
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
