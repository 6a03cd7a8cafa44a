package sim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCASMailbox_SmtpAuthTriState(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	get := func() map[string]any {
		t.Helper()
		return c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "support@contoso.com"}).Value[0]
	}
	o := get()
	if v, ok := o["SmtpClientAuthenticationDisabled"]; !ok || v != nil {
		t.Fatalf("default SmtpClientAuthenticationDisabled = %v (present %v), want null (inherit)", v, ok)
	}
	defaults := map[string]any{
		"ImapEnabled": true, "PopEnabled": true, "EwsEnabled": true, "MAPIEnabled": true, "ActiveSyncEnabled": true, "OWAEnabled": true,
		"Name": "Support", "DisplayName": "Support", "PrimarySmtpAddress": "support@contoso.com", "Identity": "Support",
		"ActiveSyncMailboxPolicy": "Default", "ImapMessagesRetrievalMimeFormat": "BestBodyFormat", "EwsApplicationAccessPolicy": nil,
		"EwsAllowList": []any{},
	}
	for k, v := range defaults {
		if diff := cmp.Diff(v, o[k]); diff != "" {
			t.Errorf("default %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if _, ok := parseGUID(o["Guid"].(string)); !ok {
		t.Errorf("Guid = %v", o["Guid"])
	}
	steps := []struct {
		value any
		want  any
	}{{false, false}, {true, true}, {nil, nil}, {0, false}}
	for _, st := range steps {
		c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "Support", "SmtpClientAuthenticationDisabled": st.value})
		if got := get()["SmtpClientAuthenticationDisabled"]; got != st.want {
			t.Errorf("after Set %v: SmtpClientAuthenticationDisabled = %v, want %v", st.value, got, st.want)
		}
	}
	// Setting the value it already has warns.
	noop := c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "Support", "SmtpClientAuthenticationDisabled": false})
	if len(noop.Warnings) != 1 || !strings.Contains(noop.Warnings[0], "no settings of 'Support' have been modified") {
		t.Errorf("no-op warnings = %q", noop.Warnings)
	}
	// The other settings, with list add/remove and enum by number.
	c.mustInvoke("Set-CASMailbox", map[string]any{
		"Identity": "Support", "ImapEnabled": false, "PopEnabled": false, "EwsEnabled": false, "ActiveSyncEnabled": false,
		"OWAEnabled": false, "MAPIEnabled": false, "PopMessagesRetrievalMimeFormat": 2, "EwsApplicationAccessPolicy": "enforceallowlist",
		"EwsAllowList": []string{"App/1.0", "Other/*"},
	})
	c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "Support", "EwsAllowList": rcpHashtable([]string{"Third/2"}, []string{"other/*"})})
	o = get()
	want := map[string]any{
		"ImapEnabled": false, "PopEnabled": false, "EwsEnabled": false, "ActiveSyncEnabled": false, "OWAEnabled": false, "MAPIEnabled": false,
		"PopMessagesRetrievalMimeFormat": "HtmlAndTextAlternative", "EwsApplicationAccessPolicy": "EnforceAllowList",
		"EwsAllowList": []any{"App/1.0", "Third/2"}, "SmtpClientAuthenticationDisabled": false,
	}
	for k, v := range want {
		if diff := cmp.Diff(v, o[k]); diff != "" {
			t.Errorf("after Set %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	// Other mailboxes keep inheriting.
	if v := c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "adele"}).Value[0]["SmtpClientAuthenticationDisabled"]; v != nil {
		t.Errorf("Adele's SmtpClientAuthenticationDisabled = %v, want null", v)
	}
	rcpRunErrors(t, c, []rcpErrorCase{
		{"string boolean", "Set-CASMailbox", map[string]any{"Identity": "Support", "SmtpClientAuthenticationDisabled": "false"}, 400, rcpExcBinding, "SmtpClientAuthenticationDisabled"},
		{"null non-nullable", "Set-CASMailbox", map[string]any{"Identity": "Support", "ImapEnabled": nil}, 400, rcpExcBinding, "ImapEnabled"},
		{"bad enum", "Set-CASMailbox", map[string]any{"Identity": "Support", "EwsApplicationAccessPolicy": "AllowAll"}, 400, rcpExcBinding, "EwsApplicationAccessPolicy"},
		{"bad mime index", "Set-CASMailbox", map[string]any{"Identity": "Support", "ImapMessagesRetrievalMimeFormat": 9}, 400, rcpExcBinding, "ImapMessagesRetrievalMimeFormat"},
		{"unknown policy", "Set-CASMailbox", map[string]any{"Identity": "Support", "OwaMailboxPolicy": "Strict"}, 400, rcpExcValidation, "OwaMailboxPolicy"},
		{"not for Exchange Online", "Set-CASMailbox", map[string]any{"Identity": "Support", "ECPEnabled": false}, 400, rcpExcBinding, "'ECPEnabled'"},
		{"unknown mailbox", "Set-CASMailbox", map[string]any{"Identity": "nobody", "ImapEnabled": false}, 404, rcpExcNotFound, "nobody"},
		{"missing identity", "Set-CASMailbox", map[string]any{"ImapEnabled": false}, 400, rcpExcBinding, "Identity"},
	})
}

func TestConfig_TransportAndOrganization(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	tc := c.mustInvoke("Get-TransportConfig", nil).Value[0]
	defaults := map[string]any{
		"SmtpClientAuthenticationDisabled": true, "AllowLegacyTLSClients": false, "ExternalPostmasterAddress": nil,
		"MaxRecipientEnvelopeLimit": "Unlimited", "ReplyAllStormProtectionEnabled": true, "ReplyAllStormDetectionMinimumRecipients": 2500.0,
		"ReplyAllStormDetectionMinimumReplies": 10.0, "ReplyAllStormBlockDurationHours": 6.0, "ClearCategories": true,
		"DSNConversionMode": "UseExchangeDSNs", "HeaderPromotionModeSetting": "NoCreate", "JournalingReportNdrTo": nil,
		"AddressBookPolicyRoutingEnabled": false, "ConvertDisclaimerWrapperToEml": false, "MessageExpiration": "1.00:00:00",
		"InternalSMTPServers": []any{}, "TLSReceiveDomainSecureList": []any{}, "MaxSendSize": "Unlimited", "Identity": "Transport Settings",
	}
	for k, v := range defaults {
		if diff := cmp.Diff(v, tc[k]); diff != "" {
			t.Errorf("TransportConfig default %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	c.mustInvoke("Set-TransportConfig", map[string]any{
		"SmtpClientAuthenticationDisabled": false, "AllowLegacyTLSClients": true, "ExternalPostmasterAddress": "postmaster@contoso.com",
		"MaxRecipientEnvelopeLimit": 500, "ReplyAllStormDetectionMinimumRecipients": "3000", "ReplyAllStormBlockDurationHours": 12,
		"DSNConversionMode": "preservedsnbody", "JournalingReportNdrTo": "journal-ndr@contoso.com", "MessageExpiration": "18:00:00",
		"ExternalDsnDefaultLanguage": "de-DE", "Confirm": false,
	})
	tc = c.mustInvoke("Get-TransportConfig", nil).Value[0]
	changed := map[string]any{
		"SmtpClientAuthenticationDisabled": false, "AllowLegacyTLSClients": true, "ExternalPostmasterAddress": "postmaster@contoso.com",
		"MaxRecipientEnvelopeLimit": "500", "ReplyAllStormDetectionMinimumRecipients": 3000.0, "ReplyAllStormBlockDurationHours": 12.0,
		"DSNConversionMode": "PreserveDSNBody", "JournalingReportNdrTo": "journal-ndr@contoso.com", "MessageExpiration": "0.18:00:00",
		"ExternalDsnDefaultLanguage": "de-DE",
	}
	for k, v := range changed {
		if diff := cmp.Diff(v, tc[k]); diff != "" {
			t.Errorf("TransportConfig after Set %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	c.mustInvoke("Set-TransportConfig", map[string]any{"ExternalPostmasterAddress": nil, "MaxRecipientEnvelopeLimit": "unlimited"})
	tc = c.mustInvoke("Get-TransportConfig", nil).Value[0]
	if tc["ExternalPostmasterAddress"] != nil || tc["MaxRecipientEnvelopeLimit"] != "Unlimited" {
		t.Errorf("after reset: ExternalPostmasterAddress %v, MaxRecipientEnvelopeLimit %v", tc["ExternalPostmasterAddress"], tc["MaxRecipientEnvelopeLimit"])
	}
	if w := c.mustInvoke("Set-TransportConfig", map[string]any{"AllowLegacyTLSClients": true}).Warnings; len(w) != 1 || !strings.Contains(w[0], "no settings of 'Transport Settings'") {
		t.Errorf("no-op Set-TransportConfig warnings = %q", w)
	}

	oc := c.mustInvoke("Get-OrganizationConfig", nil).Value[0]
	for k, v := range map[string]any{"EwsEnabled": nil, "EwsAllowedAppIDs": nil, "EwsApplicationAccessPolicy": nil, "OAuth2ClientProfileEnabled": true, "AuditDisabled": false, "Identity": "contoso.onmicrosoft.com"} {
		if diff := cmp.Diff(v, oc[k]); diff != "" {
			t.Errorf("OrganizationConfig default %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	const apps = "0b6b7b5c-3e2f-4b8a-9d1c-111111111111,8e7c2f34-22a1-4c5b-bf0e-222222222222"
	c.mustInvoke("Set-OrganizationConfig", map[string]any{"EwsEnabled": true, "EwsAllowedAppIDs": apps, "EwsApplicationAccessPolicy": "EnforceAllowList", "EwsAllowList": []string{"MyApp/*"}})
	oc = c.mustInvoke("Get-OrganizationConfig", nil).Value[0]
	for k, v := range map[string]any{"EwsEnabled": true, "EwsAllowedAppIDs": apps, "EwsApplicationAccessPolicy": "EnforceAllowList", "EwsAllowList": []any{"MyApp/*"}} {
		if diff := cmp.Diff(v, oc[k]); diff != "" {
			t.Errorf("OrganizationConfig after Set %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	c.mustInvoke("Set-OrganizationConfig", map[string]any{"EwsEnabled": nil, "EwsAllowedAppIDs": nil, "EwsApplicationAccessPolicy": nil})
	oc = c.mustInvoke("Get-OrganizationConfig", nil).Value[0]
	if oc["EwsEnabled"] != nil || oc["EwsAllowedAppIDs"] != nil || oc["EwsApplicationAccessPolicy"] != nil {
		t.Errorf("after reset: %v %v %v", oc["EwsEnabled"], oc["EwsAllowedAppIDs"], oc["EwsApplicationAccessPolicy"])
	}
	rcpRunErrors(t, c, []rcpErrorCase{
		{"app ids as an array", "Set-OrganizationConfig", map[string]any{"EwsAllowedAppIDs": []string{"0b6b7b5c-3e2f-4b8a-9d1c-111111111111"}}, 400, rcpExcBinding, "EwsAllowedAppIDs"},
		{"app id not a GUID", "Set-OrganizationConfig", map[string]any{"EwsAllowedAppIDs": "0b6b7b5c-3e2f-4b8a-9d1c-111111111111,outlook"}, 400, rcpExcValidation, "EwsAllowedAppIDs"},
		{"org param not simulated", "Set-OrganizationConfig", map[string]any{"FocusedInboxOn": true}, 400, rcpExcBinding, "'FocusedInboxOn'"},
		{"Identity on Get-TransportConfig", "Get-TransportConfig", map[string]any{"Identity": "x"}, 400, rcpExcBinding, "'Identity'"},
		{"not for Exchange Online", "Set-TransportConfig", map[string]any{"MaxSendSize": "25MB"}, 400, rcpExcBinding, "'MaxSendSize'"},
		{"TLS lists are on-premises", "Set-TransportConfig", map[string]any{"TLSSendDomainSecureList": []string{"fabrikam.com"}}, 400, rcpExcBinding, "'TLSSendDomainSecureList'"},
		{"int out of range", "Set-TransportConfig", map[string]any{"ReplyAllStormBlockDurationHours": 13}, 400, rcpExcValidation, "1 through 12"},
		{"int not a number", "Set-TransportConfig", map[string]any{"JournalMessageExpirationDays": "week"}, 400, rcpExcBinding, "System.Int32"},
		{"int null", "Set-TransportConfig", map[string]any{"JournalMessageExpirationDays": nil}, 400, rcpExcBinding, "null"},
		{"bad postmaster", "Set-TransportConfig", map[string]any{"ExternalPostmasterAddress": "postmaster"}, 400, rcpExcValidation, "ExternalPostmasterAddress"},
		{"bad expiration", "Set-TransportConfig", map[string]any{"MessageExpiration": "2.00:00:00"}, 400, rcpExcValidation, "MessageExpiration"},
		{"bad enum", "Set-TransportConfig", map[string]any{"HeaderPromotionModeSetting": "Always"}, 400, rcpExcBinding, "HeaderPromotionModeSetting"},
		{"null boolean", "Set-TransportConfig", map[string]any{"SmtpClientAuthenticationDisabled": nil}, 400, rcpExcBinding, "SmtpClientAuthenticationDisabled"},
	})
}
