package render

import (
	"encoding/json"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// FormatVersion is the version of the JSON plan output. It changes only when a field changes
// meaning or goes away; new fields may be added within a version.
const FormatVersion = "1"

// Model is the presentation of a plan, shared by every format. Its JSON encoding is the
// machine-readable output.
type Model struct {
	FormatVersion string       `json:"format_version"`
	Workspace     string       `json:"workspace"`
	Tenant        string       `json:"tenant"`
	Summary       Summary      `json:"summary"`
	Changes       []ChangeView `json:"changes"`
	Outputs       []OutputView `json:"outputs"`
	Diagnostics   []DiagView   `json:"diagnostics"`
}

// OutputView is one output value; a sensitive one has a null value.
type OutputView struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
	Value       json.RawMessage `json:"value"`
	Text        string          `json:"-"`
}

// Outputs presents output values.
func Outputs(outs []schema.OutputValue) []OutputView {
	views := []OutputView{}
	for _, o := range outs {
		v := OutputView{Name: o.Name, Description: o.Description, Sensitive: o.Sensitive}
		if o.Sensitive {
			v.Value, v.Text = json.RawMessage("null"), "(sensitive)"
		} else {
			v.Value = jsonValue(o.Value)
			v.Text = outputText(o.Value)
		}
		views = append(views, v)
	}
	return views
}

// outputText shows a value in HCL-like syntax, so that objects and maps read as they were
// written.
func outputText(v cty.Value) string {
	if v.IsNull() || !v.Type().IsObjectType() && !v.Type().IsMapType() && !v.Type().IsTupleType() {
		return plan.Display(v)
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return plan.Display(v)
	}
	return string(b)
}

// Summary counts the changes.
type Summary struct {
	Create    int  `json:"create"`
	Adopt     int  `json:"adopt"`
	Update    int  `json:"update"`
	Delete    int  `json:"delete"`
	NoOp      int  `json:"no_op"`
	HasChange bool `json:"has_changes"`
}

// ChangeView is one change. Unchanged objects appear only in the summary counts.
type ChangeView struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Key     string `json:"key"`
	Action  string `json:"action"`
	Owner   string `json:"owner,omitempty"`
	// Pending: settings of an object that an earlier change of this plan creates.
	Pending    bool                  `json:"pending,omitempty"`
	Attributes []AttrView            `json:"attributes"`
	Operations []providers.Operation `json:"operations"`
	Commands   []string              `json:"commands"`
}

// AttrView is one attribute that changes; sensitive values are never included.
type AttrView struct {
	Name      string          `json:"name"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	Sensitive bool            `json:"sensitive,omitempty"`
	// BeforeText and AfterText are the values as the text views show them.
	BeforeText string `json:"-"`
	AfterText  string `json:"-"`
	// BeforeItems and AfterItems are the elements of a list or set value as the text views show
	// them (nil for a null or non-collection value), so that long collections can be cut and
	// sets shown as what is added and removed. Set says the value is a set. UI only.
	BeforeItems []string `json:"-"`
	AfterItems  []string `json:"-"`
	Set         bool     `json:"-"`
}

// DiagView is a diagnostic with its location as file:line:column.
type DiagView struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	Address  string `json:"address,omitempty"`
	Range    string `json:"range,omitempty"`
}

// NewModel builds the presentation of a plan.
func NewModel(p *plan.Plan, types schema.TypeLookup) Model {
	m := Model{FormatVersion: FormatVersion, Workspace: p.Workspace, Tenant: p.Tenant, Changes: []ChangeView{}, Outputs: Outputs(p.Outputs), Diagnostics: Diags(p.Diagnostics)}
	for _, c := range p.Changes {
		switch c.Action {
		case plan.Create:
			m.Summary.Create++
		case plan.Adopt:
			m.Summary.Adopt++
		case plan.Update:
			m.Summary.Update++
		case plan.Delete:
			m.Summary.Delete++
		default:
			m.Summary.NoOp++
			continue
		}
		t, _ := types.ResourceType(c.Type)
		cv := ChangeView{Address: c.Addr, Type: c.Type, Key: c.Key, Action: c.Action.String(), Attributes: []AttrView{}, Operations: c.Operations, Commands: []string{}}
		if cv.Operations == nil {
			cv.Operations = []providers.Operation{}
		}
		if c.Prior != nil {
			cv.Owner = c.Prior.Owner
		}
		cv.Pending = c.Pending
		attrs := c.Attrs
		if c.Action == plan.Delete && t != nil {
			attrs = deletedAttrs(t, c.Prior.Value)
		}
		for _, a := range attrs {
			var at *schema.Attribute
			if t != nil {
				at = t.Attribute(a.Name)
			}
			cv.Attributes = append(cv.Attributes, attrView(at, a))
		}
		for _, op := range c.Operations {
			cv.Commands = append(cv.Commands, Command(op))
		}
		m.Changes = append(m.Changes, cv)
	}
	m.Summary.HasChange = m.Summary.Create+m.Summary.Adopt+m.Summary.Update+m.Summary.Delete > 0
	return m
}

// deletedAttrs shows what a deleted object held, so a reviewer sees what goes away.
func deletedAttrs(t *schema.ResourceType, v cty.Value) []plan.AttrChange {
	var out []plan.AttrChange
	for _, a := range t.Attributes {
		av := v.GetAttr(a.Name)
		if av.IsNull() || (a.IsSet() && av.LengthInt() == 0) {
			continue
		}
		out = append(out, plan.AttrChange{Name: a.Name, Before: av, After: cty.NullVal(a.Type)})
	}
	return out
}

func attrView(at *schema.Attribute, a plan.AttrChange) AttrView {
	v := AttrView{Name: a.Name}
	if at != nil && at.Sensitive {
		v.Sensitive = true
		v.Before, v.After = json.RawMessage("null"), json.RawMessage("null")
		v.BeforeText, v.AfterText = "(sensitive)", "(sensitive)"
		return v
	}
	v.Before, v.BeforeText = jsonValue(a.Before), plan.Display(a.Before)
	v.After, v.AfterText = jsonValue(a.After), plan.Display(a.After)
	v.BeforeItems, v.AfterItems = items(a.Before), items(a.After)
	for _, x := range []cty.Value{a.Before, a.After} {
		if x != cty.NilVal && x.Type().IsSetType() {
			v.Set = true
		}
	}
	return v
}

// items shows the elements of a known list or set; nil for anything else.
func items(v cty.Value) []string {
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() || !(v.Type().IsSetType() || v.Type().IsListType()) {
		return nil
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, plan.Display(e))
	}
	return out
}

func jsonValue(v cty.Value) json.RawMessage {
	if v == cty.NilVal || v.IsNull() {
		return json.RawMessage("null")
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// Diags presents diagnostics.
func Diags(ds diag.Diagnostics) []DiagView {
	out := []DiagView{}
	for _, d := range ds {
		dv := DiagView{Severity: d.Severity.String(), Summary: d.Summary, Detail: d.Detail, Address: d.Address}
		if d.Subject != nil {
			dv.Range = rangeText(d)
		}
		out = append(out, dv)
	}
	return out
}
