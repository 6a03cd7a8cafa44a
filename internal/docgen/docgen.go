// Package docgen writes the reference page of a resource type from its schema, so the
// documentation cannot drift from what validate enforces. It never reads anything but the
// schema it is given.
package docgen

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// Resource renders the Markdown reference page of a resource type.
func Resource(t *schema.ResourceType) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", t.Name, t.Description)
	fmt.Fprintf(&b, "The object is found by `%s`. Attributes left out of a configuration are not managed: exoform neither sets nor compares them.\n\n", t.Key)
	fmt.Fprintf(&b, "| attribute | type | sets | notes |\n|---|---|---|---|\n")
	for _, a := range t.Attributes {
		var notes []string
		if a.Required {
			notes = append(notes, "**required**")
		}
		if len(a.Enum) > 0 {
			q := make([]string, len(a.Enum))
			for i, e := range a.Enum {
				q[i] = "`" + e + "`"
			}
			notes = append(notes, "one of "+strings.Join(q, ", "))
		}
		if a.FoldCase {
			notes = append(notes, "compared case-insensitively")
		}
		if a.Sensitive {
			notes = append(notes, "sensitive: never shown or saved")
		}
		notes = append(notes, a.Description)
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", a.Name, typeName(a.Type), a.Wire, strings.Join(notes, "; "))
	}
	return b.String()
}

func typeName(t cty.Type) string {
	switch {
	case t == cty.String:
		return "string"
	case t == cty.Bool:
		return "bool"
	case t == cty.Number:
		return "number"
	case t.IsSetType():
		return "set of " + typeName(t.ElementType())
	case t.IsListType():
		return "list of " + typeName(t.ElementType())
	}
	return t.FriendlyName()
}
