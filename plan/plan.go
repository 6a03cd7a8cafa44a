package plan

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// Action is what a plan does to one object.
type Action uint8

const (
	// NoOp leaves a declared object as it is: it already matches.
	NoOp Action = iota
	// Create makes a declared object that does not exist.
	Create
	// Adopt takes over an existing object that carries no ownership marker, writes the marker,
	// and makes it match.
	Adopt
	// Update changes attributes of an object this workspace owns.
	Update
	// Delete removes an object this workspace owns that the configuration no longer declares.
	Delete
)

var actionNames = [...]string{NoOp: "no-op", Create: "create", Adopt: "adopt", Update: "update", Delete: "delete"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// ParseAction reads an action name.
func ParseAction(s string) (Action, bool) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), true
		}
	}
	return 0, false
}

// A Change is the plan for one object.
type Change struct {
	Addr   string // the configuration address; for a delete, TYPE["KEY"]
	Type   string
	Key    string
	Action Action
	// Prior is the object as read when planning (nil for Create). A saved plan records it, and
	// apply refuses if the object no longer looks like this.
	Prior *providers.LiveObject
	// After is the object as it will be: the configured values over the live ones (null for
	// Delete).
	After cty.Value
	Attrs []AttrChange // the attributes that change
	// Marker is the ownership marker the change writes (create, adopt, a prevent_destroy change)
	// or requires (delete: the object must carry this workspace's marker).
	Marker     providers.Marker
	Operations []providers.Operation
	DependsOn  []string
	// Pending marks a change of settings of an object that this plan creates first (the CAS
	// settings of a new shared mailbox): it could not be read, so Prior is a placeholder with no
	// values, the staleness check skips it, and apply waits out replication for it.
	Pending bool
	// Facts are what the change's compilation needs to know about other objects (a
	// permission's id on its API), found by the resource when planning; saved plans record them.
	Facts map[string]string
}

// PreventDestroyAttr names the pseudo-attribute under which a plan shows a change of the
// marker's prevent_destroy.
const PreventDestroyAttr = "lifecycle.prevent_destroy"

// AllowDestroyAttr is the same for allow_destroy.
const AllowDestroyAttr = "lifecycle.allow_destroy"

// isMarkerAttr reports whether an attribute change is a change of the ownership marker.
func isMarkerAttr(name string) bool { return name == PreventDestroyAttr || name == AllowDestroyAttr }

// An AttrChange is one attribute's before and after.
type AttrChange struct {
	Name   string
	Before cty.Value
	After  cty.Value
}

// A Plan is every change, in the order apply makes them.
type Plan struct {
	Workspace string
	Tenant    string
	// Fingerprint identifies the configuration and variable values the plan came from.
	Fingerprint string
	Changes     []*Change // NoOp changes included, for summaries
	Diagnostics diag.Diagnostics
	// Outputs are the configuration's output values, shown with the plan. Saved plans do not
	// record them: apply evaluates the configuration again.
	Outputs []schema.OutputValue
	// Known holds, after Apply, the values its operations produced, by placeholder reference.
	Known map[string]string
}

// Counts returns the number of changes of each action.
func (p *Plan) Counts() map[Action]int {
	out := map[Action]int{}
	for _, c := range p.Changes {
		out[c.Action]++
	}
	return out
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// Operations lists every operation in order.
func (p *Plan) Operations() []providers.Operation {
	var out []providers.Operation
	for _, c := range p.Changes {
		out = append(out, c.Operations...)
	}
	return out
}

// KnownOutputs are the plan's outputs with the values apply produced filled in.
func (p *Plan) KnownOutputs() []schema.OutputValue {
	out := make([]schema.OutputValue, len(p.Outputs))
	for i, o := range p.Outputs {
		o.Value, _ = cty.Transform(o.Value, func(_ cty.Path, v cty.Value) (cty.Value, error) {
			if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
				return v, nil
			}
			s, _ := schema.ReplacePlaceholders(v.AsString(), p.Known)
			return cty.StringVal(s), nil
		})
		out[i] = o
	}
	return out
}
