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
	fmt.Fprintf(&b, "%s and %s. Each is described in full in docs/resources/TYPE.md and docs/data-sources/TYPE.md, and by exoform schema --format json.\n",
		count(len(ref.Resources), "resource type"), count(len(ref.DataSources), "data source"))
	for _, t := range append(append([]*Type{}, ref.Resources...), ref.DataSources...) {
		block := "resource"
		if t.Kind == KindData {
			block = "data"
		}
		fmt.Fprintf(&b, "\n%s %q", block, t.Name)
		switch {
		case t.Kind == KindData:
		case len(t.Keys) > 0:
			fmt.Fprintf(&b, " (%s; found by %s)", t.Kind, strings.Join(t.Keys, " and "))
		default:
			fmt.Fprintf(&b, " (%s; one per tenant)", t.Kind)
		}
		fmt.Fprintf(&b, "\n  %s\n  %s\n", t.Description, t.Lifecycle)
		if t.Kind != KindData {
			fmt.Fprintf(&b, "  Never deleted: %s\n", t.NeverDeleted)
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  attributes:\n")
		textAttrs(tw, t.Attributes, "    ")
		_ = tw.Flush() // a strings.Builder never fails
		fmt.Fprintf(tw, "  calls:\n")
		for _, c := range t.Calls {
			fmt.Fprintf(tw, "    %s\t%s\n", c.Name, strings.Join(c.Purposes, ", "))
		}
		_ = tw.Flush()
	}
	return b.String()
}

// count writes n and a noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func textAttrs(tw *tabwriter.Writer, attrs []*Attribute, indent string) {
	for _, a := range attrs {
		rules := append(a.use(), a.rules(func(s string) string { return s })...)
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, a.Name, a.Type, strings.Join(rules, ", "))
		if a.Attributes != nil {
			textAttrs(tw, a.Attributes, indent+"  ")
		}
	}
}
