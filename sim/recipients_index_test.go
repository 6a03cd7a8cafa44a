package sim

import (
	"strings"
	"testing"
)

// The mailbox identity index must never answer with what the tenant was: writes that can change
// identities drop it, and the writes that cannot (an apply's thousands of Set-CASMailbox) keep
// it. Each step resolves identities through Get-CASMailbox -Identity after a write.
func TestMailboxIndex_FollowsWrites(t *testing.T) {
	s := startSim(t, Options{StatePath: t.TempDir() + "/state.json"})
	c := newClient(t, s)
	index := func() map[string][]*versioned[mailbox] {
		var idx map[string][]*versioned[mailbox]
		if err := s.store.read(func(st *state) error { idx = st.mailboxIndex; return nil }); err != nil {
			t.Fatal(err)
		}
		return idx
	}
	resolves := func(identity string) bool {
		return c.invoke("Get-CASMailbox", map[string]any{"Identity": identity}).status == 200
	}

	old := c.mustInvoke("Get-Mailbox", map[string]any{"Identity": "adele"}).Value[0]
	oldDisplay, _ := old["DisplayName"].(string)
	if oldDisplay == "" || strings.EqualFold(oldDisplay, old["Alias"].(string)) {
		t.Fatalf("the demo mailbox's display name %q is not distinct from its alias and name", oldDisplay)
	}
	if !resolves("adele") || index() == nil {
		t.Fatal("a read by identity did not resolve through the index")
	}
	built := index()

	c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "adele", "SmtpClientAuthenticationDisabled": false})
	if idx := index(); idx == nil || len(idx) != len(built) {
		t.Errorf("Set-CASMailbox dropped or changed the index (it cannot change identities)")
	}

	c.mustInvoke("Set-Mailbox", map[string]any{"Identity": "adele", "DisplayName": "Helpdesk Renamed", "Name": "helpdesk-renamed"})
	if index() != nil {
		t.Errorf("Set-Mailbox kept the index, though it renamed a mailbox")
	}
	for _, tc := range []struct {
		identity string
		want     bool
	}{
		{"Helpdesk Renamed", true},
		{"helpdesk-renamed", true},
		{"adele", true}, // the alias stays
		{oldDisplay, false},
		{"No Such Mailbox", false},
	} {
		if got := resolves(tc.identity); got != tc.want {
			t.Errorf("after the rename, Get-CASMailbox -Identity %q resolved = %v, want %v", tc.identity, got, tc.want)
		}
	}
}
