package exchange_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

const (
	erpAppID    = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
	erpObjectID = "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
)

func TestCompileServicePrincipal(t *testing.T) {
	const typ = "exchange_service_principal"
	m := providers.Marker{Workspace: "ws"}
	desired := ruleDesired(t, typ, `app_id = "`+erpAppID+`"
object_id = "`+erpObjectID+`"
display_name = "Contoso ERP"`)
	bare := ruleDesired(t, typ, `app_id = "`+erpAppID+`"
object_id = "`+erpObjectID+`"`)
	live := func(objectID, name string) *providers.LiveObject {
		return ruleLiveObject(t, typ, erpAppID, erpObjectID, "", map[string]cty.Value{
			"app_id": cty.StringVal(erpAppID), "object_id": cty.StringVal(objectID), "display_name": cty.StringVal(name)})
	}
	assertCompileGolden(t, typ, "service_principal", []ruleCompileCase{
		{"create", providers.Change{Kind: providers.Create, Desired: desired, Marker: m}},
		{"create without a display name", providers.Change{Kind: providers.Create, Desired: bare, Marker: m}},
		{"update: display name", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live(erpObjectID, "ERP"), Set: []string{"display_name"}}},
		{"update: object id cannot change", providers.Change{Kind: providers.Update, Desired: desired, Marker: m,
			Prior: live("0a0a0a0a-0000-4000-8000-000000000000", "Contoso ERP"), Set: []string{"object_id"}}},
		{"delete is never compiled", providers.Change{Kind: providers.Delete, Prior: live(erpObjectID, "ERP"), Marker: m}},
	})
}
