package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// genLarge is the large tenant of issue 6: 50,000 user and 5,000 shared
// mailboxes, 20,000 permissions, 200 connectors, 300 rules, 2,000 apps.
var genLarge = Options{Mailboxes: 50000, SharedMailboxes: 5000, MailboxPermissions: 20000, Connectors: 200,
	TransportRules: 300, Apps: 2000, SMTPAuthOverrides: 2000, GenerateSeed: 1}

// BenchmarkGenerate generates genLarge and writes its state file.
func BenchmarkGenerate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	for b.Loop() {
		if err := ResetWith(path, genLarge); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
	}
}

// largeState writes genLarge once for a benchmark and returns its path.
func largeState(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "state.json")
	if err := ResetWith(path, genLarge); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkGenerated_LoadState reads and decodes the state file, which every
// process serving it does first, and a running server again after another
// process wrote it.
func BenchmarkGenerated_LoadState(b *testing.B) {
	path := largeState(b)
	for b.Loop() {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodeState(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerated_Start starts a server on the state file, what each
// `exoform sim invoke` or `plan --sim` pays before its first request.
func BenchmarkGenerated_Start(b *testing.B) {
	path := largeState(b)
	for b.Loop() {
		s, err := Start(context.Background(), Options{StatePath: path})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkGenerated_GetMailbox is one bulk read: Get-Mailbox -ResultSize
// Unlimited, following every nextLink (56 pages of 1,000).
func BenchmarkGenerated_GetMailbox(b *testing.B) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	for b.Loop() {
		n := 0
		for u := c.invokeURL(); u != ""; {
			r := c.post(u, "Get-Mailbox", map[string]any{"ResultSize": "Unlimited"}, nil)
			if r.err != nil || r.status != http.StatusOK {
				b.Fatalf("Get-Mailbox: %d %v", r.status, r.err)
			}
			e := decodeEnvelope(b, r.body)
			n += len(e.Value)
			u = e.NextLink
		}
		if n != genLarge.Mailboxes+genLarge.SharedMailboxes+5 {
			b.Fatalf("read %d mailboxes", n)
		}
	}
}

// BenchmarkGenerated_GetApplications is one bulk Graph read: GET
// /applications with $top=999, following every nextLink.
func BenchmarkGenerated_GetApplications(b *testing.B) {
	s := startSim(b, Options{StatePath: largeState(b)})
	c := newClient(b, s)
	bearer := c.token(c.cloud.GraphScope)
	for b.Loop() {
		n := 0
		for u := c.cloud.GraphURL + "/v1.0/applications?$top=999"; u != ""; {
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			req.Header.Set("Authorization", "Bearer "+bearer)
			resp, err := c.http.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var page struct {
				Value    []json.RawMessage `json:"value"`
				NextLink string            `json:"@odata.nextLink"`
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
				b.Fatalf("GET %s: %d %.200s", u, resp.StatusCode, body)
			}
			n += len(page.Value)
			u = page.NextLink
		}
		if n != genLarge.Apps+1 {
			b.Fatalf("read %d applications", n)
		}
	}
}

// BenchmarkGenerated_SetCASMailbox is one write: the whole state is saved
// after every change (issue 7 is about this cost).
func BenchmarkGenerated_SetCASMailbox(b *testing.B) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	on := false
	for b.Loop() {
		on = !on
		if r := c.invoke("Set-CASMailbox", map[string]any{"Identity": "user00001", "ImapEnabled": on}); r.status != http.StatusOK {
			b.Fatalf("Set-CASMailbox: %d %s", r.status, r.body)
		}
	}
}
