package sim

import (
	"sort"
	"strings"
	"time"
)

// rulesState holds transport rules, Exchange service principals, management scopes and role
// assignments (RBAC for Applications), and application access policies.
//
// Every object is a versioned record keyed by its GUID (policies by theirs),
// like the inbound connectors, so the replication lag applies to them too.
type rulesState struct {
	TransportRules            map[string]*versioned[transportRule]    `json:"transport_rules"`
	ServicePrincipals         map[string]*versioned[servicePrincipal] `json:"service_principals"`
	ManagementScopes          map[string]*versioned[managementScope]  `json:"management_scopes"`
	RoleAssignments           map[string]*versioned[roleAssignment]   `json:"role_assignments"`
	ApplicationAccessPolicies map[string]*versioned[appAccessPolicy]  `json:"application_access_policies"`
}

func (r *rulesState) ensure() {
	if r.TransportRules == nil {
		r.TransportRules = map[string]*versioned[transportRule]{}
	}
	if r.ServicePrincipals == nil {
		r.ServicePrincipals = map[string]*versioned[servicePrincipal]{}
	}
	if r.ManagementScopes == nil {
		r.ManagementScopes = map[string]*versioned[managementScope]{}
	}
	if r.RoleAssignments == nil {
		r.RoleAssignments = map[string]*versioned[roleAssignment]{}
	}
	if r.ApplicationAccessPolicies == nil {
		r.ApplicationAccessPolicies = map[string]*versioned[appAccessPolicy]{}
	}
}

func (r *rulesState) compact(now time.Time) {
	settleAll(r.TransportRules, now)
	settleAll(r.ServicePrincipals, now)
	settleAll(r.ManagementScopes, now)
	settleAll(r.RoleAssignments, now)
	settleAll(r.ApplicationAccessPolicies, now)
}

// seedRules adds the demo tenant's rules and app pointers: one transport rule
// an administrator made by hand (no exoform marker in its Comments), and no
// service principals, scopes, role assignments or access policies.
func seedRules(st *state) {
	st.Exchange.rulesState.ensure()
	created := time.Date(2020, 6, 8, 14, 2, 37, 0, time.UTC)
	r := newTransportRule(nameGUID(st.Tenant.ID+":transportrule:legacy-exe"), "Block executable attachments (legacy)", created)
	r.Comments = strPtr("Added after the 2020 invoice-malware incident (ticket SEC-1182). Do not disable without asking the security team.")
	r.Bools["AttachmentHasExecutableContent"] = true
	r.Lists["ExceptIfSenderDomainIs"] = []string{"fabrikam.com"}
	r.Strings["RejectMessageReasonText"] = "Executable attachments are not accepted. Share the file through OneDrive instead."
	r.Strings["RejectMessageEnhancedStatusCode"] = "5.7.1"
	r.Bools["StopRuleProcessing"] = true
	r.WhenChanged = created.Add(41 * 24 * time.Hour)
	st.Exchange.TransportRules[r.Guid] = &versioned[transportRule]{Current: r}
}

// ruleCmdlets lists the rule- and app-side cmdlets.
func ruleCmdlets() []*cmdlet {
	var out []*cmdlet
	for _, f := range [][]*cmdlet{transportRuleCmdlets(), servicePrincipalCmdlets(), managementScopeCmdlets(), roleAssignmentCmdlets(), appAccessPolicyCmdlets()} {
		out = append(out, f...)
	}
	return out
}

// settleAll forgets expired replication state and drops removals that have
// replicated.
func settleAll[T any](m map[string]*versioned[T], now time.Time) {
	for id, v := range m {
		if v.settle(now) {
			delete(m, id)
		}
	}
}

// masterList returns the master copies (what writes see), sorted by key so
// that results do not depend on map order.
func masterList[T any](m map[string]*versioned[T]) []*T {
	return collect(m, func(v *versioned[T]) *T { return v.Current })
}

// visibleList returns what reads at now see, sorted by key.
func visibleList[T any](m map[string]*versioned[T], now time.Time) []*T {
	return collect(m, func(v *versioned[T]) *T { return v.visible(now) })
}

// sortedKeys returns the map's keys in order, for deterministic scans.
func sortedKeys[T any](m map[string]*versioned[T]) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func collect[T any](m map[string]*versioned[T], pick func(*versioned[T]) *T) []*T {
	var out []*T
	for _, k := range sortedKeys(m) {
		if o := pick(m[k]); o != nil {
			out = append(out, o)
		}
	}
	return out
}

// sortByName orders objects by name, case-insensitively, then by key.
func sortByName[T any](list []*T, name func(*T) string, key func(*T) string) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := strings.ToLower(name(list[i])), strings.ToLower(name(list[j]))
		if a != b {
			return a < b
		}
		return key(list[i]) < key(list[j])
	})
}

// checkObjectName validates a new name for the rule-side objects: not blank
// and at most max characters. Callers check uniqueness.
func checkObjectName(name string, max int) *exError {
	if strings.TrimSpace(name) == "" {
		return errBadRequest(excParameter, "Cannot bind argument to parameter 'Name' because it is an empty string.")
	}
	if n := len([]rune(name)); n > max {
		return errBadRequest(excValidation, "The length of the property is too long. The maximum length is %d and the length of the value provided is %d.", max, n)
	}
	return nil
}

// noChange is the warning a Set-* that changes nothing returns.
func noChange(name string) *cmdResult {
	return &cmdResult{warnings: []string{"The command completed successfully but no settings of '" + name + "' have been modified."}}
}

// configDN is a distinguished name in the tenant's configuration unit under
// the given container path (the sim's invention, as for connectors).
func configDN(st *state, name, containers string) string {
	return "CN=" + name + "," + containers + ",CN=Configuration,CN=" + st.Tenant.InitialDomain + ",CN=ConfigurationUnits,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM"
}

// commonTail appends the properties every Exchange configuration object
// carries (A12), after the object's own.
func commonTail(b *objBuilder, dn, identity, guid string, created, changed time.Time) {
	b.val("ExchangeVersion", "0.1 (8.14.0.0)")
	b.val("DistinguishedName", dn)
	b.val("Identity", identity)
	b.date("WhenChanged", changed)
	b.date("WhenCreated", created)
	b.date("WhenChangedUTC", changed)
	b.date("WhenCreatedUTC", created)
	b.val("Id", identity)
	b.guid("Guid", guid)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
}
