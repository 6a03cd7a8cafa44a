package sim

import (
	"fmt"
	"reflect"
	"strings"
)

var (
	defActiveSyncPolicy = "Default"
	defOwaPolicy        = "OwaMailboxPolicy-Default"
	defMimeFormat       = "BestBodyFormat"
)

// mimeTextFormats are MimeTextFormat's values in index order (0 to 6).
var mimeTextFormats = []string{"TextOnly", "HtmlOnly", "HtmlAndTextAlternative", "TextEnrichedOnly", "TextEnrichedAndTextAlternative", "BestBodyFormat", "Tnef"}

// casSettings are every Set-CASMailbox parameter that applies to Exchange
// Online. Defaults are the documented ones ("This value is the default");
// SmtpClientAuthenticationDisabled is $null (use the organization setting),
// and EwsAllowOutlook and EwsApplicationAccessPolicy, whose default the
// reference does not give, are $null too.
var casSettings = []rcpSetting{
	{name: "SmtpClientAuthenticationDisabled", docType: "Boolean", kind: rcpNullBool},
	{name: "ActiveSyncEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ActiveSyncAllowedDeviceIDs", docType: "MultiValuedProperty", kind: rcpList},
	{name: "ActiveSyncBlockedDeviceIDs", docType: "MultiValuedProperty", kind: rcpList},
	{name: "ActiveSyncDebugLogging", docType: "Boolean", kind: rcpBool},
	{name: "ActiveSyncMailboxPolicy", docType: "MailboxPolicyIdParameter", kind: rcpString, defStr: &defActiveSyncPolicy, check: checkPolicyName(defActiveSyncPolicy)},
	{name: "ActiveSyncSuppressReadReceipt", docType: "Boolean", kind: rcpBool},
	{name: "OWAEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "OWAforDevicesEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "OwaMailboxPolicy", docType: "MailboxPolicyIdParameter", kind: rcpString, defStr: &defOwaPolicy, check: checkPolicyName(defOwaPolicy)},
	{name: "EwsEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "EwsAllowOutlook", docType: "Boolean", kind: rcpNullBool},
	{name: "EwsAllowMacOutlook", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "EwsAllowEntourage", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "EwsApplicationAccessPolicy", docType: "EwsApplicationAccessPolicy", kind: rcpEnum, enum: []string{"EnforceAllowList", "EnforceBlockList"}},
	{name: "EwsAllowList", docType: "MultiValuedProperty", kind: rcpList},
	{name: "EwsBlockList", docType: "MultiValuedProperty", kind: rcpList},
	{name: "ImapEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ImapUseProtocolDefaults", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ImapMessagesRetrievalMimeFormat", docType: "MimeTextFormat", kind: rcpEnum, enum: mimeTextFormats, numeric: true, defStr: &defMimeFormat},
	{name: "ImapForceICalForCalendarRetrievalOption", docType: "Boolean", kind: rcpBool},
	{name: "ImapSuppressReadReceipt", docType: "Boolean", kind: rcpBool},
	{name: "PopEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "PopUseProtocolDefaults", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "PopMessagesRetrievalMimeFormat", docType: "MimeTextFormat", kind: rcpEnum, enum: mimeTextFormats, numeric: true, defStr: &defMimeFormat},
	{name: "PopForceICalForCalendarRetrievalOption", docType: "Boolean", kind: rcpBool},
	{name: "PopSuppressReadReceipt", docType: "Boolean", kind: rcpBool},
	{name: "MAPIEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "MacOutlookEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "OutlookMobileEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "OneWinNativeOutlookEnabled", docType: "System.Boolean", kind: rcpBool, defBool: true},
	{name: "UniversalOutlookEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "PublicFolderClientAccess", docType: "Boolean", kind: rcpBool},
	{name: "ShowGalAsDefaultView", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "IsOptimizedForAccessibility", docType: "Boolean", kind: rcpBool},
}

// checkPolicyName accepts the one mailbox policy the tenant has (its default
// policy); the sim does not simulate other policies.
func checkPolicyName(def string) func(*state, string, string) (string, error) {
	return func(_ *state, param, v string) (string, error) {
		if !strings.EqualFold(v, def) {
			return "", fmt.Errorf("the policy %q given for parameter %s couldn't be found; the only policy is %q", v, param, def)
		}
		return def, nil
	}
}

var casTypeDetails = []string{"DiscoveryMailbox", "EquipmentMailbox", "LegacyMailbox", "LinkedMailbox", "LinkedRoomMailbox", "MailUser", "RoomMailbox", "SharedMailbox", "TeamMailbox", "UserMailbox"}

func casMailboxCmdlets() []*cmdlet {
	setParams := append([]paramSpec{{name: "Identity", docType: "MailboxIdParameter", required: true, kind: kindIdentity}}, rcpParams(casSettings)...)
	return []*cmdlet{
		{
			name: "Get-CASMailbox",
			params: []paramSpec{
				{name: "Identity", docType: "MailboxIdParameter", kind: kindIdentity},
				{name: "Filter", docType: "String", kind: kindString},
				{name: "RecipientTypeDetails", docType: "RecipientTypeDetails[]", kind: kindMulti},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getCASMailbox,
		},
		{name: "Set-CASMailbox", write: true, params: append(setParams, confirmParams...), run: setCASMailbox},
	}
}

func getCASMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	return getMailboxes(x, p, casTypeDetails, true, func(x *cmdContext, m *mailbox) object { return renderCASMailbox(x.st, m) })
}

func setCASMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	rec, cur, e := resolveMailbox(x, p["Identity"].str, true)
	if e != nil {
		return nil, e
	}
	next := cur.clone()
	if e := next.CAS.apply(x.st, casSettings, p); e != nil {
		return nil, e
	}
	if reflect.DeepEqual(next.CAS, cur.CAS) {
		return warnNoChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// renderCASMailbox is Get-CASMailbox's output object.
func renderCASMailbox(st *state, m *mailbox) object {
	b := objBuilder{o: make(object, 0, 64)}
	b.val("Name", m.Name)
	b.val("DisplayName", m.DisplayName)
	b.val("PrimarySmtpAddress", m.primary())
	b.strs("EmailAddresses", m.EmailAddresses)
	b.val("ExternalDirectoryObjectId", m.ExternalDirectoryObjectId)
	m.CAS.render(&b, casSettings)
	b.val("HasActiveSyncDevicePartnership", false)
	recipientTail(&b, st, m)
	return b.o
}
