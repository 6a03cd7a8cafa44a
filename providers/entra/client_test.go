package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewClientOptions(t *testing.T) {
	for _, tc := range []struct {
		base, wantAPI, wantScope string
		wantErr                  bool
	}{
		{base: "https://graph.microsoft.com", wantAPI: "https://graph.microsoft.com/v1.0", wantScope: "https://graph.microsoft.com/.default"},
		{base: "https://graph.microsoft.com/", wantAPI: "https://graph.microsoft.com/v1.0", wantScope: "https://graph.microsoft.com/.default"},
		{base: "https://graph.microsoft.com/v1.0", wantAPI: "https://graph.microsoft.com/v1.0", wantScope: "https://graph.microsoft.com/.default"},
		{base: "https://127.0.0.1:8443/graph", wantAPI: "https://127.0.0.1:8443/graph/v1.0", wantScope: "https://127.0.0.1:8443/.default"},
		{base: "http://graph.microsoft.com", wantErr: true},
		{base: "graph.microsoft.com", wantErr: true},
	} {
		c, err := NewClient(ClientOptions{BaseURL: tc.base, Credential: &fakeCredential{}})
		if tc.wantErr {
			if err == nil {
				t.Errorf("%s: no error", tc.base)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		if c.api != tc.wantAPI || c.scope != tc.wantScope {
			t.Errorf("%s: api %q scope %q, want %q %q", tc.base, c.api, c.scope, tc.wantAPI, tc.wantScope)
		}
	}
	if _, err := NewClient(ClientOptions{BaseURL: "https://graph.microsoft.com"}); err == nil {
		t.Error("no credential: no error")
	}
}

func TestRequestShape(t *testing.T) {
	guidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, tc := range []struct {
		name, method, path string
		body               any
		wantURI            string
		wantBody           string
		wantEventual       bool
	}{
		{name: "get", method: "GET", path: "/applications?$filter=displayName eq 'My App'&$select=id,appId",
			wantURI: "/v1.0/applications?$filter=displayName%20eq%20'My%20App'&$select=id,appId"},
		{name: "count", method: "get", path: "/applications?$count=true&$filter=endsWith(displayName,'x')", wantEventual: true,
			wantURI: "/v1.0/applications?$count=true&$filter=endsWith(displayName,'x')"},
		{name: "count segment", method: "GET", path: "/users/$count", wantEventual: true, wantURI: "/v1.0/users/$count"},
		{name: "search", method: "GET", path: `/users?$search="displayName:ann"`, wantEventual: true, wantURI: "/v1.0/users?$search=%22displayName:ann%22"},
		{name: "post struct", method: "POST", path: "/applications", body: map[string]any{"displayName": "x"},
			wantURI: "/v1.0/applications", wantBody: `{"displayName":"x"}`},
		{name: "patch raw", method: "PATCH", path: "/applications/abc", body: json.RawMessage(`{"tags":["a"]}`),
			wantURI: "/v1.0/applications/abc", wantBody: `{"tags":["a"]}`},
		{name: "key syntax", method: "GET", path: "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
			wantURI: "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"1"}`) })
			c := newTestClient(t, s, nil)
			var out map[string]any
			if err := c.Do(context.Background(), tc.method, tc.path, tc.body, &out); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"id": "1"}, out); diff != "" {
				t.Errorf("out (-want +got):\n%s", diff)
			}
			h := s.headers[0]
			got := map[string]string{
				"method": s.methods[0], "uri": s.uris[0], "body": s.bodies[0],
				"Authorization": h.Get("Authorization"), "Accept": h.Get("Accept"),
				"Content-Type": h.Get("Content-Type"), "ConsistencyLevel": h.Get("ConsistencyLevel"),
			}
			want := map[string]string{
				"method": strings.ToUpper(tc.method), "uri": tc.wantURI, "body": tc.wantBody,
				"Authorization": "Bearer " + testToken, "Accept": "application/json",
				"Content-Type": "", "ConsistencyLevel": "",
			}
			if tc.body != nil {
				want["Content-Type"] = "application/json"
			}
			if tc.wantEventual {
				want["ConsistencyLevel"] = "eventual"
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if id := h.Get("client-request-id"); !guidRE.MatchString(id) {
				t.Errorf("client-request-id %q is not a GUID", id)
			}
			if diff := cmp.Diff([]string{"https://" + s.srv.Listener.Addr().String() + "/.default"}, c.cred.scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenCachedAnd204(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c := newTestClient(t, s, nil)
	out := map[string]any{"kept": true}
	for i := 0; i < 3; i++ {
		if err := c.Do(context.Background(), "PATCH", "/policies/identitySecurityDefaultsEnforcementPolicy", map[string]bool{"isEnabled": false}, &out); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.cred.calls.Load(); n != 1 {
		t.Errorf("GetToken called %d times, want 1", n)
	}
	if diff := cmp.Diff(map[string]any{"kept": true}, out); diff != "" {
		t.Errorf("out changed by a 204 (-want +got):\n%s", diff)
	}
}

func TestListPaging(t *testing.T) {
	var base string
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("$skiptoken") {
		case "":
			writeJSON(w, 200, fmt.Sprintf(`{"@odata.count":5,"value":[{"id":"a"},{"id":"b"}],"@odata.nextLink":"%s/v1.0/users?$count=true&$skiptoken=p2"}`, base))
		case "p2":
			writeJSON(w, 200, fmt.Sprintf(`{"value":[],"@odata.nextLink":"%s/v1.0/users?$count=true&$skiptoken=p3"}`, base))
		case "p3":
			writeJSON(w, 200, `{"value":[{"id":"c"},{"id":"d"},{"id":"e"}]}`)
		}
	})
	base = s.srv.URL
	c := newTestClient(t, s, nil)
	var ids []string
	err := c.List(context.Background(), "/users?$count=true&$select=id", func(raw json.RawMessage) error {
		var o struct{ ID string }
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		ids = append(ids, o.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	var levels []string
	for _, h := range s.headers {
		levels = append(levels, h.Get("ConsistencyLevel"))
	}
	if diff := cmp.Diff([]string{"eventual", "eventual", "eventual"}, levels); diff != "" {
		t.Errorf("ConsistencyLevel per page (-want +got):\n%s", diff)
	}
	if st := c.Stats(); st.Pages != 3 || st.Requests != 3 {
		t.Errorf("stats %+v, want 3 pages and 3 requests", st)
	}

	// Without $count, no ConsistencyLevel on any page.
	s2 := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			writeJSON(w, 200, `{"value":[{}],"@odata.nextLink":"`+r.Header.Get("X-Base")+`/v1.0/users?$skiptoken=x"}`)
			return
		}
		writeJSON(w, 200, `{"value":[{}]}`)
	})
	c2 := newTestClient(t, s2, func(o *ClientOptions) {
		o.HTTPClient.Transport = headerAdder{base: o.HTTPClient.Transport, key: "X-Base", value: s2.srv.URL}
	})
	if err := c2.List(context.Background(), "/users", func(json.RawMessage) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for i, h := range s2.headers {
		if h.Get("ConsistencyLevel") != "" {
			t.Errorf("page %d carries ConsistencyLevel", i+1)
		}
	}
}

type headerAdder struct {
	base       http.RoundTripper
	key, value string
}

func (h headerAdder) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.key, h.value)
	return h.base.RoundTrip(r)
}

func TestListRefusesForeignNextLink(t *testing.T) {
	for _, link := range []string{
		"https://evil.example.com/v1.0/users?$skiptoken=x",
		"http://%s/v1.0/users?$skiptoken=x",
		"https://%s/beta/users?$skiptoken=x",
	} {
		s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
			l := link
			if strings.Contains(l, "%s") {
				l = fmt.Sprintf(l, r.Host)
			}
			writeJSON(w, 200, `{"value":[{"id":"a"}],"@odata.nextLink":"`+l+`"}`)
		})
		c := newTestClient(t, s, nil)
		err := c.List(context.Background(), "/users", func(json.RawMessage) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("%s: err = %v, want a refusal", link, err)
		}
		if n := s.requests.Load(); n != 1 {
			t.Errorf("%s: %d requests, want 1", link, n)
		}
	}
}

func TestListLoopAndMissingValue(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"value":[],"@odata.nextLink":"https://`+r.Host+`/v1.0/users?$skiptoken=same"}`)
	})
	c := newTestClient(t, s, nil)
	if err := c.List(context.Background(), "/users", func(json.RawMessage) error { return nil }); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("err = %v, want a loop error", err)
	}
	s2 := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"x"}`) })
	c2 := newTestClient(t, s2, func(o *ClientOptions) { o.MaxRetries = 1 })
	if err := c2.List(context.Background(), "/users", func(json.RawMessage) error { return nil }); err == nil || !strings.Contains(err.Error(), `no "value"`) {
		t.Errorf("err = %v, want a missing value error", err)
	}
}

func TestRetries(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	type step struct {
		status     int
		retryAfter string
		body       string
	}
	for _, tc := range []struct {
		name         string
		method       string
		steps        []step
		wantRequests int
		wantErr      func(error) bool
		checkSleeps  func([]time.Duration) bool
		wantThrottle int64
	}{
		{name: "429 seconds", method: "GET", steps: []step{{429, "7", graphError("TooManyRequests", "slow down")}, {200, "", `{}`}},
			wantRequests: 2, checkSleeps: func(d []time.Duration) bool { return len(d) == 1 && d[0] == 7*time.Second }, wantThrottle: 1},
		{name: "429 http date", method: "POST", steps: []step{{429, date, ""}, {201, "", `{}`}},
			wantRequests: 2, checkSleeps: func(d []time.Duration) bool { return len(d) == 1 && d[0] > 80*time.Second && d[0] <= 90*time.Second }, wantThrottle: 1},
		{name: "503 then ok", method: "POST", steps: []step{{503, "", "Service Unavailable"}, {503, "2", ""}, {200, "", `{}`}},
			wantRequests: 3, checkSleeps: func(d []time.Duration) bool { return len(d) == 2 && d[0] <= time.Second && d[1] == 2*time.Second }, wantThrottle: 2},
		{name: "GET 500 retried", method: "GET", steps: []step{{500, "", graphError("generalException", "boom")}, {200, "", `{}`}},
			wantRequests: 2},
		{name: "POST 500 not retried", method: "POST", steps: []step{{500, "", graphError("generalException", "boom")}},
			wantRequests: 1, wantErr: func(err error) bool {
				var e *Error
				return errors.As(err, &e) && e.Status == 500 && !IsOutcomeUnknown(err)
			}},
		{name: "POST 504 outcome unknown", method: "POST", steps: []step{{504, "", ""}},
			wantRequests: 1, wantErr: IsOutcomeUnknown},
		{name: "PATCH 504 retried", method: "PATCH", steps: []step{{504, "", ""}, {204, "", ""}}, wantRequests: 2},
		{name: "400 not retried", method: "GET", steps: []step{{400, "", graphError("Request_BadRequest", "bad")}},
			wantRequests: 1, wantErr: func(err error) bool { var e *Error; return errors.As(err, &e) && e.Code == "Request_BadRequest" }},
		{name: "throttled gives up", method: "GET", steps: []step{{429, "1", ""}, {429, "1", ""}, {429, "1", ""}, {429, "1", ""}},
			wantRequests: 4, wantErr: IsThrottled, wantThrottle: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				st := tc.steps[min(n, len(tc.steps))-1]
				if st.retryAfter != "" {
					w.Header().Set("Retry-After", st.retryAfter)
				}
				if st.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeJSON(w, st.status, st.body)
			})
			c := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 3 })
			var body any
			if tc.method != "GET" {
				body = map[string]string{"a": "b"}
			}
			err := c.Do(context.Background(), tc.method, "/applications", body, nil)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("err = %v (%T) does not match", err, err)
			}
			if n := int(s.requests.Load()); n != tc.wantRequests {
				t.Errorf("%d requests, want %d", n, tc.wantRequests)
			}
			if tc.checkSleeps != nil && !tc.checkSleeps(c.sleeps.got()) {
				t.Errorf("sleeps %v", c.sleeps.got())
			}
			if st := c.Stats(); st.Throttled != tc.wantThrottle || st.Requests != int64(tc.wantRequests) || st.Retries != int64(tc.wantRequests-1) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// hijackReset reads the request and closes the connection without answering.
func hijackReset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestConnectionReset(t *testing.T) {
	// POST: exactly one request, outcome unknown.
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { hijackReset(w) })
	c := newTestClient(t, s, nil)
	err := c.Do(context.Background(), "POST", "/applications/abc/addPassword", map[string]any{"passwordCredential": map[string]string{"displayName": "x"}}, nil)
	if !IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("%d requests, want exactly 1", n)
	}
	// GET: retried.
	s2 := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			hijackReset(w)
			return
		}
		writeJSON(w, 200, `{}`)
	})
	c2 := newTestClient(t, s2, nil)
	if err := c2.Do(context.Background(), "GET", "/applications", nil, nil); err != nil {
		t.Fatalf("GET after reset: %v", err)
	}
	// POST with an unreadable 2xx: outcome unknown, one request.
	s3 := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 201, `{"id":`) })
	c3 := newTestClient(t, s3, nil)
	var out map[string]any
	if err := c3.Do(context.Background(), "POST", "/applications", map[string]string{}, &out); !IsOutcomeUnknown(err) || s3.requests.Load() != 1 {
		t.Errorf("unreadable 201: err = %v, %d requests", err, s3.requests.Load())
	}
}

func TestReplicationDelay(t *testing.T) {
	notFound := graphError("Request_ResourceNotFound", "Resource 'abc' does not exist or one of its queried reference-property objects are not present.")
	plain404 := graphError("Request_ResourceNotFound", "Resource 'abc' not found.")
	noApp := graphError("Request_BadRequest", "The appId 'x' of the service principal does not reference a valid application object.")
	for _, tc := range []struct {
		name         string
		recent       bool
		body         string
		status       int
		failures     int // answers before success; -1: never succeeds
		wantRequests int
		wantErr      func(error) bool
		wantSleeps   []time.Duration
		wantWaiting  int
	}{
		{name: "404 after write retried", recent: true, status: 404, body: plain404, failures: 3, wantRequests: 4,
			wantSleeps: []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}, wantWaiting: 1},
		{name: "plain 404 is an answer", status: 404, body: plain404, failures: 3, wantRequests: 1, wantErr: IsNotFound},
		{name: "no valid application retried always", status: 400, body: noApp, failures: 2, wantRequests: 3,
			wantSleeps: []time.Duration{2 * time.Second, 4 * time.Second}, wantWaiting: 1},
		{name: "gives up after ReplicationWait", recent: true, status: 404, body: notFound, failures: -1, wantRequests: 8,
			wantSleeps:  []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 10 * time.Second},
			wantWaiting: 1,
			wantErr: func(err error) bool {
				return IsReplicationDelay(err) && IsNotFound(err) && strings.Contains(err.Error(), "gave up waiting for Entra to replicate") &&
					strings.Contains(err.Error(), "GET /servicePrincipals/abc")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if tc.failures < 0 || n <= tc.failures {
					writeJSON(w, tc.status, tc.body)
					return
				}
				writeJSON(w, 200, `{"id":"abc"}`)
			})
			var waits []string
			c := newTestClient(t, s, func(o *ClientOptions) {
				o.ReplicationWait = 100 * time.Second
				o.Waiting = func(what string) { waits = append(waits, what) }
			})
			ctx := context.Background()
			if tc.recent {
				ctx = WithRecentWrite(ctx)
			}
			err := c.Do(ctx, "GET", "/servicePrincipals/abc", nil, nil)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("err = %v does not match", err)
			}
			if n := int(s.requests.Load()); n != tc.wantRequests {
				t.Errorf("%d requests, want %d", n, tc.wantRequests)
			}
			if diff := cmp.Diff(tc.wantSleeps, c.sleeps.got()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if len(waits) != tc.wantWaiting {
				t.Errorf("Waiting called %d times (%q), want %d", len(waits), waits, tc.wantWaiting)
			}
			for _, w := range waits {
				if !strings.Contains(w, "waiting for Entra to replicate") {
					t.Errorf("Waiting(%q)", w)
				}
			}
		})
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	const secret = "Zq8~S3cr3tV4lu3.ABCDEFGHIJKLMNOPQRSTUV"
	addPassword := `{"customKeyIdentifier":null,"displayName":"x","endDateTime":"2027-01-01T00:00:00Z","hint":"Zq8","keyId":"k1","secretText":"` + secret + `","startDateTime":"2026-01-01T00:00:00Z"}`
	for _, tc := range []struct {
		name    string
		handler func(n int, w http.ResponseWriter, r *http.Request)
		out     any
	}{
		{name: "success", handler: func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, addPassword) }, out: &map[string]any{}},
		{name: "wrong shape", handler: func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, addPassword) }, out: &struct{ SecretText int }{}},
		{name: "truncated", handler: func(n int, w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, addPassword[:len(addPassword)-20])
		}, out: &map[string]any{}},
		{name: "error echoing body", handler: func(n int, w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, graphError("Request_BadRequest", "Invalid value"))
		}, out: &map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, tc.handler)
			c := newTestClient(t, s, nil)
			err := c.Do(context.Background(), "POST", "/applications/abc/addPassword",
				map[string]any{"passwordCredential": map[string]string{"displayName": "x", "secretText": secret}}, tc.out)
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error contains the secret: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error contains the token: %v", err)
			}
			logs := c.logs.all()
			if strings.Contains(logs, secret) || strings.Contains(logs, testToken) || strings.Contains(logs, "Zq8") {
				t.Errorf("logs leak: %s", logs)
			}
			if logs == "" {
				t.Error("no log lines")
			}
			// Batch answers carry the secret only in the item body.
			bs := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, `{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":`+addPassword+`}]}`)
			})
			bc := newTestClient(t, bs, nil)
			res, err := bc.Batch(context.Background(), []BatchRequest{{Method: "POST", URL: "/applications/abc/addPassword", Body: map[string]any{}}})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(res[0].Body), secret) {
				t.Error("batch body lost the secret the caller needs")
			}
			if l := bc.logs.all(); strings.Contains(l, secret) {
				t.Errorf("batch logs leak: %s", l)
			}
		})
	}
}

func TestContextCancelled(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, 429, "")
	})
	c := newTestClient(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	c.Client.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	err := c.Do(ctx, "GET", "/users", nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
