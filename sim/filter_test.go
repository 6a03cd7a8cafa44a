package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRecipients_Filter runs -Filter on the recipient Get-cmdlets against
// the demo tenant (Adele Vance, Alex Wilber, Megan Bowen, Support and the
// shared mailbox Info).
func TestRecipients_Filter(t *testing.T) {
	c := newClient(t, startSim(t, Options{}))
	c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "meganb", "ImapEnabled": false})
	c.mustInvoke("Set-Mailbox", map[string]any{"Identity": "support", "CustomAttribute1": "devices"})
	tests := []struct {
		name   string
		cmdlet string
		filter string
		want   []string
	}{
		{"eq alias", "Get-Mailbox", "Alias -eq 'adele'", []string{"Adele Vance"}},
		{"eq ignores case", "Get-Recipient", "alias -EQ 'ADELE'", []string{"Adele Vance"}},
		{"like prefix", "Get-CASMailbox", "Alias -like 'a*'", []string{"Adele Vance", "Alex Wilber"}},
		{"notlike", "Get-Mailbox", "Alias -notlike 'a*'", []string{"Info", "Megan Bowen", "Support"}},
		{"ne", "Get-Recipient", "RecipientTypeDetails -ne 'UserMailbox'", []string{"Info"}},
		{"and", "Get-Mailbox", "RecipientTypeDetails -eq 'UserMailbox' -and DisplayName -like '*e*'", []string{"Adele Vance", "Alex Wilber", "Megan Bowen"}},
		{"or", "Get-Mailbox", "Name -eq 'Info' -or PrimarySmtpAddress -eq 'support@contoso.com'", []string{"Info", "Support"}},
		{"not with parentheses", "Get-CASMailbox", "-not (Alias -like 'a*' -or Alias -eq 'info')", []string{"Megan Bowen", "Support"}},
		{"email address without prefix", "Get-Recipient", "EmailAddresses -eq 'alexw@contoso.com'", []string{"Alex Wilber"}},
		{"email address with prefix", "Get-Mailbox", "EmailAddresses -eq 'smtp:info@contoso.com'", []string{"Info"}},
		{"email address like", "Get-Mailbox", "EmailAddresses -like 'meg*'", []string{"Megan Bowen"}},
		{"custom attribute", "Get-Mailbox", "CustomAttribute1 -eq 'devices'", []string{"Support"}},
		{"custom attribute null", "Get-Mailbox", "CustomAttribute1 -ne $null", []string{"Support"}},
		{"cas protocol", "Get-CASMailbox", "ImapEnabled -eq $false", []string{"Megan Bowen"}},
		{"no match", "Get-Mailbox", "Alias -eq 'nobody'", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := c.mustInvoke(tt.cmdlet, map[string]any{"Filter": tt.filter})
			if diff := cmp.Diff(tt.want, names(e.Value)); diff != "" {
				t.Errorf("%s -Filter %q mismatch (-want +got):\n%s", tt.cmdlet, tt.filter, diff)
			}
		})
	}
}

func TestRecipients_FilterRefused(t *testing.T) {
	c := newClient(t, startSim(t, Options{}))
	tests := []struct {
		name, cmdlet, filter, wantText string
	}{
		{"unknown property", "Get-Mailbox", "IsSecurityPrincipal -eq $true", `"IsSecurityPrincipal" is not a recognized filterable property. Valid property names are: Alias,`},
		{"cas property on Get-Mailbox", "Get-Mailbox", "ImapEnabled -eq $true", "is not a recognized filterable property"},
		{"unknown operator", "Get-Recipient", "Alias -gt 'a'", "Invalid filter syntax"},
		{"unterminated", "Get-CASMailbox", "Alias -eq 'a", "Invalid filter syntax"},
		{"empty", "Get-Mailbox", " ", "empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.invoke(tt.cmdlet, map[string]any{"Filter": tt.filter})
			if r.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", r.status, r.body)
			}
			_, exc, detail := exceptionOf(t, r.body)
			if exc != excParameter || !strings.Contains(detail, tt.wantText) {
				t.Errorf("error = %s %q, want %s containing %q", exc, detail, excParameter, tt.wantText)
			}
		})
	}
}

// TestRecipients_FilteredPaging: a filtered read pages through its own
// matches, and a mailbox changed between pages neither skips nor repeats an
// object (the listing is kept from the first page).
func TestRecipients_FilteredPaging(t *testing.T) {
	c := newClient(t, startSim(t, Options{Mailboxes: 30}))
	params := map[string]any{"Filter": "Alias -like 'user0001*' -or Alias -like 'user0002*'", "ResultSize": "Unlimited"}
	hdr := http.Header{"Prefer": {"odata.maxpagesize=4"}}
	var got []string
	pages := 0
	for u := c.invokeURL(); u != ""; pages++ {
		r := c.post(u, "Get-Mailbox", params, hdr)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		e := decodeEnvelope(t, r.body)
		got = append(got, names(e.Value)...)
		u = e.NextLink
		if pages == 0 {
			// Renaming a mailbox moves it in the name order: a re-run would
			// list it again or skip another.
			c.mustInvoke("Set-Mailbox", map[string]any{"Identity": "user00025", "Name": "zz user00025", "DisplayName": "Moved"})
		}
	}
	if len(got) != 20 || pages != 5 {
		t.Errorf("got %d mailboxes in %d pages, want 20 in 5: %v", len(got), pages, got)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
	}
	if !seen["zz user00025"] {
		t.Errorf("the renamed mailbox is not shown with its new name: %v", got)
	}
}

// TestWildcardMatchFold holds the allocation-free matcher to the plain one
// on lower-cased text.
func TestWildcardMatchFold(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"a*", "Adele Vance", true},
		{"A*", "adele", true},
		{"*vance", "Adele VANCE", true},
		{"user0?0*", "USER00010", true},
		{"user0?0*", "user00100", false},
		{"b*", "Adele", false},
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"m*", "München", true},
		{"mü*", "MÜNCHEN", true},
		{"ü*", "Über", true},
	}
	for _, tt := range tests {
		if got := wildcardMatchFold(tt.pat, tt.s); got != tt.want {
			t.Errorf("wildcardMatchFold(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
		if plain := wildcardMatch(strings.ToLower(tt.pat), strings.ToLower(tt.s)); plain != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pat, tt.s, plain, tt.want)
		}
	}
}
