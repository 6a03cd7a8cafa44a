package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// compile turns a planned change into operations. Everything it uses is recorded in a saved
// plan, so Verify can compile a saved change again and compare.
func compile(res providers.Resource, c *Change) ([]providers.Operation, error) {
	pc, ok := providerChange(c)
	if !ok {
		return nil, nil
	}
	return res.Compile(pc)
}

// providerChange is the change as a provider sees it; false for a no-op.
func providerChange(c *Change) (providers.Change, bool) {
	pc := providers.Change{Addr: c.Addr, Prior: c.Prior, Desired: c.After, Marker: c.Marker, Facts: c.Facts}
	switch c.Action {
	case Create:
		pc.Kind = providers.Create
	case Adopt, Update:
		pc.Kind = providers.Update
		pc.WriteMarker = c.Action == Adopt
	case Delete:
		pc.Kind = providers.Delete
	default:
		return pc, false
	}
	for _, a := range c.Attrs {
		if isMarkerAttr(a.Name) {
			pc.WriteMarker = true
			continue
		}
		pc.Set = append(pc.Set, a.Name)
	}
	return pc, true
}

// Verify checks that a saved plan is one exoform could have made: every change respects the
// ownership rules for its action, and its operations are exactly those its recorded before and
// after values compile to. A plan file edited by hand, or made by another tool, is refused
// before anything is sent, so what `show` displays is what `apply` does.
func (p *Planner) Verify(pl *Plan) error {
	for i, c := range pl.Changes {
		if err := p.verifyChange(pl.Workspace, c, pl.Changes[:i]); err != nil {
			return fmt.Errorf("%s: %w", c.Addr, err)
		}
	}
	return nil
}

// verifyPending checks a pending change: its prior is the empty placeholder, and a change
// before it, of a resource it depends on, creates the object it belongs to.
func verifyPending(workspace string, c *Change, before []*Change, t *schema.ResourceType) error {
	p := c.Prior
	if p == nil || !strings.EqualFold(p.Key, c.Key) || p.Owner != "" || p.ID != "" || len(p.Names) > 0 || len(p.Meta) > 0 || p.Protected || p.AllowDestroy {
		return fmt.Errorf("a pending change must start from an empty placeholder")
	}
	for _, a := range t.Attributes {
		if !p.Value.GetAttr(a.Name).IsNull() {
			return fmt.Errorf("a pending change must start from an empty placeholder")
		}
	}
	deps := map[string]bool{}
	for _, d := range c.DependsOn {
		deps[d] = true
	}
	for _, b := range before {
		res, _, _ := strings.Cut(b.Addr, "[")
		if b.Action == Create && deps[res] && strings.EqualFold(b.Key, containerOf(c.Key)) {
			return nil
		}
	}
	return fmt.Errorf("a pending change must follow the create of the object it belongs to")
}

func (p *Planner) verifyChange(workspace string, c *Change, before []*Change) error {
	res, ok := p.Registry.Resource(c.Type)
	if !ok {
		return fmt.Errorf("unknown resource type %q", c.Type)
	}
	t := res.Type()
	if c.Marker.Workspace != workspace {
		return fmt.Errorf("the change writes the marker of workspace %q, but the plan is for %q", c.Marker.Workspace, workspace)
	}
	switch {
	case t.Kind == schema.Setting && c.Action != Update:
		return fmt.Errorf("%s objects are only ever updated", t.Name)
	case t.Kind == schema.Declared && c.Action != Create && c.Action != Update:
		return fmt.Errorf("%s objects are only ever created or updated", t.Name)
	case t.Kind != schema.Owned && c.Prior != nil && c.Prior.Owner != "":
		return fmt.Errorf("%s objects carry no ownership marker", t.Name)
	case c.Pending && t.Kind != schema.Setting:
		return fmt.Errorf("only settings of an object the plan creates can be pending")
	}
	if c.Pending {
		if err := verifyPending(workspace, c, before, t); err != nil {
			return err
		}
	}
	switch c.Action {
	case Create:
		if c.Prior != nil {
			return fmt.Errorf("a create cannot have a prior object")
		}
	case Adopt:
		if c.Prior == nil || c.Prior.Owner != "" {
			return fmt.Errorf("only an existing object without an ownership marker can be adopted")
		}
	case Update:
		if c.Prior == nil || (t.Kind == schema.Owned && c.Prior.Owner != workspace) {
			return fmt.Errorf("only an object carrying this workspace's marker can be updated")
		}
	case Delete:
		if c.Prior == nil || c.Prior.Owner != workspace || c.Prior.Protected || (t.DataBearing && !c.Prior.AllowDestroy) {
			return fmt.Errorf("only an object carrying this workspace's marker, without prevent_destroy (and with allow_destroy if it holds data), can be deleted")
		}
	default:
		return fmt.Errorf("unexpected action %s", c.Action)
	}
	if c.Action != Delete {
		if c.After.IsNull() {
			return fmt.Errorf("a %s needs the object's values after the change", c.Action)
		}
		for _, a := range c.Attrs {
			if isMarkerAttr(a.Name) {
				if t.Kind != schema.Owned {
					return fmt.Errorf("%s objects carry no ownership marker", t.Name)
				}
				continue
			}
			at := t.Attribute(a.Name)
			if at == nil || !equalAttr(at, a.After, c.After.GetAttr(a.Name)) {
				return fmt.Errorf("the attribute change of %s does not match the object after the change", a.Name)
			}
		}
	}
	want, err := compile(res, c)
	if err != nil {
		return err
	}
	got, _ := json.Marshal(c.Operations)
	exp, _ := json.Marshal(want)
	if !bytes.Equal(got, exp) {
		return fmt.Errorf("the recorded operations are not the ones this change compiles to; the plan file was altered")
	}
	return nil
}

// ProviderChange is the change as its resource sees it (what Compile and a script's guard
// take); false for a no-op.
func ProviderChange(c *Change) (providers.Change, bool) { return providerChange(c) }
