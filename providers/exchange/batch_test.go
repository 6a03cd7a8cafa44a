package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
)

// batchStub answers $batch requests item by item with answer(identity, url, attempt), where
// attempt counts the sub-requests seen for that identity and url.
type batchStub struct {
	mu       sync.Mutex
	attempts map[string]int
	sizes    []int
	urls     []string
}

type stubItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    struct {
		CmdletInput struct {
			CmdletName string         `json:"CmdletName"`
			Parameters map[string]any `json:"Parameters"`
		} `json:"CmdletInput"`
	} `json:"body"`
}

func (b *batchStub) handler(t *testing.T, answer func(id, link string, attempt int) string) func(n int, w http.ResponseWriter, r *http.Request) {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/adminapi/beta/"+testTenantGUID+"/$batch") {
			t.Errorf("request to %s, want the tenant's $batch", r.URL.Path)
		}
		var req struct {
			Requests []stubItem `json:"requests"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("batch body: %v", err)
		}
		b.mu.Lock()
		b.sizes = append(b.sizes, len(req.Requests))
		var out []string
		for _, it := range req.Requests {
			if it.Method != "POST" || it.Headers["X-CmdletName"] != it.Body.CmdletInput.CmdletName || it.Headers["X-AnchorMailbox"] == "" {
				t.Errorf("item %+v: want POST with X-CmdletName and X-AnchorMailbox", it)
			}
			id, _ := it.Body.CmdletInput.Parameters["Identity"].(string)
			key := id + " " + it.URL
			b.attempts[key]++
			b.urls = append(b.urls, it.URL)
			out = append(out, fmt.Sprintf(`{"id":%q,%s}`, it.ID, answer(id, it.URL, b.attempts[key])))
		}
		b.mu.Unlock()
		writeJSON(w, 200, `{"responses":[`+strings.Join(out, ",")+`]}`)
	}
}

func TestInvokeBatch(t *testing.T) {
	b := &batchStub{attempts: map[string]int{}}
	var s *stub
	s = newStub(t, b.handler(t, func(id, link string, attempt int) string {
		switch {
		case strings.HasPrefix(id, "ok"):
			return `"status":200,"body":{"value":[{"Identity":"` + id + `","User":"alice"}],"@adminapi.warnings":["w-` + id + `"]}`
		case id == "missing":
			return `"status":404,"body":{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":"Ex1|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'missing' couldn't be found."}]}}`
		case id == "missing-nostatus":
			return `"body":{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":"Ex1|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|not found"}]}}`
		case id == "bad":
			return `"status":400,"body":{"error":{"code":"BadRequest","message":"A parameter cannot be found that matches parameter name 'Nope'."}}`
		case id == "throttled" && attempt == 1:
			return `"status":429,"headers":{"Retry-After":"5"},"body":{"error":{"code":"TooManyRequests","message":"slow down"}}`
		case id == "throttled":
			return `"status":200,"body":{"value":[{"Identity":"throttled"}]}`
		case id == "busy" && attempt == 1:
			return `"status":400,"body":{"error":{"code":"BadRequest","message":"You have reached the maximum number of concurrent requests per tenant. Please wait and try again."}}`
		case id == "busy":
			return `"status":200,"body":{"value":[]}`
		case id == "paged" && !strings.Contains(link, "skiptoken"):
			return `"status":200,"body":{"value":[{"Identity":"paged","User":"p1"}],"@odata.nextLink":"` + s.srv.URL + `/adminapi/beta/` + testTenantGUID + `/InvokeCommand?$skiptoken=2"}`
		case id == "paged":
			return `"status":200,"body":{"value":[{"Identity":"paged","User":"p2"}]}`
		case id == "always-throttled":
			return `"status":503,"body":{"error":{"code":"ServiceUnavailable","message":"busy"}}`
		}
		return `"status":500,"body":{"error":{"code":"InternalServerError","message":"unexpected"}}`
	}))
	c, rec, _ := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 2 })
	ids := []string{"missing", "missing-nostatus", "bad", "throttled", "busy", "paged", "always-throttled"}
	for i := range 18 {
		ids = append(ids, fmt.Sprintf("ok%02d", i))
	}
	items := make([]BatchItem, len(ids))
	for i, id := range ids {
		items[i] = BatchItem{Cmdlet: "Get-MailboxPermission", Params: providers.Params{{Name: "Identity", Value: id}}}
	}
	got, err := c.InvokeBatch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d results for %d items", len(got), len(ids))
	}
	users := func(r BatchResult) []string {
		var out []string
		if r.Result != nil {
			for _, o := range r.Result.Objects {
				out = append(out, recipientStr(o, "User"))
			}
		}
		return out
	}
	for i, id := range ids {
		r := got[i]
		switch {
		case strings.HasPrefix(id, "missing"):
			if !IsNotFound(r.Err) {
				t.Errorf("%s: %v, want a not-found error", id, r.Err)
			}
		case id == "bad":
			if r.Err == nil || IsNotFound(r.Err) || !strings.Contains(r.Err.Error(), "Get-MailboxPermission: 400 BadRequest") {
				t.Errorf("bad: %v, want the 400 naming the cmdlet", r.Err)
			}
		case id == "always-throttled":
			if !IsThrottled(r.Err) || !strings.Contains(r.Err.Error(), "retried the request 2 times") {
				t.Errorf("always-throttled: %v, want throttling after 2 retries", r.Err)
			}
		case id == "paged":
			if r.Err != nil || !cmp.Equal(users(r), []string{"p1", "p2"}) || r.Result.Pages != 2 {
				t.Errorf("paged: %v %v, want both pages", users(r), r.Err)
			}
		case id == "throttled" || id == "busy":
			if r.Err != nil {
				t.Errorf("%s: %v, want success after a retry", id, r.Err)
			}
		default:
			if r.Err != nil || !cmp.Equal(users(r), []string{"alice"}) || !cmp.Equal(r.Result.Warnings, []string{"w-" + id}) {
				t.Errorf("%s: %v %v", id, r.Result, r.Err)
			}
		}
	}
	// Round 1: 25 items in 10+10+5. Round 2: throttled, busy, paged's next page,
	// always-throttled. Round 3: always-throttled again (its last retry).
	if diff := cmp.Diff([]int{10, 10, 5, 4, 1}, sortedSizes(b.sizes)); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	st := c.Stats()
	if st.Requests != 5 || st.BatchItems != 30 {
		t.Errorf("stats: %d requests, %d batched items; want 5 and 30", st.Requests, st.BatchItems)
	}
	// throttled and busy once each, always-throttled in all three rounds; all but its last
	// answer retried.
	if st.Throttled != 5 || st.Retries != 4 {
		t.Errorf("stats: %d throttled, %d retries; want 5 and 4", st.Throttled, st.Retries)
	}
	if ps := st.PerCmdlet["Get-MailboxPermission"]; ps.BatchItems != 30 || ps.Requests != 0 {
		t.Errorf("per cmdlet: %+v, want 30 batched items and no requests of its own", ps)
	}
	if ps := st.PerCmdlet["$batch"]; ps.Requests != 5 {
		t.Errorf("$batch: %+v, want 5 requests", ps)
	}
	// The round after a Retry-After waits for it; the one after only a 503 waits a backoff.
	sleeps := rec.got()
	if len(sleeps) != 2 || sleeps[0] != 5*time.Second || sleeps[1] <= 0 || sleeps[1] > 4*time.Second {
		t.Errorf("sleeps %v, want 5s (Retry-After) and then one backoff", sleeps)
	}
}

func sortedSizes(in []int) []int {
	out := append([]int{}, in...)
	// Batches of one round run concurrently: compare them largest first within the round.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] > out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestInvokeBatchRefusals(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, 429, `{"error":{"code":"TooManyRequests","message":"slow down"}}`)
			return
		}
		writeJSON(w, 200, `{"responses":[{"id":"0","status":200,"body":{"value":[{"Name":"x"}]}}]}`)
	})
	c, rec, _ := newTestClient(t, s, nil)
	if _, err := c.InvokeBatch(context.Background(), []BatchItem{{Cmdlet: "Set-Mailbox"}}); err == nil || !strings.Contains(err.Error(), "not a read cmdlet") {
		t.Errorf("a write in a batch: %v, want a refusal", err)
	}
	if n := s.requests.Load(); n != 0 {
		t.Fatalf("%d requests sent for a refused batch", n)
	}
	// A throttled $batch request as a whole is retried like any request.
	got, err := c.InvokeBatch(context.Background(), []BatchItem{{Cmdlet: "Get-Mailbox"}})
	if err != nil || got[0].Err != nil || len(got[0].Result.Objects) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	if !cmp.Equal(rec.got(), []time.Duration{2 * time.Second}) || c.Stats().Throttled != 1 {
		t.Errorf("sleeps %v, throttled %d; want one Retry-After of 2s", rec.got(), c.Stats().Throttled)
	}
	if h := s.headers[1].Get("Prefer"); h != "odata.maxpagesize=1000;odata.continue-on-error" {
		t.Errorf("Prefer %q", h)
	}
}
