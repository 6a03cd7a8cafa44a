package exchange

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
)

const testTenantGUID = "11111111-2222-3333-4444-555555555555"

// fakeCredential hands out an unsigned JWT carrying the given claims.
type fakeCredential struct {
	claims map[string]any
	calls  atomic.Int32
	scopes []string
	mu     sync.Mutex
}

func (f *fakeCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.scopes = o.Scopes
	f.mu.Unlock()
	return azcore.AccessToken{Token: makeJWT(f.claims), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func makeJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + ".sig"
}

// stub is an InvokeCommand test server whose handler sees the 1-based request number.
type stub struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	bodies   []string
	headers  []http.Header
	paths    []string
}

func newStub(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *stub {
	t.Helper()
	s := &stub{}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.requests.Add(1))
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		s.mu.Lock()
		s.bodies = append(s.bodies, string(body))
		s.headers = append(s.headers, r.Header.Clone())
		s.paths = append(s.paths, r.URL.RequestURI())
		s.mu.Unlock()
		h(n, w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.sleeps = append(s.sleeps, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

func newTestClient(t *testing.T, s *stub, mod func(*ClientOptions)) (*Client, *sleepRecorder, *fakeCredential) {
	t.Helper()
	cred := &fakeCredential{claims: map[string]any{"tid": testTenantGUID, "aud": "https://outlook.office365.com"}}
	rec := &sleepRecorder{}
	opts := ClientOptions{
		BaseURL:    s.srv.URL,
		Tenant:     testTenantGUID,
		Credential: cred,
		HTTPClient: s.srv.Client(),
		Sleep:      rec.Sleep,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec, cred
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const okEmpty = `{"@odata.context":"x","adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[],"value":[]}`

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestShape(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"@odata.context":"https://x/$metadata#Collection(Exchange.GenericHashTable)",
			"adminapi.warnings@odata.type":"#Collection(String)",
			"@adminapi.warnings":["WARNING: The command completed successfully but no settings of 'u' have been modified."],
			"value":[{"Identity":"u","EmailAddresses@odata.type":"#Collection(String)","EmailAddresses":["SMTP:u@contoso.com"],
			"ExchangeGuid@data.type":"System.Guid","ExchangeGuid@odata.type":"#Guid","ExchangeGuid":"0a0b",
			"PitrCopyIntervalInSeconds@odata.type":"#Int16","PitrCopyIntervalInSeconds":4294967296123,
			"Nested":{"Inner@odata.type":"#String","Inner":"v","List":[{"A@odata.type":"#Int32","A":1}]},
			"SmtpClientAuthenticationDisabled":null}]}`)
	})
	var logs []string
	var logMu sync.Mutex
	c, _, cred := newTestClient(t, s, func(o *ClientOptions) {
		o.PageSize = 250
		o.Scope = "https://outlook.office365.com/.default"
		o.Logf = func(f string, a ...any) { logMu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); logMu.Unlock() }
	})
	params := providers.Params{
		{Name: "Identity", Value: "user@contoso.com"},
		{Name: "SmtpClientAuthenticationDisabled", Value: false},
		{Name: "PopEnabled", Value: true},
		{Name: "ForwardingSmtpAddress", Value: nil},
		{Name: "SenderIPAddresses", Value: []string{"203.0.113.10", "198.51.100.0/24"}},
		{Name: "RecipientLimits", Value: int64(500)},
		{Name: "Confirm", Value: providers.Switch(false)},
		{Name: "Shared", Value: providers.Switch(true)},
	}
	res, err := c.Invoke(context.Background(), "Set-CASMailbox", params)
	if err != nil {
		t.Fatal(err)
	}

	wantBody := `{"CmdletInput":{"CmdletName":"Set-CASMailbox","Parameters":{"Identity":"user@contoso.com",` +
		`"SmtpClientAuthenticationDisabled":false,"PopEnabled":true,"ForwardingSmtpAddress":null,` +
		`"SenderIPAddresses":["203.0.113.10","198.51.100.0/24"],"RecipientLimits":500,"Confirm":false,"Shared":true}}}`
	if diff := cmp.Diff(wantBody, s.bodies[0]); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if want := "/adminapi/beta/" + testTenantGUID + "/InvokeCommand"; s.paths[0] != want {
		t.Errorf("path %q, want %q", s.paths[0], want)
	}
	h := s.headers[0]
	if !guidPattern.MatchString(h.Get("client-request-id")) {
		t.Errorf("client-request-id %q is not a random GUID", h.Get("client-request-id"))
	}
	got := map[string]string{}
	for _, k := range []string{"Authorization", "Content-Type", "Accept", "X-AnchorMailbox", "Prefer", "X-CmdletName",
		"X-ResponseFormat", "X-ClientApplication"} {
		got[k] = h.Get(k)
	}
	want := map[string]string{
		"Authorization":       "Bearer " + makeJWT(cred.claims),
		"Content-Type":        "application/json; charset=utf-8",
		"Accept":              "application/json",
		"X-AnchorMailbox":     "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + testTenantGUID,
		"Prefer":              "odata.maxpagesize=250",
		"X-CmdletName":        "Set-CASMailbox",
		"X-ResponseFormat":    "json",
		"X-ClientApplication": "exoform",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://outlook.office365.com/.default"}, cred.scopes); diff != "" {
		t.Errorf("token scopes (-want +got):\n%s", diff)
	}

	wantRes := &Result{
		Objects: []map[string]any{{
			"Identity":                         "u",
			"EmailAddresses":                   []any{"SMTP:u@contoso.com"},
			"ExchangeGuid":                     "0a0b",
			"PitrCopyIntervalInSeconds":        json.Number("4294967296123"),
			"Nested":                           map[string]any{"Inner": "v", "List": []any{map[string]any{"A": json.Number("1")}}},
			"SmtpClientAuthenticationDisabled": nil,
		}},
		Warnings: []string{"WARNING: The command completed successfully but no settings of 'u' have been modified."},
		Pages:    1,
	}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	for _, l := range logs {
		if strings.Contains(l, "Bearer") || strings.Contains(l, makeJWT(cred.claims)) || strings.Contains(l, "user@contoso.com") {
			t.Errorf("log line leaks a token or parameters: %s", l)
		}
	}
	if len(logs) == 0 || !strings.Contains(logs[0], "Set-CASMailbox") || !strings.Contains(logs[0], "200") {
		t.Errorf("logs %q: want cmdlet and status", logs)
	}
}

func TestParameterEncoding(t *testing.T) {
	tests := []struct {
		name   string
		params providers.Params
		want   string
	}{
		{"nil params", nil, `{}`},
		{"empty params", providers.Params{}, `{}`},
		{"string", providers.Params{{Name: "Identity", Value: "a&b<c>"}}, `{"Identity":"a\u0026b\u003cc\u003e"}`},
		{"bools", providers.Params{{Name: "Enabled", Value: true}, {Name: "RequireTls", Value: false}}, `{"Enabled":true,"RequireTls":false}`},
		{"null", providers.Params{{Name: "SmtpClientAuthenticationDisabled", Value: nil}}, `{"SmtpClientAuthenticationDisabled":null}`},
		{"string list", providers.Params{{Name: "AccessRights", Value: []string{"FullAccess"}}}, `{"AccessRights":["FullAccess"]}`},
		{"empty list", providers.Params{{Name: "SenderDomains", Value: []string{}}}, `{"SenderDomains":[]}`},
		{"switch", providers.Params{{Name: "Shared", Value: providers.Switch(true)}, {Name: "Confirm", Value: providers.Switch(false)}},
			`{"Shared":true,"Confirm":false}`},
		{"order kept", providers.Params{{Name: "Z", Value: "1"}, {Name: "A", Value: "2"}, {Name: "M", Value: int64(3)}},
			`{"Z":"1","A":"2","M":3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := requestBody("New-Thing", tt.params)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"CmdletInput":{"CmdletName":"New-Thing","Parameters":` + tt.want + `}}`
			if diff := cmp.Diff(want, string(b)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	var base string
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		next := ""
		if n < 3 {
			next = fmt.Sprintf(`,"@odata.nextLink":"%s/adminapi/beta/%s/InvokeCommand?%%24skiptoken=%d"`, base, testTenantGUID, n)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"value":[{"Name":"o%da"},{"Name":"o%db"}],"@adminapi.warnings":["w%d"]%s}`, n, n, n, next))
	})
	base = s.srv.URL
	c, _, _ := newTestClient(t, s, nil)
	params := providers.Params{{Name: "ResultSize", Value: "Unlimited"}}
	res, err := c.Invoke(context.Background(), "Get-Mailbox", params)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range res.Objects {
		names = append(names, o["Name"].(string))
	}
	if diff := cmp.Diff([]string{"o1a", "o1b", "o2a", "o2b", "o3a", "o3b"}, names); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"w1", "w2", "w3"}, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if res.Pages != 3 {
		t.Errorf("pages %d, want 3", res.Pages)
	}
	wantPaths := []string{
		"/adminapi/beta/" + testTenantGUID + "/InvokeCommand",
		"/adminapi/beta/" + testTenantGUID + "/InvokeCommand?%24skiptoken=1",
		"/adminapi/beta/" + testTenantGUID + "/InvokeCommand?%24skiptoken=2",
	}
	if diff := cmp.Diff(wantPaths, s.paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	for i, b := range s.bodies {
		if b != s.bodies[0] {
			t.Errorf("page %d body %s differs from the first %s", i+1, b, s.bodies[0])
		}
	}
	st := c.Stats()
	if st.Requests != 3 || st.Pages != 3 || st.PerCmdlet["Get-Mailbox"].Pages != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestNextLinkRefused(t *testing.T) {
	tests := []struct {
		name     string
		next     func(base string) string
		wantSub  string
		requests int32
	}{
		{"foreign host", func(string) string { return "https://evil.example.com/adminapi/beta/x/InvokeCommand?p=2" },
			"refusing to follow @odata.nextLink to https://evil.example.com", 1},
		{"plain http", func(base string) string { return strings.Replace(base, "https://", "http://", 1) + "/next" },
			"refusing to follow @odata.nextLink", 1},
		{"same link twice", func(base string) string { return base + "/adminapi/beta/" + testTenantGUID + "/InvokeCommand?p=2" },
			"already followed", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base string
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, fmt.Sprintf(`{"value":[{"N":%d}],"@odata.nextLink":%q}`, n, tt.next(base)))
			})
			base = s.srv.URL
			c, _, _ := newTestClient(t, s, nil)
			res, err := c.Invoke(context.Background(), "Get-TransportRule", nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantSub) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantSub)
			}
			if res != nil {
				t.Errorf("partial result returned: %+v", res)
			}
			if got := s.requests.Load(); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
		})
	}
}

// reset closes the connection without an answer after the request was read.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			tcp.SetLinger(0)
		}
	}
	conn.Close()
}

func TestRetries(t *testing.T) {
	type respond func(w http.ResponseWriter)
	status := func(code int, hdr map[string]string, body string) respond {
		return func(w http.ResponseWriter) {
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			writeJSON(w, code, body)
		}
	}
	ok := status(200, nil, `{"value":[{"Name":"x"}]}`)
	truncated := status(200, nil, `{"value":[{"Name":"x"`)
	dropped := func(w http.ResponseWriter) { reset(w) }
	concurrency := status(500, nil, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again")
	serverErr := status(500, nil, `{"error":{"code":"InternalServerError","message":"Error executing cmdlet"}}`)
	httpDate := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)

	tests := []struct {
		name         string
		cmdlet       string
		responses    []respond // the last one repeats
		maxRetries   int
		wantRequests int32
		wantSleeps   func(t *testing.T, sleeps []time.Duration)
		wantErr      func(err error) bool
		wantThrottle int64
	}{
		{name: "429 Retry-After seconds", cmdlet: "Get-Mailbox",
			responses:    []respond{status(429, map[string]string{"Retry-After": "7"}, `{"error":{"code":"TooManyRequests","message":"slow down"}}`), ok},
			wantRequests: 2, wantThrottle: 1,
			wantSleeps: exactSleeps(7 * time.Second)},
		{name: "429 Retry-After date on a write", cmdlet: "Set-TransportConfig",
			responses:    []respond{status(429, map[string]string{"Retry-After": httpDate}, ""), ok},
			wantRequests: 2, wantThrottle: 1,
			wantSleeps: func(t *testing.T, s []time.Duration) {
				if len(s) != 1 || s[0] < 25*time.Second || s[0] > 31*time.Second {
					t.Errorf("sleeps %v, want one of about 30s", s)
				}
			}},
		{name: "503 backoff", cmdlet: "Get-Mailbox",
			responses:    []respond{status(503, nil, "Service Unavailable"), status(503, nil, ""), ok},
			wantRequests: 3, wantThrottle: 2,
			wantSleeps: func(t *testing.T, s []time.Duration) {
				if len(s) != 2 || s[0] < 500*time.Millisecond || s[0] > time.Second || s[1] < time.Second || s[1] > 2*time.Second {
					t.Errorf("sleeps %v, want about 1s then 2s with jitter", s)
				}
			}},
		{name: "concurrency limit body on a write", cmdlet: "New-InboundConnector",
			responses:    []respond{concurrency, ok},
			wantRequests: 2, wantThrottle: 1},
		{name: "concurrency limit with any status honours Retry-After", cmdlet: "Get-Mailbox",
			responses: []respond{status(400, map[string]string{"Retry-After": "3"},
				"You have reached the maximum number of concurrent requests per tenant. Please wait and try again"), ok},
			wantRequests: 2, wantThrottle: 1,
			wantSleeps: exactSleeps(3 * time.Second)},
		{name: "write connection reset", cmdlet: "New-InboundConnector",
			responses:    []respond{dropped, ok},
			wantRequests: 1,
			wantErr:      IsOutcomeUnknown},
		{name: "read connection reset", cmdlet: "Get-InboundConnector",
			responses:    []respond{dropped, dropped, ok},
			wantRequests: 3},
		{name: "read truncated JSON", cmdlet: "Get-InboundConnector",
			responses:    []respond{truncated, ok},
			wantRequests: 2},
		{name: "write truncated JSON", cmdlet: "Set-InboundConnector",
			responses:    []respond{truncated, ok},
			wantRequests: 1,
			wantErr:      IsOutcomeUnknown},
		{name: "write 504", cmdlet: "Remove-TransportRule",
			responses:    []respond{status(504, nil, "<html>Gateway Timeout</html>"), ok},
			wantRequests: 1,
			wantErr: func(err error) bool {
				var e *Error
				return IsOutcomeUnknown(err) && errors.As(err, &e) && e.Status == 504
			}},
		{name: "read 504", cmdlet: "Get-TransportRule",
			responses:    []respond{status(504, nil, ""), ok},
			wantRequests: 2},
		{name: "read 500 retried twice", cmdlet: "Get-Mailbox",
			responses:    []respond{serverErr},
			wantRequests: 3,
			wantErr:      func(err error) bool { var e *Error; return errors.As(err, &e) && e.Status == 500 }},
		{name: "write 500 not retried", cmdlet: "Set-Mailbox",
			responses:    []respond{serverErr, ok},
			wantRequests: 1,
			wantErr:      func(err error) bool { return !IsOutcomeUnknown(err) && strings.Contains(err.Error(), "500") }},
		{name: "read cmdlet error not retried", cmdlet: "Get-Mailbox",
			responses:    []respond{status(404, nil, notFoundBody)},
			wantRequests: 1,
			wantErr:      IsNotFound},
		{name: "throttled until retries run out", cmdlet: "Get-Mailbox", maxRetries: 3,
			responses:    []respond{status(429, map[string]string{"Retry-After": "1"}, "")},
			wantRequests: 4, wantThrottle: 4,
			wantSleeps: exactSleeps(time.Second, time.Second, time.Second),
			wantErr:    IsThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				i := min(n, len(tt.responses)) - 1
				tt.responses[i](w)
			})
			c, rec, _ := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = tt.maxRetries })
			res, err := c.Invoke(context.Background(), tt.cmdlet, nil)
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("err = %v (%T), not the expected kind", err, err)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			} else if len(res.Objects) != 1 {
				t.Errorf("objects %v", res.Objects)
			}
			if got := s.requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			if tt.wantSleeps != nil {
				tt.wantSleeps(t, rec.got())
			}
			st := c.Stats()
			if st.Throttled != tt.wantThrottle {
				t.Errorf("throttled %d, want %d", st.Throttled, tt.wantThrottle)
			}
			if st.Retries != int64(len(rec.got())) {
				t.Errorf("retries %d, sleeps %d", st.Retries, len(rec.got()))
			}
			var wait time.Duration
			for _, d := range rec.got() {
				wait += d
			}
			if st.WaitTime != wait {
				t.Errorf("wait time %v, want %v", st.WaitTime, wait)
			}
		})
	}
}

func exactSleeps(want ...time.Duration) func(t *testing.T, s []time.Duration) {
	return func(t *testing.T, s []time.Duration) {
		t.Helper()
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("sleeps (-want +got):\n%s", diff)
		}
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, 429, "")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _, _ := newTestClient(t, s, func(o *ClientOptions) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		}
	})
	_, err := c.Invoke(ctx, "Get-Mailbox", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := s.requests.Load(); got != 1 {
		t.Errorf("%d requests after cancel, want 1", got)
	}
}

func TestCancelDuringWriteIsOutcomeUnknown(t *testing.T) {
	release := make(chan struct{})
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		<-release
		writeJSON(w, 200, okEmpty)
	})
	defer close(release)
	c, _, _ := newTestClient(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for s.requests.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Invoke(ctx, "New-TransportRule", providers.Params{{Name: "Name", Value: "r"}})
	if !IsOutcomeUnknown(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want outcome unknown and canceled", err)
	}
}

func TestWriteNotSentIsRetried(t *testing.T) {
	// A server that is not listening: the request is never sent, so even a write may be retried.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rec := &sleepRecorder{}
	c, err := NewClient(ClientOptions{BaseURL: "https://" + addr, Tenant: testTenantGUID,
		Credential: &fakeCredential{claims: map[string]any{"tid": testTenantGUID}}, MaxRetries: 2, Sleep: rec.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(context.Background(), "New-Mailbox", nil)
	if err == nil || IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want a plain connection error", err)
	}
	if len(rec.got()) != 2 {
		t.Errorf("sleeps %v, want 2 retries", rec.got())
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(15 * time.Millisecond)
		inFlight.Add(-1)
		writeJSON(w, 200, okEmpty)
	})
	c, _, _ := newTestClient(t, s, func(o *ClientOptions) { o.MaxConcurrent = 2 })
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Invoke(context.Background(), "Get-CASMailbox", nil); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrency %d, want 2", p)
	}
	if got := c.Stats().Requests; got != 10 {
		t.Errorf("requests %d, want 10", got)
	}
}

// TestDefaultConcurrency: without MaxConcurrent the client keeps DefaultMaxConcurrent (10)
// requests in flight, and never more. The server holds each request until ten are in.
func TestDefaultConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int32
	full := make(chan struct{})
	var once sync.Once
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		if cur == DefaultMaxConcurrent {
			once.Do(func() { close(full) })
		}
		select {
		case <-full:
		case <-time.After(10 * time.Second):
		}
		inFlight.Add(-1)
		writeJSON(w, 200, okEmpty)
	})
	c, _, _ := newTestClient(t, s, nil)
	var wg sync.WaitGroup
	for range 2 * DefaultMaxConcurrent {
		wg.Go(func() {
			if _, err := c.Invoke(context.Background(), "Get-CASMailbox", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if DefaultMaxConcurrent != 10 || peak.Load() != 10 {
		t.Errorf("peak concurrency %d (default %d), want 10", peak.Load(), DefaultMaxConcurrent)
	}
}

func TestTenantGUIDFromToken(t *testing.T) {
	const tid = "99999999-8888-7777-6666-555555555555"
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, okEmpty) })
	c, _, _ := newTestClient(t, s, func(o *ClientOptions) {
		o.Tenant = "contoso.onmicrosoft.com"
		o.Credential = &fakeCredential{claims: map[string]any{"tid": tid, "roles": []string{"Exchange.ManageAsApp"}}}
	})
	for range 2 {
		if _, err := c.Invoke(context.Background(), "Get-AcceptedDomain", nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.TenantGUID(context.Background())
	if err != nil || got != tid {
		t.Fatalf("TenantGUID = %q, %v", got, err)
	}
	wantPath := "/adminapi/beta/" + tid + "/InvokeCommand"
	if s.paths[0] != wantPath || s.paths[1] != wantPath {
		t.Errorf("paths %v, want %s", s.paths, wantPath)
	}
	if h := s.headers[0].Get("X-AnchorMailbox"); !strings.HasSuffix(h, "@"+tid) {
		t.Errorf("X-AnchorMailbox %q", h)
	}
	if n := c.cred.(*fakeCredential).calls.Load(); n != 1 {
		t.Errorf("GetToken called %d times, want 1 (cached)", n)
	}

	// A configured GUID is used as is; a token without tid is then fine.
	c2, _, _ := newTestClient(t, s, func(o *ClientOptions) { o.Credential = &fakeCredential{claims: map[string]any{}} })
	if g, err := c2.TenantGUID(context.Background()); err != nil || g != testTenantGUID {
		t.Errorf("TenantGUID = %q, %v", g, err)
	}

	// A domain with a token lacking tid is a clear error that does not print the token.
	noTid := &fakeCredential{claims: map[string]any{"secretish": "zzz-private-zzz"}}
	c3, _, _ := newTestClient(t, s, func(o *ClientOptions) { o.Tenant = "contoso.onmicrosoft.com"; o.Credential = noTid })
	_, err = c3.Invoke(context.Background(), "Get-Mailbox", nil)
	if err == nil || !strings.Contains(err.Error(), "tid") || strings.Contains(err.Error(), "zzz-private-zzz") ||
		strings.Contains(err.Error(), makeJWT(noTid.claims)) {
		t.Errorf("err = %v", err)
	}
}

func TestTokenClaims(t *testing.T) {
	tests := []struct {
		tok     string
		want    string
		wantErr string
	}{
		{makeJWT(map[string]any{"tid": testTenantGUID}), testTenantGUID, ""},
		{"header." + base64.URLEncoding.EncodeToString([]byte(`{"tid":"`+testTenantGUID+`","x":"ab"}`)) + ".s", testTenantGUID, ""},
		{"opaque-token", "", "not a JWT"},
		{"a.%%%.c", "", "not base64url"},
		{makeJWT(map[string]any{"tid": "contoso"}), "", "not a GUID"},
	}
	for _, tt := range tests {
		got, err := tokenTenant(tt.tok)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("tokenTenant(%q) err = %v, want %q", tt.tok, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("tokenTenant(%q) = %q, %v", tt.tok, got, err)
		}
	}
}

func TestNewClientValidation(t *testing.T) {
	cred := &fakeCredential{}
	tests := []struct {
		opts    ClientOptions
		wantSub string
	}{
		{ClientOptions{BaseURL: "https://outlook.office365.com"}, "no credential"},
		{ClientOptions{BaseURL: "http://outlook.office365.com", Credential: cred}, "https"},
		{ClientOptions{BaseURL: "outlook.office365.com", Credential: cred}, "https"},
		{ClientOptions{BaseURL: "https://outlook.office365.com", Tenant: "a/b", Credential: cred}, "tenant"},
	}
	for _, tt := range tests {
		if _, err := NewClient(tt.opts); err == nil || !strings.Contains(err.Error(), tt.wantSub) {
			t.Errorf("NewClient(%+v) err = %v, want %q", tt.opts, err, tt.wantSub)
		}
	}
	c, err := NewClient(ClientOptions{BaseURL: "https://outlook.office365.com/", Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	if c.scope != "https://outlook.office365.com/.default" || c.slots.free != DefaultMaxConcurrent ||
		c.maxRetries != DefaultMaxRetries || c.pageSize != DefaultPageSize {
		t.Errorf("defaults not applied: scope %s sem %d retries %d page %d", c.scope, c.slots.free, c.maxRetries, c.pageSize)
	}
	if _, err := c.Invoke(context.Background(), "Get-Mailbox; rm", nil); err == nil {
		t.Errorf("bad cmdlet name accepted")
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example.com/x", http.StatusTemporaryRedirect)
	})
	c, _, _ := newTestClient(t, s, nil)
	_, err := c.Invoke(context.Background(), "Get-Mailbox", nil)
	if err == nil || !strings.Contains(err.Error(), "redirect to https://elsewhere.example.com") {
		t.Fatalf("err = %v", err)
	}
	if s.requests.Load() != 1 {
		t.Errorf("requests %d", s.requests.Load())
	}
}

func TestGzipAndNonTerminatingErrors(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, `{"value":["plain", {"A":1}],"@adminapi.errors":["The operation couldn't be performed because object 'y' couldn't be found."]}`)
		zw.Close()
	})
	c, _, _ := newTestClient(t, s, nil)
	res, err := c.Invoke(context.Background(), "Get-Recipient", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{
		Objects: []map[string]any{{"Value": "plain"}, {"A": json.Number("1")}},
		Errors:  []string{"The operation couldn't be performed because object 'y' couldn't be found."},
		Pages:   1,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestReadTimeoutsRetriedLikeGatewayErrors: a read that gets no answer in time is retried
// twice, as a 504 is, not eight times: each wait may be the 16 minutes a cmdlet may run. A
// write that got no answer is never repeated: its outcome is unknown.
func TestReadTimeoutsRetriedLikeGatewayErrors(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // no answer until the client gives up
	})
	hc := s.srv.Client()
	hc.Transport.(*http.Transport).ResponseHeaderTimeout = 50 * time.Millisecond
	c, rec, _ := newTestClient(t, s, func(o *ClientOptions) { o.HTTPClient = hc })
	_, err := c.Invoke(context.Background(), "Get-InboundConnector", nil)
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "Get-InboundConnector") {
		t.Fatalf("err = %v, want a timeout naming the cmdlet", err)
	}
	if got := len(rec.got()); got != maxServerErrorRetries {
		t.Errorf("retried %d times, want %d", got, maxServerErrorRetries)
	}
	before := s.requests.Load()
	_, err = c.Invoke(context.Background(), "New-InboundConnector", nil)
	if !IsOutcomeUnknown(err) || s.requests.Load()-before != 1 {
		t.Errorf("write: err = %v after %d requests, want one request and an unknown outcome", err, s.requests.Load()-before)
	}
}

// TestReadRetriesTransientException: a read answered 500 with Exchange's TransientException is
// repeated; a 500 carrying any other cmdlet exception is the cmdlet's answer and is not.
func TestReadRetriesTransientException(t *testing.T) {
	body := func(exc string) string {
		return `{"error":{"code":"InternalServerError","message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":"Ex1|Microsoft.Exchange.` + exc + `|it failed"}]}}`
	}
	for _, tc := range []struct {
		exc      string
		requests int32
		ok       bool
	}{
		{"Data.Storage.TransientException", 2, true},
		{"Configuration.Tasks.InvalidOperationException", 1, false},
	} {
		t.Run(tc.exc, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					writeJSON(w, 500, body(tc.exc))
					return
				}
				writeJSON(w, 200, okEmpty)
			})
			c, _, _ := newTestClient(t, s, nil)
			_, err := c.Invoke(context.Background(), "Get-InboundConnector", nil)
			if (err == nil) != tc.ok || s.requests.Load() != tc.requests {
				t.Errorf("err %v after %d requests, want ok=%v after %d", err, s.requests.Load(), tc.ok, tc.requests)
			}
		})
	}
}
