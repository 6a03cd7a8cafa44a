package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	benchBulkRead(b, "Get-Mailbox")
}

// BenchmarkGenerated_GetCASMailbox is the bulk read SMTP AUTH planning does.
func BenchmarkGenerated_GetCASMailbox(b *testing.B) {
	benchBulkRead(b, "Get-CASMailbox")
}

func benchBulkRead(b *testing.B, cmdlet string) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	for b.Loop() {
		n, pages := readAll(b, c, cmdlet, map[string]any{"ResultSize": "Unlimited"})
		if n != genLarge.Mailboxes+genLarge.SharedMailboxes+5 {
			b.Fatalf("%s read %d mailboxes", cmdlet, n)
		}
		b.ReportMetric(float64(pages), "pages")
	}
}

// readAll follows every nextLink of a Get-* and returns how many objects and
// pages it read. It decodes no more than it needs, so the benchmark measures
// the sim rather than the client.
func readAll(b *testing.B, c *simClient, cmdlet string, params map[string]any) (n, pages int) {
	b.Helper()
	for u := c.invokeURL(); u != ""; pages++ {
		r := c.post(u, cmdlet, params, nil)
		if r.err != nil || r.status != http.StatusOK {
			b.Fatalf("%s: %d %v %.300s", cmdlet, r.status, r.err, r.body)
		}
		var page struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			b.Fatal(err)
		}
		n += len(page.Value)
		u = page.NextLink
	}
	return n, pages
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

// BenchmarkGenerated_SetCASMailbox is one write at a time: each saves the
// whole state (compact, no fsync).
func BenchmarkGenerated_SetCASMailbox(b *testing.B) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	on := true
	for b.Loop() {
		on = !on // ImapEnabled is $true by default: the first write changes it
		if r := c.invoke("Set-CASMailbox", map[string]any{"Identity": "user00001", "ImapEnabled": on}); r.status != http.StatusOK {
			b.Fatalf("Set-CASMailbox: %d %s", r.status, r.body)
		}
	}
}

// BenchmarkGenerated_ConcurrentWrites is 10 writers (the realistic profile's
// Exchange concurrency) changing different mailboxes: group commit lets
// them share saves. It reports writes per second.
func BenchmarkGenerated_ConcurrentWrites(b *testing.B) {
	const writers = 10
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	var writes atomic.Int64
	start := time.Now()
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				n := writes.Add(1)
				id := fmt.Sprintf("user%05d", 1+w*1000+int(n/writers)%1000)
				if r := c.invoke("Set-CASMailbox", map[string]any{"Identity": id, "PopEnabled": n%2 == 0}); r.status != http.StatusOK {
					b.Errorf("Set-CASMailbox %s: %d %s", id, r.status, r.body)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(writes.Load())/time.Since(start).Seconds(), "writes/s")
}

// filterPartitions split the generated tenant's mailboxes by alias, as a
// client partitions a bulk read to fetch pages concurrently.
var filterPartitions = []string{
	"Alias -like 'user0*'", "Alias -like 'user1*'", "Alias -like 'user2*'", "Alias -like 'user3*'",
	"Alias -like 'user4*'", "Alias -like 'user5*'", "-not (Alias -like 'user*')",
}

// BenchmarkGenerated_FilteredCASMailbox reads every CAS mailbox through
// -Filter partitions, all partitions at once.
func BenchmarkGenerated_FilteredCASMailbox(b *testing.B) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	for b.Loop() {
		var total atomic.Int64
		var wg sync.WaitGroup
		for _, f := range filterPartitions {
			wg.Go(func() {
				n, _ := readAll(b, c, "Get-CASMailbox", map[string]any{"ResultSize": "Unlimited", "Filter": f})
				total.Add(int64(n))
			})
		}
		wg.Wait()
		if n := total.Load(); n != int64(genLarge.Mailboxes+genLarge.SharedMailboxes+5) {
			b.Fatalf("filtered reads got %d mailboxes", n)
		}
	}
}

// BenchmarkGenerated_ExBatch reads every CAS mailbox through Exchange
// $batch: the first pages of all partitions in one batch, then each round
// re-issues the items that have a nextLink.
func BenchmarkGenerated_ExBatch(b *testing.B) {
	c := newClient(b, startSim(b, Options{StatePath: largeState(b)}))
	for b.Loop() {
		urls := map[string]string{}
		for i := range filterPartitions {
			urls[strconv.Itoa(i)] = c.invokeURL()
		}
		n, batches := 0, 0
		for len(urls) > 0 {
			var reqs []any
			for id, u := range urls {
				body := map[string]any{"CmdletInput": map[string]any{"CmdletName": "Get-CASMailbox", "Parameters": map[string]any{"ResultSize": "Unlimited", "Filter": filterPartitions[atoi(id)]}}}
				reqs = append(reqs, map[string]any{"id": id, "method": "POST", "url": u, "body": body})
			}
			var resp struct {
				Responses []struct {
					ID     string `json:"id"`
					Status int    `json:"status"`
					Body   struct {
						Value    []json.RawMessage `json:"value"`
						NextLink string            `json:"@odata.nextLink"`
					} `json:"body"`
				} `json:"responses"`
			}
			r := c.batch(map[string]any{"requests": reqs})
			if r.status != http.StatusOK || json.Unmarshal(r.body, &resp) != nil {
				b.Fatalf("$batch: %d %.300s", r.status, r.body)
			}
			batches++
			for _, it := range resp.Responses {
				if it.Status != http.StatusOK {
					b.Fatalf("item %s: %d", it.ID, it.Status)
				}
				n += len(it.Body.Value)
				if it.Body.NextLink == "" {
					delete(urls, it.ID)
				} else {
					urls[it.ID] = it.Body.NextLink
				}
			}
		}
		if n != genLarge.Mailboxes+genLarge.SharedMailboxes+5 {
			b.Fatalf("batched reads got %d mailboxes", n)
		}
		b.ReportMetric(float64(batches), "batches")
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
