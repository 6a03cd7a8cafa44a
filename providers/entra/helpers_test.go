package entra

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const testToken = "test-access-token-7f3a"

type fakeCredential struct {
	calls  atomic.Int32
	mu     sync.Mutex
	scopes []string
}

func (f *fakeCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.scopes = o.Scopes
	f.mu.Unlock()
	return azcore.AccessToken{Token: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// stub is a Graph test server whose handler sees the 1-based request number.
type stub struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	bodies   []string
	headers  []http.Header
	uris     []string
	methods  []string
}

func newStub(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *stub {
	t.Helper()
	s := &stub{}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.requests.Add(1))
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(body))
		s.headers = append(s.headers, r.Header.Clone())
		s.uris = append(s.uris, r.URL.RequestURI())
		s.methods = append(s.methods, r.Method)
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

type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logRecorder) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type testClient struct {
	*Client
	sleeps *sleepRecorder
	logs   *logRecorder
	cred   *fakeCredential
}

func newTestClient(t *testing.T, s *stub, mod func(*ClientOptions)) testClient {
	t.Helper()
	tc := testClient{sleeps: &sleepRecorder{}, logs: &logRecorder{}, cred: &fakeCredential{}}
	opts := ClientOptions{
		BaseURL:    s.srv.URL,
		Credential: tc.cred,
		HTTPClient: s.srv.Client(),
		Sleep:      tc.sleeps.Sleep,
		Logf:       tc.logs.Logf,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	tc.Client = c
	return tc
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func graphError(code, message string) string {
	return fmt.Sprintf(`{"error":{"code":%q,"message":%q,"innerError":{"date":"2026-11-23T10:00:00","request-id":"rid-1","client-request-id":"c-1"}}}`, code, message)
}
