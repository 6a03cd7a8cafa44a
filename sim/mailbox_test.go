package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	rcpExcBinding    = "Microsoft.Exchange.Configuration.Tasks.ParameterBindingException"
	rcpExcValidation = "Microsoft.Exchange.Configuration.Tasks.DataValidationException"
	rcpExcExists     = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
	rcpExcNotFound   = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	rcpExcAmbiguous  = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException"
)

// rcpErrorCase is one call that must fail with an Exchange error.
type rcpErrorCase struct {
	name       string
	cmdlet     string
	params     map[string]any
	wantStatus int
	wantType   string
	wantText   string // must appear in the detail
}

func rcpRunErrors(t *testing.T, c *simClient, cases []rcpErrorCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := c.invoke(tt.cmdlet, tt.params)
			if r.status != tt.wantStatus {
				t.Fatalf("%s %v: status %d, want %d; body %s", tt.cmdlet, tt.params, r.status, tt.wantStatus, r.body)
			}
			_, typ, detail := exceptionOf(t, r.body)
			if typ != tt.wantType || !strings.Contains(detail, tt.wantText) {
				t.Errorf("%s %v: detail %q, want type %s mentioning %q", tt.cmdlet, tt.params, detail, tt.wantType, tt.wantText)
			}
		})
	}
}

// rcpHashtable is the GenericHashTable form of a multi-valued add/remove.
func rcpHashtable(add, remove []string) map[string]any {
	h := map[string]any{"@odata.type": "#Exchange.GenericHashTable"}
	if add != nil {
		h["Add"] = add
	}
	if remove != nil {
		h["remove"] = remove
	}
	return h
}

func TestMailbox_Seed(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	got := c.mustInvoke("Get-Mailbox", nil).Value
	if diff := cmp.Diff([]string{"Adele Vance", "Alex Wilber", "Info", "Megan Bowen", "Support"}, names(got)); diff != "" {
		t.Fatalf("seeded mailboxes mismatch (-want +got):\n%s", diff)
	}
	byName := map[string]map[string]any{}
	for _, o := range got {
		byName[o["Name"].(string)] = o
		for k, v := range o {
			if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), "exoform") {
				t.Errorf("seeded mailbox %s carries an exoform marker in %s", o["Name"], k)
			}
		}
	}
	info := byName["Info"]
	want := map[string]any{
		"RecipientTypeDetails": "SharedMailbox", "RecipientType": "UserMailbox", "IsShared": true, "AccountDisabled": true,
		"PrimarySmtpAddress": "info@contoso.com", "WindowsEmailAddress": "info@contoso.com",
		"EmailAddresses":   []any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com"},
		"CustomAttribute1": nil, "GrantSendOnBehalfTo": []any{}, "HiddenFromAddressListsEnabled": false,
		"MessageCopyForSentAsEnabled": true, "Identity": "Info", "Alias": "info",
		"DistinguishedName": "CN=Info,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
	}
	for k, v := range want {
		if diff := cmp.Diff(v, info[k]); diff != "" {
			t.Errorf("Info %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if adele := byName["Adele Vance"]; adele["UserPrincipalName"] != "adele@contoso.com" || adele["RecipientTypeDetails"] != "UserMailbox" || adele["AccountDisabled"] != false {
		t.Errorf("Adele = %v", adele)
	}
	shared := c.mustInvoke("Get-Mailbox", map[string]any{"RecipientTypeDetails": []string{"sharedmailbox"}}).Value
	if diff := cmp.Diff([]string{"Info"}, names(shared)); diff != "" {
		t.Errorf("RecipientTypeDetails SharedMailbox mismatch (-want +got):\n%s", diff)
	}
	tc := c.mustInvoke("Get-TransportConfig", nil).Value[0]
	if tc["SmtpClientAuthenticationDisabled"] != true {
		t.Errorf("TransportConfig.SmtpClientAuthenticationDisabled = %v, want true", tc["SmtpClientAuthenticationDisabled"])
	}
	oc := c.mustInvoke("Get-OrganizationConfig", nil).Value[0]
	if v, ok := oc["EwsEnabled"]; !ok || v != nil {
		t.Errorf("OrganizationConfig.EwsEnabled = %v (present %v), want null", v, ok)
	}
}

func TestMailbox_SharedCRUD(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	created := c.mustInvoke("New-Mailbox", map[string]any{"Name": "Sales Team", "shared": true, "DisplayName": "Sales"})
	if len(created.Value) != 1 {
		t.Fatalf("New-Mailbox value = %v", created.Value)
	}
	m := created.Value[0]
	want := map[string]any{
		"Name": "Sales Team", "Alias": "SalesTeam", "DisplayName": "Sales", "PrimarySmtpAddress": "salesteam@contoso.com",
		"UserPrincipalName": "salesteam@contoso.com", "RecipientTypeDetails": "SharedMailbox", "AccountDisabled": true,
		"EmailAddresses": []any{"SMTP:salesteam@contoso.com", "smtp:salesteam@contoso.onmicrosoft.com"},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, m[k]); diff != "" {
			t.Errorf("New-Mailbox %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	for _, k := range []string{"Guid", "ExchangeGuid", "ExternalDirectoryObjectId"} {
		if _, ok := parseGUID(m[k].(string)); !ok {
			t.Errorf("New-Mailbox %s = %v, want a GUID", k, m[k])
		}
	}

	// Every identity form resolves, in any case.
	for _, id := range []string{
		"Sales Team", "SALES TEAM", "salesteam", "Sales", "salesteam@contoso.com", "SMTP:SalesTeam@Contoso.com",
		"salesteam@contoso.onmicrosoft.com", m["Guid"].(string), strings.ToUpper(m["ExchangeGuid"].(string)),
		"{" + m["ExternalDirectoryObjectId"].(string) + "}", m["DistinguishedName"].(string),
	} {
		for _, cmdlet := range []string{"Get-Mailbox", "Get-CASMailbox", "Get-MailboxPermission", "Get-RecipientPermission"} {
			e := c.mustInvoke(cmdlet, map[string]any{"Identity": id})
			if len(e.Value) == 0 || (e.Value[0]["Name"] != "Sales Team" && e.Value[0]["Identity"] != "Sales Team") {
				t.Errorf("%s -Identity %q = %v", cmdlet, id, e.Value)
			}
		}
	}

	// Set changes the documented properties; WindowsEmailAddress changes the
	// primary and keeps the old one as a secondary address.
	c.mustInvoke("Set-Mailbox", map[string]any{
		"Identity": "salesteam", "DisplayName": "Sales (EMEA)", "HiddenFromAddressListsEnabled": true,
		"CustomAttribute3": "cost-center-42", "MessageCopyForSendOnBehalfEnabled": true,
		"WindowsEmailAddress": "sales@contoso.com", "ForwardingSmtpAddress": "archive@fabrikam.com",
	})
	got := c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "Sales Team"}).Value[0]
	wantSet := map[string]any{
		"DisplayName": "Sales (EMEA)", "HiddenFromAddressListsEnabled": true, "CustomAttribute3": "cost-center-42",
		"CustomAttribute4": nil, "MessageCopyForSendOnBehalfEnabled": true, "PrimarySmtpAddress": "sales@contoso.com",
		"WindowsEmailAddress": "sales@contoso.com", "ForwardingSmtpAddress": "smtp:archive@fabrikam.com",
		"EmailAddresses": []any{"SMTP:sales@contoso.com", "smtp:salesteam@contoso.com", "smtp:salesteam@contoso.onmicrosoft.com"},
	}
	for k, v := range wantSet {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Errorf("after Set-Mailbox %s mismatch (-want +got):\n%s", k, diff)
		}
	}

	// A no-op Set warns.
	noop := c.mustInvoke("Set-Mailbox", map[string]any{"Identity": "sales@contoso.com", "CustomAttribute3": "cost-center-42"})
	if len(noop.Warnings) != 1 || !strings.Contains(noop.Warnings[0], "no settings of 'Sales Team' have been modified") {
		t.Errorf("no-op Set-Mailbox warnings = %q", noop.Warnings)
	}
	// Clearing a custom attribute with null.
	c.mustInvoke("Set-Mailbox", map[string]any{"Identity": "Sales Team", "CustomAttribute3": nil, "Type": "Regular"})
	got = c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "Sales Team"}).Value[0]
	if got["CustomAttribute3"] != nil || got["RecipientTypeDetails"] != "UserMailbox" {
		t.Errorf("after clearing: CustomAttribute3 %v, RecipientTypeDetails %v", got["CustomAttribute3"], got["RecipientTypeDetails"])
	}

	// Remove takes the mailbox with its permissions and rules.
	c.mustInvoke("Add-MailboxPermission", map[string]any{"Identity": "Sales Team", "User": "adele", "AccessRights": []string{"FullAccess"}})
	c.mustInvoke("New-InboxRule", map[string]any{"Mailbox": "Sales Team", "Name": "r1", "MarkAsRead": true})
	c.mustInvoke("Remove-Mailbox", map[string]any{"Identity": "Sales Team", "Confirm": false})
	for _, cmdlet := range []string{"Get-Mailbox", "Get-CASMailbox", "Get-MailboxPermission"} {
		r := c.invoke(cmdlet, map[string]any{"Identity": "Sales Team"})
		if code, typ, _ := exceptionOf(t, r.body); r.status != http.StatusNotFound || code != "NotFound" || typ != rcpExcNotFound {
			t.Errorf("%s after Remove = %d %s, want 404", cmdlet, r.status, r.body)
		}
	}
	if r := c.invoke("Get-InboxRule", map[string]any{"Mailbox": m["Guid"]}); r.status != http.StatusNotFound {
		t.Errorf("Get-InboxRule after Remove = %d, want 404", r.status)
	}
	if r := c.invoke("Remove-Mailbox", map[string]any{"Identity": "Sales Team", "Confirm": false}); r.status != http.StatusNotFound {
		t.Errorf("second Remove-Mailbox = %d, want 404", r.status)
	}
	// The name and addresses are free again.
	c.mustInvoke("New-Mailbox", map[string]any{"Name": "Sales Team", "Shared": true, "PrimarySmtpAddress": "sales@contoso.com"})
}

func TestMailbox_MultiValued(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	get := func(field string) any {
		t.Helper()
		return c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "info"}).Value[0][field]
	}
	tests := []struct {
		name  string
		param string
		value any
		field string
		want  any
	}{
		{"add secondary", "EmailAddresses", rcpHashtable([]string{"hello@contoso.com", "smtp:contact@contoso.com"}, nil), "EmailAddresses",
			[]any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com", "smtp:hello@contoso.com", "smtp:contact@contoso.com"}},
		{"remove secondary, lower-case keys", "EmailAddresses", map[string]any{"@odata.type": "#Exchange.GenericHashTable", "remove": []string{"HELLO@contoso.com"}}, "EmailAddresses",
			[]any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com", "smtp:contact@contoso.com"}},
		{"add new primary", "EmailAddresses", map[string]any{"ADD": []string{"SMTP:office@contoso.com"}}, "EmailAddresses",
			[]any{"SMTP:office@contoso.com", "smtp:info@contoso.com", "smtp:info@contoso.onmicrosoft.com", "smtp:contact@contoso.com"}},
		{"primary follows", "EmailAddresses", rcpHashtable(nil, nil), "PrimarySmtpAddress", "office@contoso.com"},
		{"replace all, first smtp is primary", "EmailAddresses", []string{"info@contoso.com", "smtp:info@contoso.onmicrosoft.com", "X500:/o=Legacy/cn=info"}, "EmailAddresses",
			[]any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com", "X500:/o=Legacy/cn=info"}},
		{"replace with explicit primary", "EmailAddresses", []string{"smtp:info@contoso.onmicrosoft.com", "SMTP:info@contoso.com"}, "EmailAddresses",
			[]any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com"}},
		{"delegates replace", "GrantSendOnBehalfTo", []string{"adele@contoso.com", "Alex Wilber"}, "GrantSendOnBehalfTo", []any{"Adele Vance", "Alex Wilber"}},
		{"delegates add", "GrantSendOnBehalfTo", rcpHashtable([]string{"meganb", "ADELE"}, nil), "GrantSendOnBehalfTo", []any{"Adele Vance", "Alex Wilber", "Megan Bowen"}},
		{"delegates remove", "GrantSendOnBehalfTo", rcpHashtable(nil, []string{"alexw@contoso.com"}), "GrantSendOnBehalfTo", []any{"Adele Vance", "Megan Bowen"}},
		{"delegates add and remove", "GrantSendOnBehalfTo", map[string]any{"add": []string{"support"}, "Remove": []string{"Adele Vance", "Megan Bowen"}}, "GrantSendOnBehalfTo", []any{"Support"}},
		{"delegates clear", "GrantSendOnBehalfTo", nil, "GrantSendOnBehalfTo", []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.invoke("Set-Mailbox", map[string]any{"Identity": "Info", tt.param: tt.value})
			if r.status != http.StatusOK {
				t.Fatalf("Set-Mailbox -%s %v: %d %s", tt.param, tt.value, r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, get(tt.field)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tt.field, diff)
			}
		})
	}
}

func TestMailbox_Errors(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	// Two mailboxes whose display names collide, to test ambiguity.
	c.mustInvoke("New-Mailbox", map[string]any{"Name": "Helpdesk A", "Shared": true, "DisplayName": "Helpdesk"})
	c.mustInvoke("New-Mailbox", map[string]any{"Name": "Helpdesk B", "Shared": true, "DisplayName": "Helpdesk"})
	rcpRunErrors(t, c, []rcpErrorCase{
		{"duplicate name", "New-Mailbox", map[string]any{"Name": "info", "Shared": true}, 400, rcpExcExists, "already being used"},
		{"duplicate alias", "New-Mailbox", map[string]any{"Name": "Info 2", "Alias": "INFO", "Shared": true}, 400, rcpExcExists, "alias"},
		{"duplicate address", "New-Mailbox", map[string]any{"Name": "Info 2", "Shared": true, "PrimarySmtpAddress": "adele@contoso.com"}, 400, rcpExcExists, "is already being used by the proxy addresses or LegacyExchangeDN of \"Adele Vance\""},
		{"address outside accepted domains", "New-Mailbox", map[string]any{"Name": "X", "Shared": true, "PrimarySmtpAddress": "x@fabrikam.com"}, 400, rcpExcValidation, "accepted domain"},
		{"bad address", "New-Mailbox", map[string]any{"Name": "X", "Shared": true, "PrimarySmtpAddress": "not an address"}, 400, rcpExcValidation, "EmailAddresses"},
		{"bad alias", "New-Mailbox", map[string]any{"Name": "X", "Shared": true, "Alias": "a b"}, 400, rcpExcValidation, "alias"},
		{"name too long", "New-Mailbox", map[string]any{"Name": strings.Repeat("n", 65), "Shared": true}, 400, rcpExcValidation, "maximum length is 64"},
		{"missing Shared", "New-Mailbox", map[string]any{"Name": "X"}, 400, rcpExcBinding, "Shared"},
		{"user mailbox", "New-Mailbox", map[string]any{"Name": "X", "Shared": false}, 400, rcpExcValidation, "shared"},
		{"on-premises only param", "New-Mailbox", map[string]any{"Name": "X", "Shared": true, "Database": "DB1"}, 400, rcpExcBinding, "'Database'"},
		{"PrimarySmtpAddress on Set", "Set-Mailbox", map[string]any{"Identity": "info", "PrimarySmtpAddress": "i@contoso.com"}, 400, rcpExcBinding, "'PrimarySmtpAddress'"},
		{"string boolean", "Set-Mailbox", map[string]any{"Identity": "info", "HiddenFromAddressListsEnabled": "true"}, 400, rcpExcBinding, "HiddenFromAddressListsEnabled"},
		{"bad Type", "Set-Mailbox", map[string]any{"Identity": "info", "Type": "Kiosk"}, 400, rcpExcBinding, "Type"},
		{"two primaries", "Set-Mailbox", map[string]any{"Identity": "info", "EmailAddresses": []string{"SMTP:a@contoso.com", "SMTP:b@contoso.com"}}, 400, rcpExcValidation, "primary"},
		{"remove primary", "Set-Mailbox", map[string]any{"Identity": "info", "EmailAddresses": rcpHashtable(nil, []string{"info@contoso.com"})}, 400, rcpExcValidation, "primary SMTP address can't be removed"},
		{"address of another", "Set-Mailbox", map[string]any{"Identity": "info", "EmailAddresses": rcpHashtable([]string{"alexw@contoso.com"}, nil)}, 400, rcpExcExists, "Alex Wilber"},
		{"unknown delegate", "Set-Mailbox", map[string]any{"Identity": "info", "GrantSendOnBehalfTo": rcpHashtable([]string{"nobody@contoso.com"}, nil)}, 404, rcpExcNotFound, "nobody@contoso.com"},
		{"duplicate delegate", "Set-Mailbox", map[string]any{"Identity": "info", "GrantSendOnBehalfTo": []string{"adele", "Adele Vance"}}, 400, rcpExcValidation, "more than once"},
		{"custom attribute too long", "Set-Mailbox", map[string]any{"Identity": "info", "CustomAttribute15": strings.Repeat("x", 1025)}, 400, rcpExcValidation, "1024"},
		{"rename to existing", "Set-Mailbox", map[string]any{"Identity": "info", "Name": "support"}, 400, rcpExcExists, "already being used"},
		{"ambiguous display name", "Get-Mailbox", map[string]any{"Identity": "helpdesk"}, 400, rcpExcAmbiguous, "matches multiple entries"},
		{"unknown mailbox", "Get-Mailbox", map[string]any{"Identity": "nobody"}, 404, rcpExcNotFound, "nobody"},
		{"unknown on Set", "Set-Mailbox", map[string]any{"Identity": "nobody", "DisplayName": "x"}, 404, rcpExcNotFound, "nobody"},
		{"bad RecipientTypeDetails", "Get-Mailbox", map[string]any{"RecipientTypeDetails": "Printer"}, 400, rcpExcBinding, "RecipientTypeDetails"},
		{"remove without identity", "Remove-Mailbox", map[string]any{"Confirm": false}, 400, rcpExcBinding, "Identity"},
	})
	// Nothing above changed the seeded mailbox.
	info := c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "info"}).Value[0]
	if diff := cmp.Diff([]any{"SMTP:info@contoso.com", "smtp:info@contoso.onmicrosoft.com"}, info["EmailAddresses"]); diff != "" {
		t.Errorf("Info addresses changed by failed calls (-want +got):\n%s", diff)
	}
}

func TestMailbox_Lag(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	const lag = 10 * time.Second
	s := startSim(t, Options{Lag: lag, Seed: 7, now: clk.Now})
	c := newClient(t, s)
	c.mustInvoke("New-Mailbox", map[string]any{"Name": "Fresh", "Shared": true})
	for _, cmdlet := range []string{"Get-Mailbox", "Get-CASMailbox", "Get-MailboxPermission", "Get-RecipientPermission"} {
		if r := c.invoke(cmdlet, map[string]any{"Identity": "fresh@contoso.com"}); r.status != http.StatusNotFound {
			t.Errorf("%s right after New-Mailbox = %d, want 404 while replicating", cmdlet, r.status)
		}
	}
	if n := len(c.mustInvoke("Get-Mailbox", nil).Value); n != 5 {
		t.Errorf("list right after New-Mailbox has %d mailboxes, want the 5 seeded", n)
	}
	// Writes find the master copy at once.
	c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "Fresh", "SmtpClientAuthenticationDisabled": false})
	c.mustInvoke("Add-RecipientPermission", map[string]any{"Identity": "Fresh", "Trustee": "adele", "AccessRights": []string{"SendAs"}})
	if r := c.invoke("New-Mailbox", map[string]any{"Name": "fresh", "Shared": true}); r.status != http.StatusBadRequest {
		t.Errorf("duplicate of an unreplicated mailbox = %d, want 400", r.status)
	}
	clk.Advance(3 * lag) // every write restarted the window
	got := c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "fresh@contoso.com"}).Value
	if len(got) != 1 || got[0]["SmtpClientAuthenticationDisabled"] != false {
		t.Errorf("after the lag, Get-CASMailbox = %v", got)
	}
	perms := c.mustInvoke("Get-RecipientPermission", map[string]any{"Identity": "Fresh"}).Value
	if len(perms) != 2 || perms[1]["Trustee"] != "adele@contoso.com" {
		t.Errorf("after the lag, Get-RecipientPermission = %v", perms)
	}
	// A removal stays visible until it replicates.
	c.mustInvoke("Remove-Mailbox", map[string]any{"Identity": "Fresh", "Confirm": false})
	c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "Fresh"})
	clk.Advance(lag)
	if r := c.invoke("Get-Mailbox", map[string]any{"Identity": "Fresh"}); r.status != http.StatusNotFound {
		t.Errorf("after the removal replicated: %d, want 404", r.status)
	}
}
