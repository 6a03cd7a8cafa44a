package sim

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// organizationConfig is the Get-/Set-OrganizationConfig singleton.
type organizationConfig struct {
	Guid        string    `json:"guid"`
	Settings    rcpBag    `json:"settings"`
	WhenCreated time.Time `json:"when_created"`
	WhenChanged time.Time `json:"when_changed"`
}

// orgSettings are the Set-OrganizationConfig parameters the sim simulates:
// the EWS controls and a few security switches. EwsEnabled and the other
// EWS values are $null by default ("EWS is blocked by default since October
// 2026 unless EwsEnabled is $true"); OAuth2ClientProfileEnabled and
// SmtpActionableMessagesEnabled are $true; AuditDisabled and
// RejectDirectSend $false.
var orgSettings = []rcpSetting{
	{name: "EwsEnabled", docType: "Boolean", kind: rcpNullBool},
	{name: "EwsAllowedAppIDs", docType: "String", kind: rcpString, check: checkAppIDList},
	{name: "EwsApplicationAccessPolicy", docType: "EwsApplicationAccessPolicy", kind: rcpEnum, enum: []string{"EnforceAllowList", "EnforceBlockList"}},
	{name: "EwsAllowOutlook", docType: "Boolean", kind: rcpNullBool},
	{name: "EwsAllowMacOutlook", docType: "Boolean", kind: rcpNullBool},
	{name: "EwsAllowEntourage", docType: "Boolean", kind: rcpNullBool},
	{name: "EwsAllowList", docType: "MultiValuedProperty", kind: rcpList},
	{name: "EwsBlockList", docType: "MultiValuedProperty", kind: rcpList},
	{name: "OAuth2ClientProfileEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "SmtpActionableMessagesEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "AuditDisabled", docType: "Boolean", kind: rcpBool},
	{name: "SendFromAliasEnabled", docType: "Boolean", kind: rcpBool},
	{name: "RejectDirectSend", docType: "Boolean", kind: rcpBool},
}

// checkAppIDList accepts EwsAllowedAppIDs: one string of comma-separated
// application ids (GUIDs), kept as given.
func checkAppIDList(_ *state, param, v string) (string, error) {
	for _, id := range strings.Split(v, ",") {
		if _, ok := parseGUID(strings.TrimSpace(id)); !ok {
			return "", fmt.Errorf("the value %q of parameter %s isn't valid: use application ids (GUIDs) separated by commas", v, param)
		}
	}
	return v, nil
}

func organizationConfigCmdlets() []*cmdlet {
	return []*cmdlet{
		{name: "Get-OrganizationConfig", run: getOrganizationConfig},
		{name: "Set-OrganizationConfig", write: true, params: append(rcpParams(orgSettings), confirmParams...), run: setOrganizationConfig},
	}
}

func getOrganizationConfig(x *cmdContext, _ params) (*cmdResult, *exError) {
	oc := x.st.Exchange.OrganizationConfig.visible(x.now)
	return &cmdResult{objects: []object{renderOrganizationConfig(x.st, oc)}}, nil
}

func setOrganizationConfig(x *cmdContext, p params) (*cmdResult, *exError) {
	rec := x.st.Exchange.OrganizationConfig
	cur := rec.Current
	next := *cur
	next.Settings = cur.Settings.clone()
	if e := next.Settings.apply(x.st, orgSettings, p); e != nil {
		return nil, e
	}
	if reflect.DeepEqual(next.Settings, cur.Settings) {
		return warnNoChange(x.st.Tenant.InitialDomain), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(&next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// renderOrganizationConfig is Get-OrganizationConfig's output object; Name
// and Identity are the initial domain, DisplayName the tenant's name.
func renderOrganizationConfig(st *state, oc *organizationConfig) object {
	var b objBuilder
	b.val("DisplayName", st.Tenant.DisplayName)
	oc.Settings.render(&b, orgSettings)
	b.val("IsDehydrated", false)
	b.val("ExchangeVersion", "0.20 (15.0.0.0)")
	b.val("Name", st.Tenant.InitialDomain)
	b.val("DistinguishedName", fmt.Sprintf("CN=Configuration,CN=%s,CN=ConfigurationUnits,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", st.Tenant.InitialDomain))
	b.val("Identity", st.Tenant.InitialDomain)
	b.val("Id", st.Tenant.InitialDomain)
	b.guid("Guid", oc.Guid)
	b.date("WhenChanged", oc.WhenChanged)
	b.date("WhenCreated", oc.WhenCreated)
	b.date("WhenChangedUTC", oc.WhenChanged)
	b.date("WhenCreatedUTC", oc.WhenCreated)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}
