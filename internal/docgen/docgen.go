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
	switch {
	case t.Singleton():
		fmt.Fprintf(&b, "The tenant has exactly one; declare it at most once.")
	default:
		fmt.Fprintf(&b, "The object is found by `%s`.", strings.Join(t.Keys, "` and `"))
	}
	switch t.Kind {
	case schema.Owned:
		b.WriteString(" exoform creates it, adopts an existing one, and deletes it when its declaration is removed and it carries this workspace's ownership marker.")
		if t.DataBearing {
			b.WriteString(" It holds data: deleting it also needs `lifecycle { allow_destroy = true }`, applied before the declaration is removed.")
		}
	case schema.Setting:
		b.WriteString(" exoform only changes its settings; it never creates or deletes it, and removing the declaration stops managing them.")
	case schema.Declared:
		b.WriteString(" exoform creates and updates it, but the object has no field for an ownership marker, so exoform never deletes it: removing the declaration stops managing it.")
	}
	b.WriteString(" Attributes left out of a configuration are not managed: exoform neither sets nor compares them.\n\n")
	attrTable(&b, t.Attributes)
	for _, a := range t.Attributes {
		if a.Nested != nil {
			fmt.Fprintf(&b, "\n## `%s` blocks\n\n%s Each block takes:\n\n", a.Name, a.Description)
			attrTable(&b, a.Nested)
		}
	}
	return b.String()
}

// DataSource renders the Markdown reference page of a data source.
func DataSource(t *schema.ResourceType) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# data \"%s\"\n\n%s A data block only reads the tenant: it never changes anything.\n\n", t.Name, t.Description)
	attrTable(&b, t.Attributes)
	return b.String()
}

func attrTable(b *strings.Builder, attrs []*schema.Attribute) {
	fmt.Fprintf(b, "| attribute | type | sets | notes |\n|---|---|---|---|\n")
	for _, a := range attrs {
		var notes []string
		if a.Computed {
			notes = append(notes, "**computed**: set by the service, for other blocks and outputs to refer to")
		}
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
		typ := typeName(a.Type)
		if a.Nested != nil {
			typ = "blocks"
		}
		fmt.Fprintf(b, "| `%s` | %s | `%s` | %s |\n", a.Name, typ, a.Wire, strings.Join(notes, "; "))
	}
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
