package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInboxRule(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	seeded := c.mustInvoke("Get-InboxRule", map[string]any{"Mailbox": "meganb@contoso.com"}).Value
	if len(seeded) != 1 || seeded[0]["Name"] != "Newsletters" || seeded[0]["MoveToFolder"] != `meganb:\Inbox\Newsletters` {
		t.Fatalf("seeded rules = %v", seeded)
	}

	created := c.mustInvoke("New-InboxRule", map[string]any{
		"Mailbox": "adele", "Name": "Invoices", "From": []string{"Alex Wilber", "billing@fabrikam.com"},
		"SubjectContainsWords": []string{"invoice", "receipt"}, "MoveToFolder": `adele@contoso.com:\Inbox\Invoices`,
		"CopyToFolder": `:\Archive`, "MarkAsRead": true, "StopProcessingRules": true,
	}).Value
	if len(created) != 1 {
		t.Fatalf("New-InboxRule value = %v", created)
	}
	r := created[0]
	id := r["RuleIdentity"].(string)
	want := map[string]any{
		"Name": "Invoices", "Enabled": true, "Priority": 1.0, "Identity": `Adele Vance\` + id, "MailboxOwnerId": "Adele Vance",
		"From":                 []any{`"Alex Wilber" [SMTP:alexw@contoso.com]`, `"billing@fabrikam.com" [SMTP:billing@fabrikam.com]`},
		"SubjectContainsWords": []any{"invoice", "receipt"}, "MoveToFolder": `adele:\Inbox\Invoices`, "CopyToFolder": `adele:\Archive`,
		"MarkAsRead": true, "StopProcessingRules": true, "DeleteMessage": false, "ForwardTo": []any{}, "MarkImportance": nil,
	}
	for k, v := range want {
		if diff := cmp.Diff(v, r[k]); diff != "" {
			t.Errorf("New-InboxRule %s mismatch (-want +got):\n%s", k, diff)
		}
	}
	// A second rule inserted first shifts the others.
	c.mustInvoke("New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "Boss", "From": "meganb", "MarkImportance": "high", "Priority": 1})
	c.mustInvoke("New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "Forward", "SubjectContainsWords": "urgent", "ForwardTo": []string{"support@contoso.com"}, "RedirectTo": "ext@example.org"})
	order := func() []string {
		t.Helper()
		var out []string
		for _, o := range c.mustInvoke("Get-InboxRule", map[string]any{"Mailbox": "Adele Vance"}).Value {
			out = append(out, fmt.Sprintf("%s@%v", o["Name"], o["Priority"]))
		}
		return out
	}
	if diff := cmp.Diff([]string{"Boss@1", "Invoices@2", "Forward@3"}, order()); diff != "" {
		t.Errorf("rule order mismatch (-want +got):\n%s", diff)
	}
	// Identity forms: mailbox\id, mailbox\name, name with -Mailbox, id with -Mailbox.
	for _, p := range []map[string]any{
		{"Identity": `adele\` + id}, {"Identity": `Adele Vance\invoices`}, {"Identity": "INVOICES", "Mailbox": "adele@contoso.com"}, {"Identity": id, "Mailbox": "adele"},
	} {
		got := c.mustInvoke("Get-InboxRule", p).Value
		if len(got) != 1 || got[0]["Name"] != "Invoices" {
			t.Errorf("Get-InboxRule %v = %v", p, got)
		}
	}
	// Set: move to the end, change conditions with add/remove.
	c.mustInvoke("Set-InboxRule", map[string]any{"Identity": `adele\Invoices`, "Priority": 3, "SubjectContainsWords": rcpHashtable([]string{"bill"}, []string{"receipt"}), "MarkAsRead": false, "CopyToFolder": nil})
	if diff := cmp.Diff([]string{"Boss@1", "Forward@2", "Invoices@3"}, order()); diff != "" {
		t.Errorf("rule order after Set mismatch (-want +got):\n%s", diff)
	}
	got := c.mustInvoke("Get-InboxRule", map[string]any{"Identity": `adele\Invoices`}).Value[0]
	if diff := cmp.Diff(map[string]any{"SubjectContainsWords": []any{"invoice", "bill"}, "MarkAsRead": false, "CopyToFolder": nil, "Priority": 3.0},
		map[string]any{"SubjectContainsWords": got["SubjectContainsWords"], "MarkAsRead": got["MarkAsRead"], "CopyToFolder": got["CopyToFolder"], "Priority": got["Priority"]}); diff != "" {
		t.Errorf("after Set-InboxRule mismatch (-want +got):\n%s", diff)
	}
	if w := c.mustInvoke("Set-InboxRule", map[string]any{"Identity": `adele\Invoices`, "MarkAsRead": false}).Warnings; len(w) != 1 || !strings.Contains(w[0], "no settings of 'Invoices'") {
		t.Errorf("no-op Set-InboxRule warnings = %q", w)
	}
	fwd := c.mustInvoke("Get-InboxRule", map[string]any{"Identity": `adele\Forward`}).Value[0]
	if diff := cmp.Diff([]any{`"Support" [SMTP:support@contoso.com]`}, fwd["ForwardTo"]); diff != "" {
		t.Errorf("ForwardTo mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{`"ext@example.org" [SMTP:ext@example.org]`}, fwd["RedirectTo"]); diff != "" {
		t.Errorf("RedirectTo mismatch (-want +got):\n%s", diff)
	}

	c.mustInvoke("Remove-InboxRule", map[string]any{"Identity": "Boss", "Mailbox": "adele", "Confirm": false})
	if diff := cmp.Diff([]string{"Forward@1", "Invoices@2"}, order()); diff != "" {
		t.Errorf("rule order after Remove mismatch (-want +got):\n%s", diff)
	}
	// Duplicate names are allowed; naming one by name is then ambiguous.
	c.mustInvoke("New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "Forward", "DeleteMessage": true})
	rcpRunErrors(t, c, []rcpErrorCase{
		{"ambiguous name", "Get-InboxRule", map[string]any{"Identity": `adele\Forward`}, 400, rcpExcAmbiguous, "matches multiple entries"},
		{"no mailbox", "Get-InboxRule", map[string]any{}, 400, rcpExcValidation, "Mailbox"},
		{"no mailbox on New", "New-InboxRule", map[string]any{"Name": "x"}, 400, rcpExcValidation, "Mailbox"},
		{"missing name", "New-InboxRule", map[string]any{"Mailbox": "adele"}, 400, rcpExcBinding, "Name"},
		{"unknown rule", "Remove-InboxRule", map[string]any{"Identity": `adele\nope`}, 404, rcpExcNotFound, "nope"},
		{"unknown mailbox", "Get-InboxRule", map[string]any{"Mailbox": "ghost"}, 404, rcpExcNotFound, "ghost"},
		{"priority out of range", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "Priority": 9}, 400, rcpExcValidation, "1 through 4"},
		{"priority not a number", "Set-InboxRule", map[string]any{"Identity": `adele\Invoices`, "Priority": "first"}, 400, rcpExcBinding, "Priority"},
		{"folder of another mailbox", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "MoveToFolder": `meganb:\Inbox`}, 400, rcpExcValidation, "own mailbox"},
		{"folder without path", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "MoveToFolder": "Inbox"}, 400, rcpExcValidation, "MoveToFolder"},
		{"unknown internal recipient", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "From": "Nobody Here"}, 404, rcpExcNotFound, "Nobody Here"},
		{"bad importance", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "MarkImportance": "Urgent"}, 400, rcpExcBinding, "MarkImportance"},
		{"on-premises only", "New-InboxRule", map[string]any{"Mailbox": "adele", "Name": "x", "SendTextMessageNotificationTo": "x"}, 400, rcpExcBinding, "'SendTextMessageNotificationTo'"},
		{"Enabled is not a parameter", "Set-InboxRule", map[string]any{"Identity": `adele\Invoices`, "Enabled": false}, 400, rcpExcBinding, "'Enabled'"},
	})
}
