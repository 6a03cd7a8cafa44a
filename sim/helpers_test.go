package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startSim starts a server on a fresh state file in t.TempDir (or on
// opts.StatePath when set) and closes it when the test ends.
func startSim(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.StatePath == "" {
		opts.StatePath = filepath.Join(t.TempDir(), "state.json")
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start(%+v) = %v", opts, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// simClient talks to a sim as exoform's clients do, over TLS trusting its CA.
type simClient struct {
	t      testing.TB
	cloud  Cloud
	http   *http.Client
	tenant string // path segment for InvokeCommand
	bearer string
}

func newClient(t testing.TB, s *Server) *simClient {
	t.Helper()
	cloud := s.Cloud()
	hc, err := cloud.HTTPClient()
	if err != nil {
		t.Fatalf("Cloud.HTTPClient() = %v", err)
	}
	c := &simClient{t: t, cloud: cloud, http: hc, tenant: cloud.TenantID}
	c.bearer = c.token(cloud.ExchangeScope)
	return c
}

// token gets an access token with the client credentials grant, as MSAL does.
func (c *simClient) token(scope string) string {
	c.t.Helper()
	status, body := c.tokenRequest(c.cloud.TenantID, url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cloud.ClientID},
		"client_secret": {c.cloud.ClientSecret},
		"scope":         {scope + " openid offline_access profile"},
	})
	if status != http.StatusOK {
		c.t.Fatalf("token request: status %d, body %s", status, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		c.t.Fatalf("token response %s: %v", body, err)
	}
	return tr.AccessToken
}

func (c *simClient) tokenRequest(tenant string, form url.Values) (int, []byte) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.cloud.AuthorityHost+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		c.t.Fatalf("POST token: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// result is one InvokeCommand response; err is a transport or body read error.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (c *simClient) invokeURL() string {
	return c.cloud.ExchangeURL + "/adminapi/beta/" + c.tenant + "/InvokeCommand"
}

// post sends one InvokeCommand request to u.
func (c *simClient) post(u, cmdlet string, params map[string]any, hdr http.Header) result {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

func (c *simClient) invoke(cmdlet string, params map[string]any) result {
	c.t.Helper()
	return c.post(c.invokeURL(), cmdlet, params, nil)
}

// mustInvoke runs a cmdlet that must succeed and returns its envelope.
func (c *simClient) mustInvoke(cmdlet string, params map[string]any) envelope {
	c.t.Helper()
	r := c.invoke(cmdlet, params)
	if r.err != nil || r.status != http.StatusOK {
		c.t.Fatalf("%s %v: status %d, err %v, body %s", cmdlet, params, r.status, r.err, r.body)
	}
	return decodeEnvelope(c.t, r.body)
}

type envelope struct {
	Context  string           `json:"@odata.context"`
	Warnings []string         `json:"@adminapi.warnings"`
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
}

func decodeEnvelope(t testing.TB, b []byte) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return e
}

// exceptionOf returns the error code and the exception type from an
// Exchange error body ("ExId|Type|text"), plus the full detail text.
func exceptionOf(t *testing.T, b []byte) (code, excType, detail string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Details []struct {
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || len(e.Error.Details) == 0 {
		t.Fatalf("not an Exchange error body: %s (%v)", b, err)
	}
	parts := strings.SplitN(e.Error.Details[0].Message, "|", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "Ex") {
		t.Fatalf("detail %q is not ExId|Type|text", e.Error.Details[0].Message)
	}
	return e.Error.Code, parts[1], e.Error.Details[0].Message
}

// names returns the Name of each object in order.
func names(objs []map[string]any) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o["Name"].(string))
	}
	return out
}

// fakeClock is an injectable clock for lag and expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
