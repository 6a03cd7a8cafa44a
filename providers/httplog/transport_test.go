package httplog

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// traceLog collects a Transport's trace.
type traceLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *traceLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.Split(fmt.Sprintf(format, args...), "\n")...)
}

var durationRE = regexp.MustCompile(` (in|after) [0-9.]+[a-zµ]+`)

// normalized is the trace without what changes from run to run: durations, the server's
// address and its Date header.
func (l *traceLog) normalized(addr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, "< Date: ") {
			continue
		}
		s = durationRE.ReplaceAllString(s, " $1 D")
		out = append(out, strings.ReplaceAll(s, addr, "HOST"))
	}
	return out
}

const tokenAnswer = `{"token_type":"Bearer","expires_in":3599,"access_token":"` + plantedJWT + `"}`

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Request-Id", "rid-1")
		switch r.URL.Path {
		case "/tenant/oauth2/v2.0/token":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Set-Cookie", "fpc=AbC; path=/; secure")
			io.WriteString(w, tokenAnswer)
		case "/graph/v1.0/applications/1/addPassword":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			fmt.Fprintf(zw, `{"keyId":"k1","hint":"Qx8","secretText":%q}`, plantedSecret)
			zw.Close()
		case "/echo":
			w.Header().Set("Content-Type", "text/plain")
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportTrace(t *testing.T) {
	srv := testServer(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	form := url.Values{"client_id": {"app"}, "client_secret": {plantedSecret}, "grant_type": {"client_credentials"}}.Encode()
	tests := []struct {
		name    string
		bodies  bool
		maxBody int
		req     func() *http.Request
		want    []string
		client  string // what the client must read
	}{
		{
			name: "token request, headers only", bodies: false,
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodPost, srv.URL+"/tenant/oauth2/v2.0/token?x=1", strings.NewReader(form))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			},
			want: []string{
				"http 1: POST http://HOST/tenant/oauth2/v2.0/token?x=1",
				"http 1: > Content-Type: application/x-www-form-urlencoded",
				"http 1: < 200 OK in D, request id rid-1",
				"http 1: < Content-Length: 119",
				"http 1: < Content-Type: application/json; charset=utf-8",
				"http 1: < Request-Id: rid-1",
				"http 1: < Set-Cookie: [redacted]",
			},
			client: tokenAnswer,
		},
		{
			name: "token request with bodies", bodies: true,
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodPost, srv.URL+"/tenant/oauth2/v2.0/token", strings.NewReader(form))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			},
			want: []string{
				"http 1: POST http://HOST/tenant/oauth2/v2.0/token",
				"http 1: > Content-Type: application/x-www-form-urlencoded",
				"http 1: > body (84 bytes): client_id=app&client_secret=[redacted]&grant_type=client_credentials",
				"http 1: < 200 OK in D, request id rid-1",
				"http 1: < Content-Length: 119",
				"http 1: < Content-Type: application/json; charset=utf-8",
				"http 1: < Request-Id: rid-1",
				"http 1: < Set-Cookie: [redacted]",
				`http 1: < body (119 bytes): {"token_type":"Bearer","expires_in":3599,"access_token":"[redacted]"}`,
			},
			client: tokenAnswer,
		},
		{
			name: "bearer request, gzip answer with a new secret", bodies: true,
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodPost, srv.URL+"/graph/v1.0/applications/1/addPassword", strings.NewReader(`{"passwordCredential":{"displayName":"ci"}}`))
				r.Header.Set("Authorization", "Bearer "+plantedJWT)
				r.Header.Set("Accept-Encoding", "gzip")
				return r
			},
			want: []string{
				"http 1: POST http://HOST/graph/v1.0/applications/1/addPassword",
				"http 1: > Accept-Encoding: gzip",
				"http 1: > Authorization: [redacted]",
				`http 1: > body (43 bytes): {"passwordCredential":{"displayName":"ci"}}`,
				"http 1: < 200 OK in D, request id rid-1",
				"http 1: < Content-Encoding: gzip",
				"http 1: < Content-Length: 88",
				"http 1: < Content-Type: application/json",
				"http 1: < Request-Id: rid-1",
				`http 1: < body (88 bytes, gzip): {"keyId":"k1","hint":"Qx8","secretText":"[redacted]"}`,
			},
		},
		{
			name: "a body without GetBody is replayed whole, and only its start shown", bodies: true, maxBody: 10,
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodPut, srv.URL+"/echo", io.MultiReader(strings.NewReader("0123456789abcdefghij")))
				return r
			},
			want: []string{
				"http 1: PUT http://HOST/echo",
				"http 1: > body (first 10 bytes, not read to the end): 0123456789",
				"http 1: < 200 OK in D, request id rid-1",
				"http 1: < Content-Length: 20",
				"http 1: < Content-Type: text/plain",
				"http 1: < Request-Id: rid-1",
				"http 1: < body (first 10 of 20 bytes): 0123456789",
			},
			client: "0123456789abcdefghij",
		},
		{
			name: "not found", bodies: true,
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, srv.URL+"/nothing?client_secret="+url.QueryEscape(plantedSecret), nil)
				return r
			},
			want: []string{
				"http 1: GET http://HOST/nothing?client_secret=[redacted]",
				"http 1: < 404 Not Found in D, request id rid-1",
				"http 1: < Content-Length: 19",
				"http 1: < Content-Type: text/plain; charset=utf-8",
				"http 1: < Request-Id: rid-1",
				"http 1: < X-Content-Type-Options: nosniff",
				`http 1: < body (19 bytes): 404 page not found\n`,
			},
			client: "404 page not found\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log traceLog
			hc := WrapClient(srv.Client(), Options{Logf: log.logf, Bodies: tt.bodies, MaxBody: tt.maxBody, Redactor: NewRedactor(plantedSecret)})
			resp, err := hc.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if tt.client != "" && string(got) != tt.client {
				t.Errorf("the client read %q, want %q", got, tt.client)
			}
			if diff := cmp.Diff(tt.want, log.normalized(addr)); diff != "" {
				t.Errorf("trace (-want +got):\n%s", diff)
			}
			all := strings.Join(log.lines, "\n")
			for _, s := range []string{plantedSecret, plantedJWT, "AbC"} {
				if strings.Contains(all, s) {
					t.Errorf("the trace shows %q:\n%s", s, all)
				}
			}
		})
	}
}

// TestTransportKeepsClientBehaviour: the clients count on httptrace to know whether a write
// was sent, and on transport errors reaching them unchanged.
func TestTransportKeepsClientBehaviour(t *testing.T) {
	srv := testServer(t)
	var log traceLog
	hc := WrapClient(srv.Client(), Options{Logf: log.logf, Bodies: true})

	// The hook may run after the response arrives: wait for it rather than read a flag.
	wrote := make(chan error, 1)
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) { wrote <- i.Err }})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/echo", bytes.NewReader([]byte("hello")))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // before reading: the trace says so
	if err := <-wrote; err != nil {
		t.Errorf("WroteRequest reported %v", err)
	}
	if last := log.lines[len(log.lines)-1]; last != "http 1: < body (first 0 bytes, not read to the end)" {
		t.Errorf("an unread body is traced as %q", last)
	}

	// azcore's GetBody rewinds the body and returns it, not a copy: the trace must not read
	// the body away through it.
	body := &seekBody{Reader: strings.NewReader("rewound body")}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/echo", body)
	req.ContentLength = int64(body.Len())
	req.GetBody = func() (io.ReadCloser, error) {
		_, err := body.Seek(0, io.SeekStart)
		return body, err
	}
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	echoed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(echoed) != "rewound body" {
		t.Errorf("the server received %q", echoed)
	}

	srv.Close()
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/echo", nil)
	if _, err := hc.Do(req); err == nil {
		t.Fatal("no error from a closed server")
	}
	if last := durationRE.ReplaceAllString(log.lines[len(log.lines)-1], " $1 D"); !strings.HasPrefix(last, "http 3: no response after D: ") {
		t.Errorf("a failed request is traced as %q", last)
	}

	if got := WrapClient(srv.Client(), Options{}); got != srv.Client() {
		// Nothing to log: the client is used as it is.
		t.Error("WrapClient without Logf wrapped the client")
	}
}

// TestTransportNotText: a binary or broken gzip body is described, not printed.
func TestTransportNotText(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/nul" {
			// Exchange answers an unknown cmdlet with NUL bytes labelled gzip.
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(make([]byte, 10))
			return
		}
		w.Write([]byte{0xff, 0xfe, 0x00, 0x01})
	}))
	defer srv.Close()
	var log traceLog
	hc := WrapClient(srv.Client(), Options{Logf: log.logf, Bodies: true})
	for _, p := range []string{"/nul", "/bin"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var bodies []string
	for _, l := range log.lines {
		if strings.Contains(l, "< body") {
			bodies = append(bodies, l)
		}
	}
	want := []string{"http 1: < body (10 bytes, gzip that does not decompress)", "http 2: < body (4 bytes, not text)"}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// seekBody is a request body like azcore's: a ReadSeeker with a no-op Close.
type seekBody struct{ *strings.Reader }

func (seekBody) Close() error { return nil }
