package exchange_test

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

func schemaValue(a *schema.Attribute, s string) cty.Value {
	if a.IsSet() {
		return cty.SetVal([]cty.Value{cty.StringVal(s)})
	}
	return a.Canonical(cty.StringVal(s))
}
