package sim

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// transportConfig is the organization's transport settings (the
// Get-/Set-TransportConfig singleton).
type transportConfig struct {
	Guid        string    `json:"guid"`
	Settings    rcpBag    `json:"settings"`
	WhenCreated time.Time `json:"when_created"`
	WhenChanged time.Time `json:"when_changed"`
}

const transportConfigName = "Transport Settings"

var (
	defDSNConversion     = "UseExchangeDSNs"
	defHeaderPromotion   = "NoCreate"
	defUnlimited         = "Unlimited"
	defMessageExpiration = "1.00:00:00"
)

// transportSettings are every Set-TransportConfig parameter that applies to
// Exchange Online, with Exchange Online defaults: the documented ones where
// the reference gives them (ClearCategories $true, the DSN switches $true,
// MaxRecipientEnvelopeLimit Unlimited, MessageExpiration 1 day,
// SmtpClientAuthenticationDisabled $true "for organizations created after
// January 2020"), and for the rest the sim's choice: reply-all storm
// protection on, 2500 recipients, 10 replies, 6 hours; DSNConversionMode
// UseExchangeDSNs; HeaderPromotionModeSetting NoCreate; addresses and
// languages $null; every other Boolean $false.
var transportSettings = []rcpSetting{
	{name: "SmtpClientAuthenticationDisabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "AllowLegacyTLSClients", docType: "System.Boolean", kind: rcpBool},
	{name: "AddressBookPolicyRoutingEnabled", docType: "Boolean", kind: rcpBool},
	{name: "ClearCategories", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ConvertDisclaimerWrapperToEml", docType: "Boolean", kind: rcpBool},
	{name: "DSNConversionMode", docType: "DSNConversionOption", kind: rcpEnum, enum: []string{"DoNotConvert", "PreserveDSNBody", "UseExchangeDSNs"}, defStr: &defDSNConversion},
	{name: "ExternalDelayDsnEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ExternalDsnDefaultLanguage", docType: "CultureInfo", kind: rcpString, check: rcpCheckCulture},
	{name: "ExternalDsnLanguageDetectionEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ExternalDsnReportingAuthority", docType: "SmtpDomain", kind: rcpString, check: rcpCheckDomain},
	{name: "ExternalDsnSendHtml", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ExternalPostmasterAddress", docType: "SmtpAddress", kind: rcpString, check: rcpCheckSMTPAddress},
	{name: "HeaderPromotionModeSetting", docType: "HeaderPromotionMode", kind: rcpEnum, enum: []string{"MustCreate", "MayCreate", "NoCreate"}, defStr: &defHeaderPromotion},
	{name: "InternalDelayDsnEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "InternalDsnDefaultLanguage", docType: "CultureInfo", kind: rcpString, check: rcpCheckCulture},
	{name: "InternalDsnLanguageDetectionEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "InternalDsnReportingAuthority", docType: "SmtpDomain", kind: rcpString, check: rcpCheckDomain},
	{name: "InternalDsnSendHtml", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "JournalMessageExpirationDays", docType: "Int32", kind: rcpInt, min: 0, max: 7},
	{name: "JournalingReportNdrTo", docType: "SmtpAddress", kind: rcpString, check: rcpCheckSMTPAddress},
	{name: "MaxRecipientEnvelopeLimit", docType: "Unlimited", kind: rcpUnlimited, defStr: &defUnlimited, min: 0, max: 2147483647},
	{name: "MessageExpiration", docType: "EnhancedTimeSpan", kind: rcpString, defStr: &defMessageExpiration, check: checkMessageExpiration},
	{name: "PreventDuplicateJournalingEnabled", docType: "Boolean", kind: rcpBool},
	{name: "ReplyAllStormProtectionEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
	{name: "ReplyAllStormDetectionMinimumRecipients", docType: "Int32", kind: rcpInt, defInt: 2500, min: 1000, max: 5000},
	{name: "ReplyAllStormDetectionMinimumReplies", docType: "Int32", kind: rcpInt, defInt: 10, min: 5, max: 20},
	{name: "ReplyAllStormBlockDurationHours", docType: "Int32", kind: rcpInt, defInt: 6, min: 1, max: 12},
	{name: "Rfc2231EncodingEnabled", docType: "Boolean", kind: rcpBool},
	{name: "VoicemailJournalingEnabled", docType: "Boolean", kind: rcpBool, defBool: true},
}

// checkMessageExpiration accepts an EnhancedTimeSpan ("d.hh:mm:ss" or
// "hh:mm:ss") from 12 hours to 1 day, and stores it as "d.hh:mm:ss".
func checkMessageExpiration(_ *state, param, v string) (string, error) {
	bad := fmt.Errorf("the value %q of parameter %s isn't valid: use a time span from 0.12:00:00 (12 hours) to 1.00:00:00 (1 day)", v, param)
	days, rest := 0, v
	if d, r, ok := strings.Cut(v, "."); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return "", bad
		}
		days, rest = n, r
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return "", bad
	}
	var hms [3]int
	for i, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || (i > 0 && n > 59) || (i == 0 && n > 23) {
			return "", bad
		}
		hms[i] = n
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hms[0])*time.Hour + time.Duration(hms[1])*time.Minute + time.Duration(hms[2])*time.Second
	if d < 12*time.Hour || d > 24*time.Hour {
		return "", bad
	}
	return fmt.Sprintf("%d.%02d:%02d:%02d", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), hms[1], hms[2]), nil
}

func transportConfigCmdlets() []*cmdlet {
	setParams := append(rcpParams(transportSettings), paramSpec{name: "Force", docType: "SwitchParameter", kind: kindSwitch})
	return []*cmdlet{
		{name: "Get-TransportConfig", run: getTransportConfig},
		{name: "Set-TransportConfig", write: true, params: append(setParams, confirmParams...), run: setTransportConfig},
	}
}

func getTransportConfig(x *cmdContext, _ params) (*cmdResult, *exError) {
	tc := x.st.Exchange.TransportConfig.visible(x.now)
	return &cmdResult{objects: []object{renderTransportConfig(x.st, tc)}}, nil
}

func setTransportConfig(x *cmdContext, p params) (*cmdResult, *exError) {
	rec := x.st.Exchange.TransportConfig
	cur := rec.Current
	next := *cur
	next.Settings = cur.Settings.clone()
	if e := next.Settings.apply(x.st, transportSettings, p); e != nil {
		return nil, e
	}
	if reflect.DeepEqual(next.Settings, cur.Settings) {
		return warnNoChange(transportConfigName), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(&next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// renderTransportConfig is Get-TransportConfig's output: the settings, then
// the properties whose parameters don't apply to Exchange Online (printed
// with their fixed service values), then the common tail.
func renderTransportConfig(st *state, tc *transportConfig) object {
	var b objBuilder
	tc.Settings.render(&b, transportSettings)
	b.val("MaxReceiveSize", "Unlimited")
	b.val("MaxSendSize", "Unlimited")
	b.strs("InternalSMTPServers", nil)
	b.strs("TLSReceiveDomainSecureList", nil)
	b.strs("TLSSendDomainSecureList", nil)
	b.val("ExchangeVersion", "0.10 (14.0.100.0)")
	b.val("Name", transportConfigName)
	b.val("DistinguishedName", fmt.Sprintf("CN=%s,CN=%s,CN=ConfigurationUnits,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", transportConfigName, st.Tenant.InitialDomain))
	b.val("Identity", transportConfigName)
	b.val("Id", transportConfigName)
	b.guid("Guid", tc.Guid)
	b.date("WhenChanged", tc.WhenChanged)
	b.date("WhenCreated", tc.WhenCreated)
	b.date("WhenChangedUTC", tc.WhenChanged)
	b.date("WhenCreatedUTC", tc.WhenCreated)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}
