package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseProfile(t *testing.T) {
	realistic := RealisticProfile()
	tweaked := realistic
	tweaked.ExchangeLatency, tweaked.ExchangeConcurrency, tweaked.GraphLatency = 200*time.Millisecond, 5, 50*time.Millisecond
	tests := []struct {
		spec    string
		want    Profile
		wantErr string // substring; "" = valid
	}{
		{"", Profile{}, ""},
		{"off", Profile{}, ""},
		{" Realistic ", realistic, ""},
		{"realistic,exchange-latency=200ms,exchange-concurrency=5,graph-latency=50ms", tweaked, ""},
		{"exchange-latency=50ms", Profile{ExchangeLatency: 50 * time.Millisecond}, ""},
		{"realistic,graph-ru=0,graph-writes=0", func() Profile { p := realistic; p.GraphResourceUnits, p.GraphWrites = 0, 0; return p }(), ""},
		{"graph-ru=100,graph-ru-window=5s", Profile{GraphResourceUnits: 100, GraphWindow: 5 * time.Second}, ""},
		{"fast", Profile{}, `profile item 1 "fast": unknown profile "fast"; the profiles are realistic and off`},
		{"realistic,exchange-latancy=1s", Profile{}, `profile item 2 "exchange-latancy=1s": unknown setting "exchange-latancy"; the settings are graph-latency, exchange-latency`},
		{"realistic,exchange-latency=abc", Profile{}, `item 2 "exchange-latency=abc": "abc" is not a valid exchange-latency; want a duration such as 400ms`},
		{"exchange-latency=-1s", Profile{}, "not a valid exchange-latency"},
		{"realistic,exchange-concurrency=ten", Profile{}, `"ten" is not a valid exchange-concurrency; want a whole number`},
		{"exchange-concurrency=-2", Profile{}, "not a valid exchange-concurrency"},
		{"exchange-latency=1s,realistic", Profile{}, `item 2 "realistic": the base profile realistic must come first`},
		{"realistic,,graph-latency=1s", Profile{}, "item 2 \"\": empty item"},
		{"graph-ru=100", Profile{}, "graph-ru=100 needs graph-ru-window"},
		{"graph-writes=10", Profile{}, "graph-writes=10 needs graph-writes-window"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseProfile(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseProfile(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseProfile(%q) = %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseProfile(%q) mismatch (-want +got):\n%s", tt.spec, diff)
			}
			back, err := ParseProfile(got.String())
			if err != nil || back != got {
				t.Errorf("ParseProfile(%q.String() = %q) = %+v, %v; want the same profile", tt.spec, got.String(), back, err)
			}
		})
	}
	if got := tweaked.String(); got != "realistic,graph-latency=50ms,exchange-latency=200ms,exchange-concurrency=5" {
		t.Errorf("String() = %q", got)
	}
	if _, err := Start(t.Context(), Options{StatePath: t.TempDir() + "/s.json", Profile: Profile{GraphResourceUnits: 5}}); err == nil {
		t.Error("Start with a budget and no window succeeded")
	}
}

func TestGraphCost(t *testing.T) {
	tests := []struct {
		method, url string
		cost        int
		write       bool
	}{
		{"GET", "/applications", 2, false},
		{"GET", "/applications?$select=id,appId", 1, false},
		{"GET", "/applications?$expand=owners", 3, false},
		{"GET", "/applications?$select=id&$expand=owners", 2, false},
		{"GET", "/applications?$top=10", 1, false},
		{"GET", "/applications?$top=999&$select=id", 1, false},
		{"GET", "/applications/0b1c/owners", 1, false},
		{"GET", "/applications(appId='x/y')", 1, false},
		{"GET", "/applications/$count", 1, false},
		{"GET", "/users", 2, false},
		{"GET", "/oauth2PermissionGrants/abc", 2, false},
		{"GET", "/servicePrincipals/abc/appRoleAssignments", 2, false},
		{"GET", "/servicePrincipals(appId='x')/appRoleAssignments", 2, false},
		{"GET", "/servicePrincipals/abc/appRoleAssignedTo", 1, false},
		{"GET", "/groups/g/transitiveMembers?$select=id", 4, false},
		{"GET", "https://127.0.0.1:1/graph/v1.0/domains", 1, false},
		{"POST", "/applications", 1, true},
		{"PATCH", "/applications/abc", 1, true},
		{"DELETE", "/applications/abc", 1, true},
		{"POST", "/directoryObjects/getByIds", 3, false},
		{"POST", "/v1.0/applications/abc/addPassword", 1, true},
	}
	for _, tt := range tests {
		path, q := graphPath(tt.url)
		cost, write := graphCost(tt.method, path, q)
		if cost != tt.cost || write != tt.write {
			t.Errorf("graphCost(%s %s) = %d, %v; want %d, %v", tt.method, tt.url, cost, write, tt.cost, tt.write)
		}
	}
}

func TestCapPageSize(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"odata.maxpagesize=5000", "odata.maxpagesize=1000", true},
		{"odata.maxpagesize = 1001;odata.continue-on-error", "odata.maxpagesize = 1000;odata.continue-on-error", true},
		{`return=minimal, ODATA.MAXPAGESIZE="99999"`, `return=minimal, ODATA.MAXPAGESIZE="1000"`, true},
		{"odata.maxpagesize=1000", "odata.maxpagesize=1000", false},
		{"odata.maxpagesize=2", "odata.maxpagesize=2", false},
		{"return=minimal", "return=minimal", false},
	}
	for _, tt := range tests {
		got, changed := capPageSize(tt.in, 1000)
		if got != tt.want || changed != tt.changed {
			t.Errorf("capPageSize(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

// TestProfile_ExchangePageCap checks that a larger page than the cap is
// answered with the cap, and that Preference-Applied says so.
func TestProfile_ExchangePageCap(t *testing.T) {
	s := startSim(t, Options{Profile: Profile{ExchangePageSize: 2}})
	c := newClient(t, s)
	for _, hdr := range []http.Header{
		{"Prefer": {"odata.maxpagesize=1000"}},
		{"X-Prefer": {"odata.maxpagesize = 50;odata.continue-on-error"}},
		nil, // no preference: the cap applies too
	} {
		r := c.post(c.invokeURL(), "Get-Mailbox", map[string]any{"ResultSize": "Unlimited"}, hdr)
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("Get-Mailbox with %v: %d %v %s", hdr, r.status, r.err, r.body)
		}
		env := decodeEnvelope(t, r.body)
		if len(env.Value) != 2 || env.NextLink == "" {
			t.Errorf("Get-Mailbox with %v: %d objects, nextLink %q; want 2 and a nextLink", hdr, len(env.Value), env.NextLink)
		}
		if got := r.header.Get("Preference-Applied"); got != "odata.maxpagesize=2" {
			t.Errorf("Get-Mailbox with %v: Preference-Applied %q", hdr, got)
		}
	}
	if got := s.Stats().Exchange.Requests; got != 3 {
		t.Errorf("Stats().Exchange.Requests = %d, want 3", got)
	}
}

// heldSleep replaces the latency wait: every wait blocks until release is
// closed, and says on entered that it started, so a test can hold requests
// in flight without timing anything.
type heldSleep struct {
	entered chan time.Duration
	release chan struct{}
}

func newHeldSleep() *heldSleep {
	return &heldSleep{entered: make(chan time.Duration, 64), release: make(chan struct{})}
}

func (h *heldSleep) sleep(ctx context.Context, d time.Duration) error {
	h.entered <- d
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestProfile_ExchangeConcurrency holds ten Exchange requests (one of them a
// $batch) in their latency and checks that an eleventh is refused as
// Exchange refuses it, that Graph is still served meanwhile (the wait holds
// no lock), and that the held requests then complete.
func TestProfile_ExchangeConcurrency(t *testing.T) {
	held := newHeldSleep()
	s := startSim(t, Options{Profile: Profile{ExchangeConcurrency: 10, ExchangeLatency: 400 * time.Millisecond}, sleep: held.sleep})
	c := newClient(t, s)
	g := newGraphClient(t, s)
	var wg sync.WaitGroup
	statuses := make(chan int, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 9 {
				// A $batch takes one slot, whatever it carries.
				r := c.post(c.cloud.ExchangeURL+"/adminapi/beta/"+c.tenant+"/$batch", "", nil, nil)
				statuses <- -r.status // its answer is the batch handler's business
				return
			}
			r := c.invoke("Get-InboundConnector", nil)
			statuses <- r.status
		}()
	}
	for range 10 {
		if d := <-held.entered; d != 400*time.Millisecond {
			t.Errorf("latency wait %v, want 400ms", d)
		}
	}
	r := c.invoke("Get-InboundConnector", nil)
	if r.err != nil || r.status != http.StatusTooManyRequests {
		t.Fatalf("11th request: %d %v, want 429", r.status, r.err)
	}
	if !strings.HasPrefix(string(r.body), "You have reached the maximum number of concurrent requests per tenant. Please wait and try again") {
		t.Errorf("11th request body %q", r.body)
	}
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("11th request Retry-After %q, want 1", got)
	}
	g.must(http.StatusOK, "GET", "/domains", nil) // Graph has no latency here and is not held
	close(held.release)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st > 0 && st != http.StatusOK {
			t.Errorf("a held request answered %d, want 200", st)
		}
	}
	if r := c.invoke("Get-InboundConnector", nil); r.status != http.StatusOK {
		t.Errorf("after the held requests: %d, want 200", r.status)
	}
	st := s.Stats().Exchange
	want := ServiceStats{Requests: 12, Throttled: 1, RetryAfter: time.Second, PeakConcurrent: 11, Latency: 11 * 400 * time.Millisecond}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Stats().Exchange mismatch (-want +got):\n%s", diff)
	}
}

// TestProfile_Latency checks that each service waits its own latency, once
// per request (a $batch once), and that the accounting adds it up.
func TestProfile_Latency(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}
	p := Profile{GraphLatency: 3 * time.Millisecond, ExchangeLatency: 5 * time.Millisecond, TokenLatency: 7 * time.Millisecond}
	s := startSim(t, Options{Profile: p, sleep: sleep})
	c := newClient(t, s)      // one token
	g := newGraphClient(t, s) // one token
	c.mustInvoke("Get-InboundConnector", nil)
	g.must(http.StatusOK, "GET", "/domains", nil)
	g.must(http.StatusOK, "POST", "/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/domains"},
		map[string]any{"id": "2", "method": "GET", "url": "/organization"},
	}})
	want := []time.Duration{7 * time.Millisecond, 7 * time.Millisecond, 5 * time.Millisecond, 3 * time.Millisecond, 3 * time.Millisecond}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
	st := s.Stats()
	got := map[string]ServiceStats{"graph": st.Graph, "exchange": st.Exchange, "token": st.Token}
	wantStats := map[string]ServiceStats{
		"graph":    {Requests: 2, BatchItems: 2, PeakConcurrent: 1, Latency: 6 * time.Millisecond},
		"exchange": {Requests: 1, PeakConcurrent: 1, Latency: 5 * time.Millisecond},
		"token":    {Requests: 2, PeakConcurrent: 1, Latency: 14 * time.Millisecond},
	}
	if diff := cmp.Diff(wantStats, got); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	if st.TokenRequests != 2 {
		t.Errorf("TokenRequests = %d, want 2", st.TokenRequests)
	}
}

func TestSleepContext_HonoursCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepContext(ctx, time.Hour); err != context.Canceled {
		t.Errorf("sleepContext(cancelled, 1h) = %v, want context.Canceled", err)
	}
	if err := sleepContext(context.Background(), time.Nanosecond); err != nil {
		t.Errorf("sleepContext(1ns) = %v", err)
	}
}

// TestProfile_GraphBudget steps a fake clock through the resource-unit and
// write budgets: refusal at the right count, Retry-After until the bucket
// allows the request, refused requests still charged.
func TestProfile_GraphBudget(t *testing.T) {
	type step struct {
		advance    time.Duration
		method     string
		path       string
		wantStatus int    // 0: not throttled (any other status)
		wantRetry  string // Retry-After of a 429
		wantScope  string // the limit in x-ms-throttle-scope of a 429
	}
	ten := func(method, path string) []step {
		var out []step
		for range 10 {
			out = append(out, step{method: method, path: path})
		}
		return out
	}
	tests := []struct {
		name    string
		profile Profile
		steps   []step
	}{
		{
			// 20 RU per 10 s refill 2 RU a second; GET /applications costs 2.
			name:    "resource units",
			profile: Profile{GraphResourceUnits: 20, GraphWindow: 10 * time.Second},
			steps: append(ten("GET", "/applications"),
				step{method: "GET", path: "/applications", wantStatus: 429, wantRetry: "2", wantScope: "ReadWrite"},
				// One second later the bucket holds 0 (the refused request was charged): refused again.
				step{advance: time.Second, method: "GET", path: "/applications", wantStatus: 429, wantRetry: "2", wantScope: "ReadWrite"},
				// Retry-After later there is room for it.
				step{advance: 2 * time.Second, method: "GET", path: "/applications"},
				// $select makes it 1 RU: 1 second's refill is enough.
				step{method: "GET", path: "/applications?$select=id", wantStatus: 429, wantRetry: "1", wantScope: "ReadWrite"},
				step{advance: time.Second, method: "GET", path: "/applications?$select=id"},
			),
		},
		{
			// 2 writes per 150 s: the third waits for a whole refill of one write (75 s), after its own.
			name:    "writes",
			profile: Profile{GraphResourceUnits: 8000, GraphWindow: 10 * time.Second, GraphWrites: 2, GraphWriteWindow: 150 * time.Second},
			steps: []step{
				{method: "PATCH", path: "/applications/" + newGUID()},
				{method: "DELETE", path: "/applications/" + newGUID()},
				{method: "GET", path: "/applications"}, // reads are not writes
				{method: "POST", path: "/applications", wantStatus: 429, wantRetry: "150", wantScope: "Write"},
				{advance: 150 * time.Second, method: "POST", path: "/applications"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Now()}
			s := startSim(t, Options{Profile: tt.profile, now: clk.Now})
			g := newGraphClient(t, s)
			app, tenant := g.cloud.ClientID, g.cloud.TenantID
			throttled := 0
			for i, st := range tt.steps {
				clk.Advance(st.advance)
				var body any
				if st.method == "POST" || st.method == "PATCH" {
					body = map[string]any{"displayName": fmt.Sprint("budget ", i)}
				}
				r := g.do(st.method, st.path, body)
				if st.wantStatus == 0 {
					if r.status == http.StatusTooManyRequests {
						t.Fatalf("step %d %s %s: throttled (%s), want served", i, st.method, st.path, r.raw)
					}
					continue
				}
				throttled++
				if r.status != st.wantStatus {
					t.Fatalf("step %d %s %s = %d %s, want %d", i, st.method, st.path, r.status, r.raw, st.wantStatus)
				}
				if code, _ := graphErrorOf(t, r); code != "TooManyRequests" {
					t.Errorf("step %d: code %q, want TooManyRequests", i, code)
				}
				if got := r.header.Get("Retry-After"); got != st.wantRetry {
					t.Errorf("step %d: Retry-After %q, want %q", i, got, st.wantRetry)
				}
				if got, want := r.header.Get("x-ms-throttle-scope"), "Tenant_Application/"+st.wantScope+"/"+app+"/"+tenant; got != want {
					t.Errorf("step %d: x-ms-throttle-scope %q, want %q", i, got, want)
				}
			}
			if got := s.Stats().Graph.Throttled; got != throttled {
				t.Errorf("Stats().Graph.Throttled = %d, want %d", got, throttled)
			}
		})
	}
}

// TestProfile_GraphBudgetBatch checks that $batch items are charged one by
// one: the items past the budget come back as 429 items, and a batch with
// no room at all is refused whole.
func TestProfile_GraphBudgetBatch(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	s := startSim(t, Options{Profile: Profile{GraphResourceUnits: 20, GraphWindow: 10 * time.Second}, now: clk.Now})
	g := newGraphClient(t, s)
	batch := func(n int) map[string]any {
		var items []any
		for i := range n {
			items = append(items, map[string]any{"id": fmt.Sprint(i + 1), "method": "GET", "url": "/applications"})
		}
		return map[string]any{"requests": items}
	}
	r := g.must(http.StatusOK, "POST", "/$batch", batch(12))
	got := map[string]float64{}
	for _, it := range r.obj["responses"].([]any) {
		m := it.(map[string]any)
		got[m["id"].(string)] = m["status"].(float64)
		if m["status"] == 429.0 {
			h := m["headers"].(map[string]any)
			if h["Retry-After"] != "2" {
				t.Errorf("item %s Retry-After %v, want 2", m["id"], h["Retry-After"])
			}
			if e := m["body"].(map[string]any)["error"].(map[string]any); e["code"] != "TooManyRequests" {
				t.Errorf("item %s body %v", m["id"], e)
			}
		}
	}
	want := map[string]float64{"1": 200, "2": 200, "3": 200, "4": 200, "5": 200, "6": 200, "7": 200, "8": 200, "9": 200, "10": 200, "11": 429, "12": 429}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("item statuses (-want +got):\n%s", diff)
	}
	if r.header.Get("x-ms-resource-unit") != "20" {
		t.Errorf("x-ms-resource-unit %q, want 20 (the admitted items)", r.header.Get("x-ms-resource-unit"))
	}
	r = g.do("POST", "/$batch", batch(2))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("batch with no room = %d (Retry-After %q), want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	st := s.Stats().Graph
	if st.Requests != 2 || st.BatchItems != 14 || st.Throttled != 3 {
		t.Errorf("Stats().Graph = %+v; want 2 requests, 14 batch items, 3 throttled", st)
	}
}

// TestProfile_Pages checks the page accounting: requests for a nextLink.
func TestProfile_Pages(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	hdr := http.Header{"Prefer": {"odata.maxpagesize=1"}}
	r := c.post(c.invokeURL(), "Get-Mailbox", nil, hdr)
	pages := 1
	for next := decodeEnvelope(t, r.body).NextLink; next != ""; next = decodeEnvelope(t, r.body).NextLink {
		r = c.post(next, "Get-Mailbox", nil, hdr)
		pages++
	}
	g := newGraphClient(t, s)
	r2 := g.must(http.StatusOK, "GET", "/servicePrincipals?$top=1", nil)
	next, _ := r2.obj["@odata.nextLink"].(string)
	if next == "" {
		t.Fatal("no Graph nextLink for service principals with $top=1")
	}
	u, _ := url.Parse(next)
	g.must(http.StatusOK, "POST", "/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": strings.TrimPrefix(u.RequestURI(), "/graph/v1.0")},
	}})
	st := s.Stats()
	if st.Exchange.Requests != pages || st.Exchange.Pages != pages-1 || pages < 2 {
		t.Errorf("Exchange: %d requests, %d pages; want %d and %d", st.Exchange.Requests, st.Exchange.Pages, pages, pages-1)
	}
	if st.Graph.Pages != 1 {
		t.Errorf("Graph pages = %d, want 1 (the batch item)", st.Graph.Pages)
	}
	table := st.Table()
	for _, want := range []string{"service   requests  batch items", "exchange  " + fmt.Sprint(pages)} {
		if !strings.Contains(table, want) {
			t.Errorf("Table() lacks %q:\n%s", want, table)
		}
	}
}

// TestProfile_ExchangeBatch checks the model on Exchange $batch: the page cap
// reaches items (their own Prefer and the batch's), the items and their
// nextLink pages are counted, and the batch is one request.
func TestProfile_ExchangeBatch(t *testing.T) {
	s := startSim(t, Options{Profile: Profile{ExchangePageSize: 2}})
	c := newClient(t, s)
	first := c.batch(map[string]any{"requests": []any{
		c.batchItem("1", c.invokeURL(), "Get-Mailbox", nil, map[string]string{"Prefer": "odata.maxpagesize=1000"}),
		c.batchItem("2", c.invokeURL(), "Get-Mailbox", nil, nil),
	}})
	if first.err != nil || first.status != http.StatusOK {
		t.Fatalf("$batch: %d %v %s", first.status, first.err, first.body)
	}
	var resp struct{ Responses []batchResponse }
	if err := json.Unmarshal(first.body, &resp); err != nil || len(resp.Responses) != 2 {
		t.Fatalf("$batch answer %s: %v", first.body, err)
	}
	var next string
	for _, it := range resp.Responses {
		env := decodeEnvelope(t, it.Body)
		if it.Status != http.StatusOK || len(env.Value) != 2 || env.NextLink == "" {
			t.Errorf("item %s: status %d, %d objects, nextLink %q; want 200, 2 and a nextLink", it.ID, it.Status, len(env.Value), env.NextLink)
		}
		next = env.NextLink
	}
	if r := c.batch(map[string]any{"requests": []any{c.batchItem("3", next, "Get-Mailbox", nil, nil)}}); r.status != http.StatusOK {
		t.Fatalf("$batch of a nextLink: %d %s", r.status, r.body)
	}
	want := ServiceStats{Requests: 2, BatchItems: 3, Pages: 1, PeakConcurrent: 1}
	if diff := cmp.Diff(want, s.Stats().Exchange); diff != "" {
		t.Errorf("Stats().Exchange mismatch (-want +got):\n%s", diff)
	}
}
