package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rcpPageAll follows nextLinks from a first POST with hdr and returns every
// object, the number of pages and the first page's warnings.
func rcpPageAll(t *testing.T, c *simClient, cmdlet string, params map[string]any, hdr http.Header) ([]map[string]any, int, []string) {
	t.Helper()
	var (
		all      []map[string]any
		warnings []string
	)
	u, pages := c.invokeURL(), 0
	for ; u != ""; pages++ {
		if pages > 1000 {
			t.Fatal("nextLink never ends")
		}
		r := c.post(u, cmdlet, params, hdr)
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("%s page %d: %d %v %.300s", cmdlet, pages, r.status, r.err, r.body)
		}
		e := decodeEnvelope(t, r.body)
		if pages == 0 {
			warnings = e.Warnings
		} else if len(e.Warnings) != 0 {
			t.Errorf("page %d repeats warnings %q", pages, e.Warnings)
		}
		all = append(all, e.Value...)
		u = e.NextLink
	}
	return all, pages, warnings
}

// rcpPermRows summarises permission entries as "Identity|User|rights|inherited|deny".
func rcpPermRows(objs []map[string]any, userKey string) []string {
	var out []string
	for _, o := range objs {
		var rights []string
		for _, r := range o["AccessRights"].([]any) {
			rights = append(rights, r.(string))
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%v|%v", o["Identity"], o[userKey], strings.Join(rights, ","), o["IsInherited"], o["Deny"]))
	}
	return out
}

func TestMailboxPermission(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	seeded := c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "info@contoso.com"}).Value
	rows := rcpPermRows(seeded, "User")
	if len(rows) < 4 || rows[0] != `Info|NT AUTHORITY\SELF|FullAccess,ReadPermission|false|false` || rows[1] != "Info|adele@contoso.com|FullAccess|false|false" {
		t.Fatalf("seeded Info permissions = %q", rows)
	}
	for _, r := range rows[2:] {
		if !strings.Contains(r, "|true|") {
			t.Errorf("entry %q after the explicit ones is not inherited", r)
		}
	}
	if seeded[1]["InheritanceType"] != "All" {
		t.Errorf("InheritanceType = %v, want All", seeded[1]["InheritanceType"])
	}

	// Add by any identity of the trustee; the output names its UPN.
	add := c.mustInvoke("Add-MailboxPermission", map[string]any{"identity": "Info", "user": "Megan Bowen", "accessRights": []string{"FullAccess"}, "automapping": false})
	if diff := cmp.Diff([]string{"Info|meganb@contoso.com|FullAccess|false|false"}, rcpPermRows(add.Value, "User")); diff != "" {
		t.Errorf("Add-MailboxPermission output mismatch (-want +got):\n%s", diff)
	}
	// A duplicate is a warning, not an error.
	dup := c.mustInvoke("Add-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb@contoso.com", "AccessRights": "FullAccess"})
	if len(dup.Value) != 0 || len(dup.Warnings) != 1 || !strings.Contains(dup.Warnings[0], "The appropriate access control entry is already present on the object") {
		t.Errorf("duplicate Add = value %v, warnings %q", dup.Value, dup.Warnings)
	}
	// More rights for the same trustee merge into its entry.
	c.mustInvoke("Add-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb", "AccessRights": []string{"readpermission", "DeleteItem"}})
	got := c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "Info", "User": "MEGANB@contoso.com"}).Value
	if diff := cmp.Diff([]string{"Info|meganb@contoso.com|FullAccess,DeleteItem,ReadPermission|false|false"}, rcpPermRows(got, "User")); diff != "" {
		t.Errorf("merged entry mismatch (-want +got):\n%s", diff)
	}
	// Remove some rights, then the rest; removing again is a warning.
	c.mustInvoke("Remove-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb", "AccessRights": []string{"DeleteItem", "ReadPermission"}, "Confirm": false})
	got = c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "Info", "User": "meganb"}).Value
	if diff := cmp.Diff([]string{"Info|meganb@contoso.com|FullAccess|false|false"}, rcpPermRows(got, "User")); diff != "" {
		t.Errorf("after partial Remove mismatch (-want +got):\n%s", diff)
	}
	c.mustInvoke("Remove-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb", "AccessRights": []string{"FullAccess"}, "Confirm": false})
	if got := c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "Info", "User": "meganb"}).Value; len(got) != 0 {
		t.Errorf("after Remove, entries for Megan = %v", got)
	}
	again := c.mustInvoke("Remove-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb", "AccessRights": []string{"FullAccess"}, "Confirm": false})
	if len(again.Warnings) != 1 || !strings.Contains(again.Warnings[0], "because the ACE doesn't exist on the object") {
		t.Errorf("Remove of an absent entry warnings = %q", again.Warnings)
	}
	quiet := c.mustInvoke("Remove-MailboxPermission", map[string]any{"Identity": "info", "User": "meganb", "AccessRights": []string{"FullAccess"}, "BypassMasterAccountSid": true})
	if len(quiet.Warnings) != 0 {
		t.Errorf("BypassMasterAccountSid warnings = %q", quiet.Warnings)
	}
	// Deny entries are separate.
	c.mustInvoke("Add-MailboxPermission", map[string]any{"Identity": "info", "User": "alexw", "AccessRights": []string{"FullAccess"}, "Deny": true, "InheritanceType": "selfandchildren"})
	got = c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "Info", "User": "alexw"}).Value
	if len(got) != 1 || got[0]["Deny"] != true || got[0]["InheritanceType"] != "SelfAndChildren" {
		t.Errorf("deny entry = %v", got)
	}
	// A removed trustee's entries disappear.
	c.mustInvoke("New-Mailbox", map[string]any{"Name": "Temp", "Shared": true})
	c.mustInvoke("Add-MailboxPermission", map[string]any{"Identity": "info", "User": "temp", "AccessRights": []string{"FullAccess"}})
	c.mustInvoke("Remove-Mailbox", map[string]any{"Identity": "temp", "Confirm": false})
	for _, r := range rcpPermRows(c.mustInvoke("Get-MailboxPermission", map[string]any{"Identity": "Info"}).Value, "User") {
		if strings.Contains(r, "temp") {
			t.Errorf("entry of a removed trustee still listed: %s", r)
		}
	}
	rcpRunErrors(t, c, []rcpErrorCase{
		{"bad right", "Add-MailboxPermission", map[string]any{"Identity": "info", "User": "alexw", "AccessRights": []string{"SendAs"}}, 400, rcpExcBinding, "AccessRights"},
		{"unknown trustee", "Add-MailboxPermission", map[string]any{"Identity": "info", "User": "ghost", "AccessRights": []string{"FullAccess"}}, 404, rcpExcNotFound, "ghost"},
		{"unknown mailbox", "Add-MailboxPermission", map[string]any{"Identity": "ghost", "User": "alexw", "AccessRights": []string{"FullAccess"}}, 404, rcpExcNotFound, "ghost"},
		{"missing user", "Add-MailboxPermission", map[string]any{"Identity": "info", "AccessRights": []string{"FullAccess"}}, 400, rcpExcBinding, "User"},
		{"bad inheritance", "Add-MailboxPermission", map[string]any{"Identity": "info", "User": "alexw", "AccessRights": []string{"FullAccess"}, "InheritanceType": "Everything"}, 400, rcpExcBinding, "InheritanceType"},
		{"get needs identity", "Get-MailboxPermission", map[string]any{}, 400, rcpExcBinding, "Identity"},
		{"instance is on-premises", "Add-MailboxPermission", map[string]any{"Identity": "info", "User": "alexw", "AccessRights": []string{"FullAccess"}, "Instance": "x"}, 400, rcpExcBinding, "'Instance'"},
	})
}

func TestRecipientPermission(t *testing.T) {
	s := startSim(t, Options{Mailboxes: 1500})
	c := newClient(t, s)
	one := c.mustInvoke("Get-RecipientPermission", map[string]any{"Identity": "Info"}).Value
	if diff := cmp.Diff([]string{`Info|NT AUTHORITY\SELF|SendAs|false|<nil>`, "Info|adele@contoso.com|SendAs|false|<nil>"}, rcpPermRows(one, "Trustee")); diff != "" {
		t.Errorf("seeded Info SendAs mismatch (-want +got):\n%s", diff)
	}
	if one[1]["AccessControlType"] != "Allow" || one[1]["InheritanceType"] != "None" {
		t.Errorf("entry = %v", one[1])
	}
	add := c.mustInvoke("Add-RecipientPermission", map[string]any{"Identity": "info@contoso.com", "Trustee": "support", "AccessRights": []string{"SendAs"}, "Confirm": false})
	if diff := cmp.Diff([]string{"Info|support@contoso.com|SendAs|false|<nil>"}, rcpPermRows(add.Value, "Trustee")); diff != "" {
		t.Errorf("Add-RecipientPermission output mismatch (-want +got):\n%s", diff)
	}
	dup := c.mustInvoke("Add-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support@contoso.com", "AccessRights": "sendas"})
	if len(dup.Value) != 0 || len(dup.Warnings) != 1 || !strings.Contains(dup.Warnings[0], "The appropriate access control entry is already present on the object") {
		t.Errorf("duplicate Add = value %v, warnings %q", dup.Value, dup.Warnings)
	}
	byTrustee := c.mustInvoke("Get-RecipientPermission", map[string]any{"Trustee": "Support"}).Value
	if diff := cmp.Diff([]string{"Info|support@contoso.com|SendAs|false|<nil>"}, rcpPermRows(byTrustee, "Trustee")); diff != "" {
		t.Errorf("Get -Trustee mismatch (-want +got):\n%s", diff)
	}

	// Bulk: every mailbox's SELF entry plus the explicit ones, paged.
	total := 1505 + 2
	all, pages, warnings := rcpPageAll(t, c, "Get-RecipientPermission", map[string]any{"ResultSize": "Unlimited"}, http.Header{"Prefer": {"odata.maxpagesize=500"}})
	if len(all) != total || pages != 4 || len(warnings) != 0 {
		t.Errorf("bulk Get-RecipientPermission: %d entries in %d pages (warnings %q), want %d in 4", len(all), pages, warnings, total)
	}
	seen := map[string]bool{}
	for _, r := range rcpPermRows(all, "Trustee") {
		if seen[r] {
			t.Errorf("entry %s listed twice", r)
		}
		seen[r] = true
	}
	// Without ResultSize the default 1000 cuts the list, with the warning.
	cut, _, warnings := rcpPageAll(t, c, "Get-RecipientPermission", nil, nil)
	if len(cut) != 1000 || len(warnings) != 1 || !strings.Contains(warnings[0], "By default, only the first 1000 items are returned") {
		t.Errorf("default ResultSize: %d entries, warnings %q", len(cut), warnings)
	}

	c.mustInvoke("Remove-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support", "AccessRights": []string{"SendAs"}, "Confirm": false})
	if got := c.mustInvoke("Get-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support"}).Value; len(got) != 0 {
		t.Errorf("after Remove = %v", got)
	}
	again := c.mustInvoke("Remove-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support", "AccessRights": []string{"SendAs"}, "Confirm": false})
	if len(again.Warnings) != 1 || !strings.Contains(again.Warnings[0], "doesn't exist") {
		t.Errorf("Remove of an absent entry warnings = %q", again.Warnings)
	}
	rcpRunErrors(t, c, []rcpErrorCase{
		{"only SendAs", "Add-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support", "AccessRights": []string{"FullAccess"}}, 400, rcpExcBinding, "SendAs"},
		{"empty rights", "Add-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support", "AccessRights": []string{}}, 400, rcpExcBinding, "AccessRights"},
		{"unknown trustee", "Add-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "ghost@contoso.com", "AccessRights": []string{"SendAs"}}, 404, rcpExcNotFound, "ghost@contoso.com"},
		{"filter by bad right", "Get-RecipientPermission", map[string]any{"AccessRights": "FullAccess"}, 400, rcpExcBinding, "SendAs"},
		{"not simulated", "Remove-RecipientPermission", map[string]any{"Identity": "Info", "Trustee": "support", "AccessRights": []string{"SendAs"}, "MultiTrustees": []string{"a"}}, 400, rcpExcBinding, "'MultiTrustees'"},
	})
}
