package entra

import (
	"fmt"
	"strings"

	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// exchangeAppID is the application id of Office 365 Exchange Online (wire-formats D1).
const exchangeAppID = "00000002-0000-0ff1-ce00-000000000000"

// applicationWarnings warns about full_access_as_app, which opens every mailbox of the tenant
// over EWS: unless something in the configuration scopes the app (an application access policy
// or an RBAC for Applications role assignment that refers to it), and unless the organization
// config allows the app for EWS, which Exchange Online blocks by default since October 2026.
func applicationWarnings(insts []*schema.Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	// What each scoping or allowing instance refers to, directly or not: computed once, so
	// that a configuration of thousands of apps is checked in linear time.
	var deps map[string][]string
	reach := map[*schema.Instance]map[string]bool{}
	for _, in := range insts {
		if in.Type != ApplicationType || !asksFullAccess(in) {
			continue
		}
		if deps == nil {
			deps = dependencies(insts)
			for _, other := range insts {
				switch other.Type.Name {
				case "exchange_application_access_policy", "exchange_management_role_assignment", "exchange_organization_config":
					reach[other] = reachable(deps, other)
				}
			}
		}
		base := in.Resource.Addr()
		scoped, allowed := false, false
		for other, r := range reach {
			if !r[base] {
				continue
			}
			switch other.Type.Name {
			case "exchange_application_access_policy", "exchange_management_role_assignment":
				scoped = true
			case "exchange_organization_config":
				allowed = true
			}
		}
		if !scoped {
			ds.Append(diag.Diagnostic{Severity: diag.Warning, Subject: in.Range("api_permission"), Address: in.Addr,
				Summary: "full_access_as_app opens every mailbox",
				Detail: fmt.Sprintf("%s asks for full_access_as_app, which lets the app read and change every mailbox in the tenant. Scope it: declare an "+
					"exchange_management_role_assignment (RBAC for Applications) or an exchange_application_access_policy that refers to %s.app_id.", in.Addr, base)})
		}
		if !allowed {
			ds.Append(diag.Diagnostic{Severity: diag.Warning, Subject: in.Range("api_permission"), Address: in.Addr,
				Summary: "EWS is blocked unless the organization allows the app",
				Detail: fmt.Sprintf("full_access_as_app is an EWS permission. Since October 2026 Exchange Online blocks EWS for apps not on the organization's allow list, "+
					"and EWS is retired for good in April 2027. Allow the app with exchange_organization_config { ews_allowed_app_ids = [%s.app_id] }, and plan the move to Microsoft Graph.", base)})
		}
	}
	return ds
}

func asksFullAccess(in *schema.Instance) bool {
	v := in.Value.GetAttr("api_permission")
	if v.IsNull() {
		return false
	}
	for _, p := range permsOf(v) {
		api := strings.ToLower(p.api)
		if p.kind == "Role" && p.value == "full_access_as_app" && (api == "office 365 exchange online" || api == exchangeAppID) {
			return true
		}
	}
	return false
}

// dependencies maps each resource address to the addresses its instances refer to.
func dependencies(insts []*schema.Instance) map[string][]string {
	deps := map[string][]string{}
	for _, i := range insts {
		a := i.Resource.Addr()
		deps[a] = append(deps[a], i.DependsOn...)
	}
	return deps
}

// reachable lists the addresses an instance depends on, directly or through other resources
// (a role assignment refers to the Exchange service principal, which refers to the app).
func reachable(deps map[string][]string, in *schema.Instance) map[string]bool {
	seen := map[string]bool{}
	queue := append([]string{}, in.DependsOn...)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if !seen[d] {
			seen[d] = true
			queue = append(queue, deps[d]...)
		}
	}
	return seen
}
