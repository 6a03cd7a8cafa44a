package exchange

import (
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// Guards: what a generated PowerShell script reads and compares just before it makes a change
// (providers.Guard). Every type reads its object with the Get- cmdlet its ReadAll or ReadKeys
// sends, narrowed to the one object by the identity its Set- and Remove- cmdlets take, and
// compares the properties that hold an attribute exactly as that read reports it. An attribute
// whose planned value is not the property as read (a resolved trustee, a value normalised or
// computed from several properties, anything a second cmdlet reports) is listed as unchecked,
// with the reason next to it in the type's guardSpec.

var (
	_ providers.Guarder = (*inboundConnector)(nil)
	_ providers.Guarder = (*transportRule)(nil)
	_ providers.Guarder = (*inboxRule)(nil)
	_ providers.Guarder = (*transportConfig)(nil)
	_ providers.Guarder = (*organizationConfig)(nil)
	_ providers.Guarder = (*casMailbox)(nil)
	_ providers.Guarder = (*sharedMailbox)(nil)
	_ providers.Guarder = (*mailboxPermissions)(nil)
	_ providers.Guarder = (*appAccessPolicy)(nil)
	_ providers.Guarder = (*managementScope)(nil)
	_ providers.Guarder = (*roleAssignment)(nil)
	_ providers.Guarder = (*servicePrincipal)(nil)
)

// A guardSpec says how a type's attributes map to the properties its guard compares. By default
// an attribute is compared in the property named by its Wire, in paramValue's form (the form
// its cmdlets take), as a set for a set, ignoring case for FoldCase and enum attributes, and
// exactly otherwise.
//
// Key attributes are never compared: the Read names the object by them, so the object it
// returns is the one they name. (A mailbox's key is its primary address, which the settings
// types take from the declaration or from another property, and a pending change's placeholder
// has no value for it.)
type guardSpec struct {
	t *schema.ResourceType
	// unchecked names the attributes the guard cannot compare, each with the reason.
	unchecked map[string]string
	// property names the Get- output property of an attribute whose Wire name is not it.
	property map[string]string
	// wire converts a value of an attribute into the property's form, when paramValue's is not.
	wire map[string]func(cty.Value) any
	// derived maps an attribute to the one whose change makes Exchange fill it in (a reject
	// message's status code from its text): when a change sets the other but not this one, its
	// value after the change is the service's default, which the plan did not see.
	derived map[string]string
}

// checks returns the guard's checks of a change and the attributes it leaves unchecked.
func (s *guardSpec) checks(c providers.Change) ([]providers.GuardCheck, []string) {
	set := map[string]bool{}
	for _, n := range c.Set {
		set[n] = true
	}
	checks, unchecked := providers.AttrChecks(s.t, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		if s.t.IsKey(a.Name) {
			return "", nil, 0, false
		}
		if _, ok := s.unchecked[a.Name]; ok {
			return "", nil, 0, false
		}
		if from, ok := s.derived[a.Name]; ok && c.Kind == providers.Update && set[from] && !set[a.Name] {
			return "", nil, 0, false
		}
		prop := a.Wire
		if p, ok := s.property[a.Name]; ok {
			prop = p
		}
		wire := func(v cty.Value) any { return paramValue(a, v) }
		if w, ok := s.wire[a.Name]; ok {
			wire = w
		}
		return prop, wire, guardCompare(a), true
	})
	// The keys are covered by the Read (see guardSpec), not left unchecked.
	kept := unchecked[:0]
	for _, n := range unchecked {
		if !s.t.IsKey(n) {
			kept = append(kept, n)
		}
	}
	unchecked = kept
	if guardPending(s.t, c) {
		// The object is created earlier in the same script, so the plan saw none of its values:
		// only those the change sets are known after it, as for a create (AttrChecks leaves out
		// a create's attributes that are not configured).
		kept := checks[:0]
		for _, ch := range checks {
			if set[ch.Attr] {
				kept = append(kept, ch)
			}
		}
		checks = kept
	}
	sort.Strings(unchecked)
	return checks, unchecked
}

// guardCompare is how a guard compares an attribute: sets as sets, names and enum values
// ignoring case (the planner reads enum values in their canonical case whatever Exchange
// reports), the rest exactly.
func guardCompare(a *schema.Attribute) providers.Compare {
	switch {
	case a.IsSet():
		return providers.CompareSet
	case a.FoldCase || len(a.Enum) > 0:
		return providers.CompareFold
	}
	return providers.CompareExact
}

// guardPending reports whether a change sets up an object that the same plan creates first
// (the CAS settings of a new shared mailbox): its Prior is the planner's placeholder, whose
// attributes are all null. A live object always has its key attributes.
func guardPending(t *schema.ResourceType, c providers.Change) bool {
	if c.Kind != providers.Update || c.Prior == nil || len(t.Keys) == 0 || c.Prior.Value.IsNull() {
		return false
	}
	for _, k := range t.Keys {
		if !c.Prior.Value.GetAttr(k).IsNull() {
			return false
		}
	}
	return true
}

// guardKey is the key of the object a change is about: the live object's, or for a create the
// declared one.
func guardKey(t *schema.ResourceType, c providers.Change) (string, error) {
	key := ""
	if c.Prior != nil {
		key = c.Prior.Key
	} else if !c.Desired.IsNull() {
		key = t.KeyOf(c.Desired)
	}
	if key == "" {
		return "", fmt.Errorf("%s: the change names no object to guard", t.Name)
	}
	return key, nil
}

// guardKind refuses the change kinds a type never compiles, as its Compile does.
func guardKind(t *schema.ResourceType, c providers.Change) error {
	switch {
	case t.Kind == schema.Setting && (c.Kind != providers.Update || c.Prior == nil):
		return fmt.Errorf("%s objects are never created or deleted, only updated", t.Name)
	case t.Kind == schema.Declared && c.Kind == providers.Delete:
		return fmt.Errorf("exoform never deletes %s objects: they carry no ownership marker", t.Name)
	case c.Kind != providers.Create && c.Kind != providers.Update && c.Kind != providers.Delete:
		return fmt.Errorf("unknown change kind %d", c.Kind)
	case c.Kind != providers.Create && c.Prior == nil:
		return fmt.Errorf("%s: an update or delete needs the live object", t.Name)
	}
	return nil
}

// guardByIdentity is the guard of a type whose Get- cmdlet names the object by -Identity <key>,
// with marker the property that carries the ownership marker ("" for none).
func guardByIdentity(s *guardSpec, cmdlet, marker string, c providers.Change) (providers.Guard, error) {
	if err := guardKind(s.t, c); err != nil {
		return providers.Guard{}, err
	}
	key, err := guardKey(s.t, c)
	if err != nil {
		return providers.Guard{}, err
	}
	g := providers.Guard{Read: ruleOp(cmdlet, providers.Param{Name: "Identity", Value: key})}
	g.Checks, g.Unchecked = s.checks(c)
	if marker != "" {
		g.Checks = append(g.Checks, providers.OwnerCheck(c, marker))
	}
	return g, nil
}

// guardMarkerText is the reason every marker-bearing free-text attribute is unchecked.
const guardMarkerText = "the field also carries the ownership marker, which the guard checks on its own; the attribute is the user's text left when the marker is split off, which a comparison of the whole field cannot express"
