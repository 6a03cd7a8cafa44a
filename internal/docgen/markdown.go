package docgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exoform/exoform/providers"
)

// Markdown renders the reference page of a type: docs/resources/<name>.md for a resource,
// docs/data-sources/<name>.md for a data source (whose Kind is KindData).
func Markdown(t *Type) string {
	var b strings.Builder
	if t.Kind == KindData {
		fmt.Fprintf(&b, "# data %q\n\n%s %s\n\n", t.Name, t.Description, t.Lifecycle)
	} else {
		fmt.Fprintf(&b, "# %s\n\n%s\n\n", t.Name, t.Description)
		if len(t.Keys) == 0 {
			b.WriteString("The tenant has exactly one; declare it at most once. ")
		} else {
			fmt.Fprintf(&b, "The object is found by %s. ", codeList(t.Keys, " and "))
		}
		fmt.Fprintf(&b, "%s Attributes left out of a configuration are not managed: exoform neither sets nor compares them.\n\n", t.Lifecycle)
		fmt.Fprintf(&b, "**Never deleted:** %s\n\n", t.NeverDeleted)
	}
	fmt.Fprintf(&b, "## Example\n\n```hcl\n%s```\n\nFrom [`%s`](../../%s).\n\n", t.Example.HCL, t.Example.Source, t.Example.Source)
	b.WriteString("## Attributes\n\n")
	attrTable(&b, t.Attributes)
	for _, a := range t.Attributes {
		if a.Attributes != nil {
			fmt.Fprintf(&b, "\n### `%s` blocks\n\n%s Each block takes:\n\n", a.Name, cell(a.Description))
			attrTable(&b, a.Attributes)
		}
	}
	b.WriteString("\n## API calls\n\n")
	b.WriteString(callLegend(t))
	b.WriteString("\n\n| call | used to |\n|---|---|\n")
	for _, c := range t.Calls {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.Name, strings.Join(c.Purposes, ", "))
	}
	return b.String()
}

// callLegend explains the calls table: the services the type uses and the purposes it lists.
func callLegend(t *Type) string {
	var services, purposes []string
	var id, appID bool
	for _, c := range t.Calls {
		if !slices.Contains(services, c.Service) {
			services = append(services, c.Service)
		}
		for _, p := range c.Purposes {
			if !slices.Contains(purposes, p) {
				purposes = append(purposes, p)
			}
		}
		id = id || strings.Contains(c.Name, "{id}")
		appID = appID || strings.Contains(c.Name, "{appId}")
	}
	var b strings.Builder
	for _, s := range services {
		switch s {
		case "exchange":
			b.WriteString("Exchange Online cmdlets, sent through the Exchange Online admin API (InvokeCommand). ")
		case "graph":
			b.WriteString("Microsoft Graph requests, relative to `https://graph.microsoft.com/v1.0` and without their query (`$select`, `$filter`)")
			var vars []string
			if id {
				vars = append(vars, "`{id}` stands for an object's id")
			}
			if appID {
				vars = append(vars, "`{appId}` stands for an application (client) id")
			}
			if len(vars) > 0 {
				b.WriteString("; " + strings.Join(vars, ", "))
			}
			b.WriteString(". ")
		}
	}
	var uses []string
	for _, p := range providers.Purposes {
		if !slices.Contains(purposes, string(p)) {
			continue
		}
		use := map[providers.Purpose]string{
			providers.PurposeRead:   "planning reads the live objects with it",
			providers.PurposeCreate: "apply sends it to create an object",
			providers.PurposeUpdate: "apply sends it to change an object",
			providers.PurposeDelete: "apply sends it to delete an object",
			providers.PurposeGuard:  "a generated PowerShell script reads the object with it before each change",
		}[p]
		switch {
		case t.Kind == KindData && p == providers.PurposeRead:
			use = "the data block looks its object up with it"
		case t.Kind == KindOwned && p == providers.PurposeUpdate:
			use += " (adopting one is a change too)"
		}
		uses = append(uses, fmt.Sprintf("**%s**: %s", p, use))
	}
	b.WriteString(strings.Join(uses, "; ") + ".")
	return b.String()
}

func attrTable(b *strings.Builder, attrs []*Attribute) {
	b.WriteString("| attribute | type | use | API name | notes |\n|---|---|---|---|---|\n")
	for _, a := range attrs {
		notes := []string{a.Description}
		if a.Computed {
			notes = append(notes, "Set by the service, for other blocks and outputs to refer to.")
		}
		for _, r := range a.rules(func(s string) string { return "`" + s + "`" }) {
			notes = append(notes, strings.ToUpper(r[:1])+r[1:]+".")
		}
		wire := "—"
		if a.Wire != "" {
			wire = "`" + a.Wire + "`"
		}
		fmt.Fprintf(b, "| `%s` | `%s` | %s | %s | %s |\n", a.Name, a.Type, strings.Join(a.use(), ", "), wire, cell(strings.Join(notes, " ")))
	}
}

// codeList writes names as code, joined by sep.
func codeList(names []string, sep string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, sep)
}

// cell makes text safe inside a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
