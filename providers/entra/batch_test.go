package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type batchBody struct {
	Requests []struct {
		ID      string            `json:"id"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"requests"`
}

// batchStub answers every sub-request with answer(id, attempt of that id).
func batchStub(t *testing.T, answer func(id, url string, attempt int) string) (*stub, *[]batchBody) {
	var mu sync.Mutex
	var seen []batchBody
	attempts := map[string]int{}
	var st *stub
	st = newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1.0/$batch" {
			writeJSON(w, 400, graphError("BadRequest", "not a batch: "+r.Method+" "+r.URL.Path))
			return
		}
		st.mu.Lock()
		raw := st.bodies[n-1]
		st.mu.Unlock()
		var b batchBody
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		var parts []string
		// reverse order: answers may come in any order
		for i := len(b.Requests) - 1; i >= 0; i-- {
			rq := b.Requests[i]
			attempts[rq.ID]++
			parts = append(parts, answer(rq.ID, rq.URL, attempts[rq.ID]))
		}
		seen = append(seen, b)
		writeJSON(w, 200, `{"responses":[`+strings.Join(parts, ",")+`]}`)
	})
	return st, &seen
}

func TestBatchChunking(t *testing.T) {
	var seen []batchBody
	var mu sync.Mutex
	s := newStub(t, nil)
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		var b batchBody
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			t.Error(err)
		}
		mu.Lock()
		seen = append(seen, b)
		mu.Unlock()
		var parts []string
		for _, rq := range b.Requests {
			parts = append(parts, fmt.Sprintf(`{"id":%q,"status":200,"headers":{"Content-Type":"application/json"},"body":{"url":%q}}`, rq.ID, rq.URL))
		}
		writeJSON(w, 200, `{"responses":[`+strings.Join(parts, ",")+`]}`)
	})
	c := newTestClient(t, s, nil)
	var reqs []BatchRequest
	for i := 0; i < 45; i++ {
		reqs = append(reqs, BatchRequest{Method: "get", URL: fmt.Sprintf("/servicePrincipals/%d", i)})
	}
	res, err := c.Batch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range seen {
		sizes = append(sizes, len(b.Requests))
	}
	sort.Sort(sort.Reverse(sort.IntSlice(sizes)))
	if diff := cmp.Diff([]int{20, 20, 5}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if len(res) != 45 {
		t.Fatalf("%d responses", len(res))
	}
	for i, r := range res {
		want := fmt.Sprintf(`{"url":"/servicePrincipals/%d"}`, i)
		if r.Status != 200 || string(r.Body) != want || r.ID != fmt.Sprint(i+1) || r.Err != nil {
			t.Errorf("response %d = %+v", i, r)
		}
	}
	if st := c.Stats(); st.Requests != 3 || st.BatchItems != 45 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchItemHeaders(t *testing.T) {
	s, seen := batchStub(t, func(id, url string, attempt int) string {
		return fmt.Sprintf(`{"id":%q,"status":204}`, id)
	})
	c := newTestClient(t, s, nil)
	_, err := c.Batch(context.Background(), []BatchRequest{
		{ID: "a", Method: "GET", URL: "/users?$count=true&$filter=endsWith(mail,'@x.com')"},
		{ID: "b", Method: "PATCH", URL: "/applications/1", Body: map[string]any{"tags": []string{"t"}}},
		{ID: "c", Method: "GET", URL: "/users/1", Headers: map[string]string{"Prefer": "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	bodies := map[string]string{}
	for _, rq := range (*seen)[0].Requests {
		got[rq.ID] = rq.Headers
		bodies[rq.ID] = string(rq.Body)
	}
	want := map[string]map[string]string{
		"a": {"ConsistencyLevel": "eventual"},
		"b": {"Content-Type": "application/json"},
		"c": {"Prefer": "x"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("item headers (-want +got):\n%s", diff)
	}
	if bodies["b"] != `{"tags":["t"]}` || bodies["a"] != "" {
		t.Errorf("bodies %q", bodies)
	}
	if _, err := c.Batch(context.Background(), []BatchRequest{{ID: "x", Method: "GET", URL: "/a"}, {ID: "X", Method: "GET", URL: "/b"}}); err == nil {
		t.Error("duplicate ids accepted")
	}
	if _, err := c.Batch(context.Background(), []BatchRequest{{Method: "GET", URL: "https://evil.example.com/a"}}); err == nil {
		t.Error("absolute URL accepted")
	}
}

func TestBatchThrottledItemsRetried(t *testing.T) {
	s, seen := batchStub(t, func(id, url string, attempt int) string {
		if id == "2" && attempt <= 2 {
			return fmt.Sprintf(`{"id":%q,"status":429,"headers":{"Retry-After":"%d"},"body":{"error":{"code":"TooManyRequests","message":"slow"}}}`, id, 3*attempt)
		}
		if id == "3" {
			return fmt.Sprintf(`{"id":%q,"status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"Resource '3' does not exist.","innerError":{"request-id":"r3"}}}}`, id)
		}
		return fmt.Sprintf(`{"id":%q,"status":200,"body":{"id":%q}}`, id, id)
	})
	c := newTestClient(t, s, nil)
	res, err := c.Batch(context.Background(), []BatchRequest{
		{Method: "GET", URL: "/a"}, {Method: "POST", URL: "/b", Body: map[string]string{}}, {Method: "GET", URL: "/c"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{3 * time.Second, 6 * time.Second}, c.sleeps.got()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	var sizes []int
	for _, b := range *seen {
		sizes = append(sizes, len(b.Requests))
	}
	if diff := cmp.Diff([]int{3, 1, 1}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if res[1].Status != 200 || string(res[1].Body) != `{"id":"2"}` || res[1].Err != nil {
		t.Errorf("throttled item = %+v", res[1])
	}
	if res[2].Status != 404 || res[2].Err == nil || !IsNotFound(res[2].Err) ||
		res[2].Err.Error() != "GET /c: 404 Request_ResourceNotFound: Resource '3' does not exist. (request id r3)" {
		t.Errorf("failed item = %+v (%v)", res[2], res[2].Err)
	}
	if st := c.Stats(); st.Throttled != 2 || st.Retries != 2 || st.BatchItems != 5 || st.Requests != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchThrottledGivesUp(t *testing.T) {
	s, _ := batchStub(t, func(id, url string, attempt int) string {
		return fmt.Sprintf(`{"id":%q,"status":429,"body":{"error":{"code":"TooManyRequests","message":"slow"}}}`, id)
	})
	c := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 2 })
	res, err := c.Batch(context.Background(), []BatchRequest{{Method: "GET", URL: "/a"}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != 429 || !IsThrottled(res[0].Err) || s.requests.Load() != 3 {
		t.Errorf("res %+v after %d requests", res[0], s.requests.Load())
	}
}

func TestBatchMissingAnswer(t *testing.T) {
	s, _ := batchStub(t, func(id, url string, attempt int) string {
		if id == "2" {
			return `{"id":"zzz","status":200}`
		}
		return fmt.Sprintf(`{"id":%q,"status":201,"body":{}}`, id)
	})
	c := newTestClient(t, s, nil)
	res, err := c.Batch(context.Background(), []BatchRequest{{Method: "POST", URL: "/a", Body: 1}, {Method: "POST", URL: "/b", Body: 2}})
	if !IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	if res[0].Status != 201 || res[1].Status != 0 {
		t.Errorf("res = %+v", res)
	}
}

// TestBatchList: the first pages go in one $batch; each collection's nextLink is followed in
// the next round, with the others' in the same $batch; items arrive in page order per
// collection; a nextLink off the Graph endpoint, or a failed item, fails the listing.
func TestBatchList(t *testing.T) {
	tests := []struct {
		name    string
		pages   map[string][]string // url → answer body, by attempt order of that url
		want    map[int][]string
		batches []int // items per $batch call
		err     string
	}{
		{
			name: "pages followed per collection",
			pages: map[string][]string{
				"/a?$top=999":              {`{"value":["a1","a2"],"@odata.nextLink":"BASE/v1.0/a?$top=999&$skiptoken=2"}`},
				"/a?$top=999&$skiptoken=2": {`{"value":["a3"],"@odata.nextLink":"BASE/v1.0/a?$top=999&$skiptoken=3"}`},
				"/a?$top=999&$skiptoken=3": {`{"value":["a4"]}`},
				"/b":                       {`{"value":[]}`},
				"/c":                       {`{"value":["c1"],"@odata.nextLink":"BASE/v1.0/c?$skiptoken=x"}`},
				"/c?$skiptoken=x":          {`{"value":["c2"]}`},
			},
			want:    map[int][]string{0: {"a1", "a2", "a3", "a4"}, 2: {"c1", "c2"}},
			batches: []int{3, 2, 1},
		},
		{
			name:  "a nextLink elsewhere",
			pages: map[string][]string{"/a?$top=999": {`{"value":[],"@odata.nextLink":"https://attacker.example/v1.0/a"}`}, "/b": {`{"value":[]}`}, "/c": {`{"value":[]}`}},
			err:   "GET /a: @odata.nextLink: refusing to send a request to https://attacker.example",
		},
		{
			name:  "a failed item",
			pages: map[string][]string{"/a?$top=999": {`{"value":[]}`}, "/b": {`ERR`}, "/c": {`{"value":[]}`}},
			err:   "GET /b: 403 Authorization_RequestDenied",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var base string
			st, seen := batchStub(t, func(id, url string, attempt int) string {
				body, ok := tc.pages[url]
				if !ok || body[0] == "ERR" {
					return fmt.Sprintf(`{"id":%q,"status":403,"body":%s}`, id, graphError("Authorization_RequestDenied", "no"))
				}
				return fmt.Sprintf(`{"id":%q,"status":200,"headers":{"Content-Type":"application/json"},"body":%s}`, id, strings.ReplaceAll(body[0], "BASE", base))
			})
			base = st.srv.URL
			c := newTestClient(t, st, nil)
			got := map[int][]string{}
			err := c.BatchList(context.Background(), []string{"/a?$top=999", "/b", "/c"}, func(i int, item json.RawMessage) error {
				var s string
				if err := json.Unmarshal(item, &s); err != nil {
					return err
				}
				got[i] = append(got[i], s)
				return nil
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if n := strings.Count(err.Error(), strings.SplitN(tc.err, ":", 2)[0]+":"); n != 1 {
					t.Errorf("the error names the request %d times: %v", n, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			var sizes []int
			for _, b := range *seen {
				sizes = append(sizes, len(b.Requests))
			}
			if diff := cmp.Diff(tc.batches, sizes); diff != "" {
				t.Errorf("$batch sizes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBatchReadServerErrorsRetried: a GET item answered 500, 502 or 504 is sent again, twice
// at most, as the client repeats a GET; a POST item's 500 is returned at once (it may have
// acted). A $batch that fails as a whole with 500 is repeated when all its items are GETs.
func TestBatchReadServerErrorsRetried(t *testing.T) {
	s, seen := batchStub(t, func(id, url string, attempt int) string {
		switch {
		case id == "1" && attempt == 1:
			return fmt.Sprintf(`{"id":%q,"status":500,"body":{"error":{"code":"InternalServerError","message":"x"}}}`, id)
		case id == "2":
			return fmt.Sprintf(`{"id":%q,"status":500,"body":{"error":{"code":"InternalServerError","message":"x"}}}`, id)
		case id == "3":
			return fmt.Sprintf(`{"id":%q,"status":504,"body":{"error":{"code":"GatewayTimeout","message":"x"}}}`, id)
		}
		return fmt.Sprintf(`{"id":%q,"status":200,"body":{"id":%q}}`, id, id)
	})
	c := newTestClient(t, s, nil)
	res, err := c.Batch(context.Background(), []BatchRequest{
		{Method: "GET", URL: "/a"}, {Method: "POST", URL: "/b", Body: map[string]string{}}, {Method: "GET", URL: "/c"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != 200 || res[0].Err != nil {
		t.Errorf("a GET answered 500 once: %+v", res[0])
	}
	if res[1].Status != 500 || res[1].Err == nil {
		t.Errorf("a POST answered 500: %+v", res[1])
	}
	if res[2].Status != 504 || res[2].Err == nil {
		t.Errorf("a GET answered 504 every time: %+v", res[2])
	}
	var sizes []int
	for _, b := range *seen {
		sizes = append(sizes, len(b.Requests))
	}
	// All three, then the two GETs, then the one still failing; the POST is never repeated.
	if diff := cmp.Diff([]int{3, 2, 1}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}

	whole := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			writeJSON(w, 500, graphError("InternalServerError", "the batch failed"))
			return
		}
		writeJSON(w, 200, `{"responses":[{"id":"1","status":200,"body":{"value":[]}}]}`)
	})
	c = newTestClient(t, whole, nil)
	if _, err := c.Batch(context.Background(), []BatchRequest{{Method: "GET", URL: "/a"}}); err != nil || whole.requests.Load() != 2 {
		t.Errorf("a $batch of GETs answered 500: err %v after %d requests, want it repeated", err, whole.requests.Load())
	}
}
