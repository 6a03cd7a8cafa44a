package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// MainFile holds the workspace, the tenant and its variable.
const MainFile = "main.exo.hcl"

// inlineElems is the longest list written on one line.
const inlineElems = 3

// render writes the configuration: main.exo.hcl, and one file per exported type.
func render(o Options, entries map[string][]entry, keys map[string]map[string]string) (map[string][]byte, error) {
	files := map[string][]byte{MainFile: mainFile(o)}
	types := make([]string, 0, len(entries))
	for t, es := range entries {
		if len(es) > 0 {
			types = append(types, t)
		}
	}
	sort.Strings(types)
	for _, t := range types {
		rt := typeOf(o.Registry, t)
		refs := rulesOf(o.Registry, t).Refs
		f := hclwrite.NewEmptyFile()
		body := f.Body()
		body.AppendUnstructuredTokens(comment(fmt.Sprintf("%s: %d object(s), exported from tenant %s by \"exoform export\".", t, len(entries[t]), o.Tenant)))
		for _, e := range entries[t] {
			body.AppendNewline()
			b := body.AppendNewBlock("resource", []string{t, e.name}).Body()
			if err := writeAttrs(b, rt.Attributes, e.value, refs, keys, o.Registry); err != nil {
				return nil, fmt.Errorf("%s %q: %w", t, e.key, err)
			}
		}
		files[t+".exo.hcl"] = hclwrite.Format(f.Bytes())
	}
	return files, nil
}

func mainFile(o Options) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.AppendUnstructuredTokens(comment(
		"Exported by \"exoform export\". The first plan adopts the objects it declares: it writes",
		"this workspace's ownership marker into them and changes nothing else. Review, then apply.",
	))
	body.AppendNewline()
	body.AppendNewBlock("exoform", nil).Body().SetAttributeValue("workspace", cty.StringVal(o.Workspace))
	body.AppendNewline()
	body.AppendNewBlock("tenant", nil).Body().SetAttributeTraversal("id", hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: "tenant_id"}})
	body.AppendNewline()
	v := body.AppendNewBlock("variable", []string{"tenant_id"}).Body()
	v.SetAttributeRaw("type", hclwrite.TokensForIdentifier("string"))
	v.SetAttributeValue("description", cty.StringVal("The tenant's GUID or initial domain."))
	v.SetAttributeValue("default", cty.StringVal(o.Tenant))
	return hclwrite.Format(f.Bytes())
}

func comment(lines ...string) hclwrite.Tokens {
	var ts hclwrite.Tokens
	for _, l := range lines {
		ts = append(ts, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("# " + l + "\n")})
	}
	return ts
}

// writeAttrs declares an object's attributes in schema order: configurable ones only, and
// only those with a value (an unset or empty value declares nothing the tenant would not
// report as unset). Nested attributes become blocks.
func writeAttrs(b *hclwrite.Body, attrs []*schema.Attribute, v cty.Value, refs map[string]string, keys map[string]map[string]string, reg *providers.Registry) error {
	for _, a := range attrs {
		if a.Computed {
			continue
		}
		av := v.GetAttr(a.Name)
		if av.IsNull() || !av.IsWhollyKnown() {
			continue
		}
		switch {
		case a.Nested != nil:
			for it := av.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				b.AppendNewline()
				nb := b.AppendNewBlock(a.Name, nil).Body()
				if err := writeAttrs(nb, a.Nested, ev, nil, nil, reg); err != nil {
					return fmt.Errorf("%s: %w", a.Name, err)
				}
			}
		case a.IsSet():
			if av.LengthInt() == 0 {
				continue
			}
			b.SetAttributeRaw(a.Name, listTokens(av))
		case av.Type() == cty.String:
			s := av.AsString()
			if s == "" {
				continue
			}
			if ref, ok := reference(refs[a.Name], s, keys, reg); ok {
				b.SetAttributeTraversal(a.Name, ref)
				continue
			}
			if a.TriState && (s == "true" || s == "false") {
				b.SetAttributeValue(a.Name, cty.BoolVal(s == "true"))
				continue
			}
			b.SetAttributeValue(a.Name, av)
		default:
			b.SetAttributeValue(a.Name, av)
		}
	}
	return nil
}

// reference is the traversal to the exported object of type target whose key is s.
func reference(target, s string, keys map[string]map[string]string, reg *providers.Registry) (hcl.Traversal, bool) {
	if target == "" {
		return nil, false
	}
	name, ok := keys[target][strings.ToLower(s)]
	if !ok {
		return nil, false
	}
	rt := typeOf(reg, target)
	if len(rt.Keys) != 1 {
		return nil, false
	}
	return hcl.Traversal{hcl.TraverseRoot{Name: target}, hcl.TraverseAttr{Name: name}, hcl.TraverseAttr{Name: rt.Keys[0]}}, true
}

// listTokens writes a short list on one line and a longer one an element a line, so that a
// change to one element is a one-line diff.
func listTokens(v cty.Value) hclwrite.Tokens {
	elems := v.AsValueSlice()
	if len(elems) <= inlineElems {
		return hclwrite.TokensForValue(cty.TupleVal(elems))
	}
	ts := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
	for _, e := range elems {
		ts = append(ts, hclwrite.TokensForValue(e)...)
		ts = append(ts,
			&hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")},
			&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	return append(ts, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}
