package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// JSON renders the reference as `exoform schema --format json` prints it and docs/schema.json
// holds it (docs/schema-json.md describes it): indented, in registry order, and with <, > and &
// left as they are, since the text is read by editors, not embedded in HTML.
func JSON(ref *Reference) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ref); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Text renders the reference as a terminal summary: per type its description, ownership, keys,
// attributes with their type and rules, and calls. Attribute descriptions and examples are left
// to the Markdown pages and the JSON form, which it names.
func Text(ref *Reference) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d resource types and %d data sources. Each is described in full in docs/resources/TYPE.md and docs/data-sources/TYPE.md, and by exoform schema --format json.\n",
		len(ref.Resources), len(ref.DataSources))
	for _, t := range append(append([]*Type{}, ref.Resources...), ref.DataSources...) {
		block := "resource"
		if t.Kind == KindData {
			block = "data"
		}
		fmt.Fprintf(&b, "\n%s %q (%s", block, t.Name, t.Kind)
		if len(t.Keys) > 0 {
			fmt.Fprintf(&b, "; found by %s", strings.Join(t.Keys, " and "))
		} else if t.Kind != KindData {
			b.WriteString("; one per tenant")
		}
		fmt.Fprintf(&b, ")\n  %s\n  %s\n", t.Description, t.Lifecycle)
		if t.Kind != KindData {
			fmt.Fprintf(&b, "  Never deleted: %s\n", t.NeverDeleted)
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		textAttrs(tw, t.Attributes, "  ")
		_ = tw.Flush() // a strings.Builder never fails
		calls := make([]string, len(t.Calls))
		for i, c := range t.Calls {
			calls[i] = fmt.Sprintf("%s (%s)", c.Name, strings.Join(c.Purposes, ", "))
		}
		fmt.Fprintf(&b, "  calls: %s\n", strings.Join(calls, "; "))
	}
	return b.String()
}

func textAttrs(tw *tabwriter.Writer, attrs []*Attribute, indent string) {
	for _, a := range attrs {
		rules := a.use()
		switch {
		case a.TriState:
			rules = append(rules, `true, false or "inherit"`)
		case len(a.Enum) > 0:
			rules = append(rules, "one of "+strings.Join(a.Enum, ", "))
		}
		if a.FoldCase {
			rules = append(rules, "case-insensitive")
		}
		if a.ForceNew {
			rules = append(rules, "a change replaces the object")
		}
		if a.Sensitive {
			rules = append(rules, "sensitive")
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, a.Name, a.Type, strings.Join(rules, ", "))
		if a.Attributes != nil {
			textAttrs(tw, a.Attributes, indent+"  ")
		}
	}
}
