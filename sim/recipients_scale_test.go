package sim

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRecipients_SeedFiftyThousand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	start := time.Now()
	if err := ResetWith(path, Options{Mailboxes: 50000}); err != nil {
		t.Fatal(err)
	}
	seeded := time.Since(start)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := decodeState(data)
	if err != nil {
		t.Fatalf("the seeded state does not load: %v", err)
	}
	loaded := time.Since(start) - seeded
	// Speed is the generator benchmarks' business (generate_bench_test.go), not a test's: a
	// time limit here only fails on a loaded machine or under -race.
	t.Logf("50,000 mailboxes: seeded and saved in %v, %d MB, loaded in %v", seeded, len(data)>>20, loaded)
	if n := len(st.Exchange.Mailboxes); n != 50005 {
		t.Errorf("%d mailboxes, want 50005", n)
	}
	m := st.Exchange.Mailboxes[nameGUID(st.Tenant.ID+":mailbox:user50000")]
	if m == nil || m.Current.primary() != "user50000@contoso.com" || m.Current.Name != "user50000" || !strings.Contains(m.Current.DisplayName, " ") {
		t.Errorf("user50000 = %+v", m)
	}
	// Deterministic: the same options give the same mailboxes.
	again, err := seedStateWith(Options{Mailboxes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.Exchange.Mailboxes[nameGUID(again.Tenant.ID+":mailbox:user00003")]; !ok {
		t.Error("user00003 has another Guid in a second seed")
	}
	if _, err := seedStateWith(Options{Mailboxes: -1}); err == nil {
		t.Error("negative Mailboxes accepted")
	}
}

func TestRecipients_PagedCASMailbox(t *testing.T) {
	s := startSim(t, Options{Mailboxes: 5000})
	c := newClient(t, s)
	const total = 5005
	all, pages, warnings := rcpPageAll(t, c, "Get-CASMailbox", map[string]any{"ResultSize": "Unlimited"}, nil)
	if len(all) != total || pages != 6 || len(warnings) != 0 {
		t.Fatalf("Get-CASMailbox -ResultSize Unlimited: %d objects in %d pages (warnings %q), want %d in 6", len(all), pages, warnings, total)
	}
	var got []string
	for _, o := range all {
		got = append(got, o["PrimarySmtpAddress"].(string))
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got)))) != total {
		t.Error("some mailboxes were listed twice")
	}
	for _, want := range []string{"user00001@contoso.com", "user05000@contoso.com", "support@contoso.com", "info@contoso.com"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s is missing from the pages", want)
		}
	}
	// Prefer odata.maxpagesize is honoured.
	all, pages, _ = rcpPageAll(t, c, "Get-CASMailbox", map[string]any{"ResultSize": "Unlimited"}, http.Header{"Prefer": {"odata.maxpagesize=2000"}})
	if len(all) != total || pages != 3 {
		t.Errorf("maxpagesize 2000: %d objects in %d pages, want %d in 3", len(all), pages, total)
	}
	// The default ResultSize cuts at 1000 with the warning.
	cut := c.mustInvoke("Get-Mailbox", nil)
	if len(cut.Value) != 1000 || len(cut.Warnings) != 1 || cut.NextLink != "" {
		t.Errorf("Get-Mailbox without ResultSize: %d objects, warnings %q, nextLink %q", len(cut.Value), cut.Warnings, cut.NextLink)
	}
	// A generated mailbox resolves like any other.
	o := c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "user04242"}).Value[0]
	if o["PrimarySmtpAddress"] != "user04242@contoso.com" || o["SmtpClientAuthenticationDisabled"] != nil {
		t.Errorf("user04242 = %v", o)
	}
}
