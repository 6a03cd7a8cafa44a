package exchange_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

func TestCompileApplicationAccessPolicy(t *testing.T) {
	const typ = "exchange_application_access_policy"
	m := providers.Marker{Workspace: "ws"}
	const identity = `contoso.onmicrosoft.com\` + erpAppID + `:S-1-5-21-1-2-3-4;4f1c2b3a-0000-4000-8000-00000000abcd`
	desired := ruleDesired(t, typ, `app_id = "`+erpAppID+`"
policy_scope_group_id = "4f1c2b3a-0000-4000-8000-00000000abcd"
access_right = "DenyAccess"
description = "ERP must not read the board's mail"`)
	bare := ruleDesired(t, typ, `app_id = "`+erpAppID+`"
policy_scope_group_id = "ERP Mailboxes"
access_right = "restrictaccess"`)
	live := func(owner, right, desc string) *providers.LiveObject {
		return ruleLiveObject(t, typ, erpAppID+`\ERP Mailboxes20250209121934`, identity, owner, map[string]cty.Value{
			"app_id": cty.StringVal(erpAppID), "policy_scope_group_id": cty.StringVal("ERP Mailboxes20250209121934"),
			"access_right": cty.StringVal(right), "description": cty.StringVal(desc)})
	}
	assertCompileGolden(t, typ, "application_access_policy", []ruleCompileCase{
		{"create", providers.Change{Kind: providers.Create, Desired: desired, Marker: m}},
		{"create without a description: the marker alone", providers.Change{Kind: providers.Create, Desired: bare, Marker: m}},
		{"update: description keeps the marker", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live("ws", "DenyAccess", "old"), Set: []string{"description"}}},
		{"adopt: keeps the live description", providers.Change{Kind: providers.Update, Desired: bare, Marker: m, WriteMarker: true, Prior: live("", "RestrictAccess", "made by hand")}},
		{"update: access right replaces the policy, remove first", providers.Change{Kind: providers.Update, Desired: desired, Marker: m, Prior: live("ws", "RestrictAccess", "old"), Set: []string{"access_right"}}},
		{"delete by the policy's identity", providers.Change{Kind: providers.Delete, Prior: live("ws", "DenyAccess", ""), Marker: m}},
	})
}
