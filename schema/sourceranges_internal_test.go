package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestSourceRangesMatchHCLDec: the evaluator's one-read ranges are exactly hcldec.SourceRange's,
// for attributes set, unset and nested blocks present or not.
func TestSourceRangesMatchHCLDec(t *testing.T) {
	nested := []*Attribute{{Name: "role", Type: cty.String}, {Name: "scope", Type: cty.String}}
	typ := &ResourceType{Name: "t_thing", Keys: []string{"name"}, Attributes: []*Attribute{
		{Name: "name", Type: cty.String, Required: true},
		{Name: "note", Type: cty.String},
		{Name: "tags", Type: cty.Set(cty.String)},
		{Name: "grant", Type: BlockType(nested...), Nested: nested},
		{Name: "other", Type: BlockType(nested...), Nested: nested},
	}}
	bodies := []string{
		`name = "a"
note = "n"
tags = ["x", "y"]
grant {
  role = "r"
}
grant { scope = "s" }
`,
		`name = "b"`,
		``,
		`  other {
}
note = "only"`,
	}
	for _, src := range bodies {
		f, d := hclsyntax.ParseConfig([]byte(src), "t.exo.hcl", hcl.InitialPos)
		if d.HasErrors() {
			t.Fatal(d)
		}
		e := &evaluator{specs: map[*ResourceType]hcldec.ObjectSpec{}, schemas: map[*ResourceType]*hcl.BodySchema{}}
		rangeOf := e.sourceRanges(f.Body, typ)
		sp := attrSpec(typ.Configurable())
		for _, a := range typ.Attributes {
			want := hcldec.SourceRange(f.Body, sp[a.Name])
			if diff := cmp.Diff(want, rangeOf(a.Name)); diff != "" {
				t.Errorf("%q: range of %s (-hcldec +evaluator):\n%s", src, a.Name, diff)
			}
		}
	}
}
