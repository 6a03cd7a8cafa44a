package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/exoform/exoform/providers/internal/wire"
)

// Client defaults and limits.
const (
	// DefaultMaxConcurrent is how many requests the client has in flight at once (a $batch
	// counts as one). Graph publishes no limit on concurrent requests; its limits are budgets
	// (resource units per 10 s, writes per 150 s) answered with 429 and Retry-After, which the
	// client honours. 10 is a choice: a planning read of a large tenant (a dozen $batch calls
	// of per-object collections) goes in one or two round trips, at a few hundred resource
	// units, far below the budget; it matches the Exchange client's limit, so that apply's
	// default parallelism fills both.
	DefaultMaxConcurrent   = 10
	DefaultMaxRetries      = 8
	DefaultReplicationWait = 5 * time.Minute

	apiVersionPath = "/v1.0"

	// replicationFirst and replicationMax bound the waits between replication-delay retries.
	replicationFirst = 2 * time.Second
	replicationMax   = 30 * time.Second
	// maxResponseBytes bounds one response.
	maxResponseBytes = 256 << 20
)

// ClientOptions configures a Client.
type ClientOptions struct {
	// BaseURL is the Graph endpoint without the version (cloud.GraphURL), e.g.
	// https://graph.microsoft.com; the client appends /v1.0.
	BaseURL    string
	Credential azcore.TokenCredential
	// Scope is the token scope (cloud.GraphScope); default BaseURL's scheme and host + "/.default".
	Scope      string
	HTTPClient *http.Client
	// MaxConcurrent bounds the requests in flight; default DefaultMaxConcurrent.
	MaxConcurrent int
	// MaxRetries bounds the retries of one request after throttling or transient failures; default 8.
	MaxRetries int
	// ReplicationWait is how long to keep retrying replication-delay errors; default 5 minutes.
	ReplicationWait time.Duration
	// Sleep waits between retries; it must return ctx.Err() when ctx ends first.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf, when set, receives one line per HTTP request: method, path without query, attempt,
	// status and duration; and one line per retry. Never bodies, query values or tokens.
	Logf func(format string, args ...any)
	// Waiting, when set, is called once when a request starts waiting for Entra replication, so
	// that the CLI reports waiting rather than errors.
	Waiting func(what string)
}

// Client calls Microsoft Graph v1.0. It is safe for concurrent use.
type Client struct {
	base       *url.URL // scheme://host[/prefix]
	api        string   // base + /v1.0
	cred       azcore.TokenCredential
	scope      string
	hc         *http.Client
	sem        chan struct{}
	maxRetries int
	replWait   time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
	logf       func(format string, args ...any)
	waiting    func(what string)

	tokens wire.TokenCache

	stats counters
}

// Stats counts the client's work since it was created.
type Stats struct {
	Requests         int64         // HTTP requests sent (every attempt; a $batch call counts once)
	Pages            int64         // list pages read successfully
	Retries          int64         // requests (or batch items) repeated after a failure
	Throttled        int64         // throttling refusals (429/503), including per batch item
	WaitTime         time.Duration // total time spent waiting before retries
	BatchItems       int64         // requests sent inside $batch calls (every attempt)
	ReplicationWaits int64         // retries caused by replication delay (also counted in Retries)
}

type counters struct {
	requests, pages, retries, throttled, wait, batchItems, replication atomic.Int64
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		Requests: s.requests.Load(), Pages: s.pages.Load(), Retries: s.retries.Load(),
		Throttled: s.throttled.Load(), WaitTime: time.Duration(s.wait.Load()),
		BatchItems: s.batchItems.Load(), ReplicationWaits: s.replication.Load(),
	}
}

// NewClient checks the options and returns a client. It does no network I/O.
func NewClient(o ClientOptions) (*Client, error) {
	if o.Credential == nil {
		return nil, errors.New("graph client: no credential")
	}
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(o.BaseURL), "/"))
	if err != nil || base.Host == "" || base.Scheme != "https" || base.User != nil {
		return nil, fmt.Errorf("graph client: base URL %q must be an absolute https URL such as https://graph.microsoft.com", o.BaseURL)
	}
	base.Path = strings.TrimSuffix(strings.TrimRight(base.Path, "/"), apiVersionPath)
	base.RawPath, base.RawQuery, base.Fragment = "", "", ""
	c := &Client{
		base:       base,
		api:        base.String() + apiVersionPath,
		cred:       o.Credential,
		scope:      o.Scope,
		maxRetries: o.MaxRetries,
		replWait:   o.ReplicationWait,
		sleep:      o.Sleep,
		logf:       o.Logf,
		waiting:    o.Waiting,
	}
	if c.scope == "" {
		c.scope = base.Scheme + "://" + base.Host + "/.default"
	}
	if c.maxRetries <= 0 {
		c.maxRetries = DefaultMaxRetries
	}
	if c.replWait <= 0 {
		c.replWait = DefaultReplicationWait
	}
	n := o.MaxConcurrent
	if n <= 0 {
		n = DefaultMaxConcurrent
	}
	c.sem = make(chan struct{}, n)
	if c.sleep == nil {
		c.sleep = wire.SleepCtx
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	if c.waiting == nil {
		c.waiting = func(string) {}
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 2 * time.Minute
		hc.Transport = tr
	}
	// Never follow redirects: the bearer token is for the Graph endpoint only.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

type recentWriteKey struct{}

// WithRecentWrite marks requests made under ctx as following a recent write (for example,
// reading or referencing an object created moments ago). Under such a context a 404 and the
// other "not replicated yet" answers are retried for up to ReplicationWait instead of being
// returned; without it a 404 is an answer.
func WithRecentWrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, recentWriteKey{}, true)
}

func isRecentWrite(ctx context.Context) bool {
	v, _ := ctx.Value(recentWriteKey{}).(bool)
	return v
}

// IsIdempotent reports whether a request with this method may be repeated when its outcome is
// unknown. Graph's GET, PUT, PATCH and DELETE are idempotent; POST is not.
func IsIdempotent(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// request is one logical Graph request, sent one or more times.
type request struct {
	method     string
	url        string // absolute
	rel        string // path and query relative to /v1.0, for errors
	logPath    string // path without query, for logs
	body       []byte // nil: no body
	eventual   bool   // send ConsistencyLevel: eventual
	idempotent bool
	batchItems int  // items inside a $batch body, for stats
	readsOnly  bool // a $batch whose items are all GETs: as safe to repeat as a GET
}

// resolve turns a path relative to /v1.0 (or an absolute URL on the Graph host, such as a
// nextLink) into a request target.
func (c *Client) resolve(path string) (abs, rel, logPath string, err error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", "", "", errors.New("empty request path")
	}
	if !strings.HasPrefix(path, "/") {
		u, perr := url.Parse(path)
		if perr != nil || !u.IsAbs() {
			return "", "", "", fmt.Errorf("request path %q must start with / (relative to %s) or be an absolute URL on the Graph endpoint", wire.Sanitize([]byte(path), 80), apiVersionPath)
		}
		if !strings.EqualFold(u.Scheme, c.base.Scheme) || hostPort(u) != hostPort(c.base) {
			return "", "", "", fmt.Errorf("refusing to send a request to %s://%s: it is not the Graph endpoint %s, and the access token is sent only there",
				wire.Sanitize([]byte(u.Scheme), 20), wire.Sanitize([]byte(u.Host), 100), c.base.String())
		}
		p := u.EscapedPath()
		prefix := c.base.EscapedPath() + apiVersionPath
		if !strings.HasPrefix(p, prefix+"/") && p != prefix {
			return "", "", "", fmt.Errorf("refusing to follow a link outside %s%s", c.base.String(), apiVersionPath)
		}
		path = strings.TrimPrefix(p, prefix)
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
	}
	p, q, hasQ := strings.Cut(path, "?")
	rel = escapeLoose(p, false)
	if hasQ {
		rel += "?" + escapeLoose(q, true)
	}
	if _, err := url.Parse(c.api + rel); err != nil {
		return "", "", "", fmt.Errorf("request path %q is not a valid URL path", wire.Sanitize([]byte(path), 80))
	}
	logPath = p
	if dp, err := url.PathUnescape(p); err == nil {
		logPath = dp
	}
	relShown := rel
	if dq, err := url.QueryUnescape(strings.ReplaceAll(rel, "+", "%2B")); err == nil {
		relShown = dq
	}
	return c.api + rel, relShown, logPath, nil
}

// escapeLoose percent-encodes the bytes that may not appear in a URL path (or query), keeping
// existing %XX escapes, so that callers can write "$filter=displayName eq 'a b'".
func escapeLoose(s string, query bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:@/", ch) >= 0:
			b.WriteByte(ch)
		case ch == '?' && query:
			b.WriteByte(ch)
		case ch == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// needsEventual reports whether a request uses $count or $search, the advanced queries that
// need ConsistencyLevel: eventual.
func needsEventual(rel string) bool {
	l := strings.ToLower(rel)
	for _, k := range []string{"$count", "%24count", "$search", "%24search"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func (c *Client) newRequest(method, path string, body any) (*request, error) {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		return nil, errors.New("graph: empty HTTP method")
	}
	abs, rel, logPath, err := c.resolve(path)
	if err != nil {
		return nil, fmt.Errorf("graph: %s: %w", method, err)
	}
	rq := &request{method: method, url: abs, rel: rel, logPath: logPath, eventual: needsEventual(rel), idempotent: IsIdempotent(method)}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			// The marshal error may quote the body's values; keep only its type.
			return nil, fmt.Errorf("%s %s: encoding the request body (%T) as JSON failed", method, rel, body)
		}
		rq.body = b
	}
	return rq, nil
}

// Do sends one request. path is relative to /v1.0 ("/applications?$filter=…"); body, when not
// nil, is sent as JSON (a json.RawMessage is sent as is); out, when not nil, receives the JSON
// response body (a 204 or empty body leaves it untouched).
//
// Errors: *Error for an answer from Graph (see IsNotFound, IsConflict, IsThrottled,
// IsReplicationDelay); an error matching IsOutcomeUnknown when a POST was sent but its result
// could not be read; ctx's error when ctx ends.
func (c *Client) Do(ctx context.Context, method, path string, body any, out any) error {
	rq, err := c.newRequest(method, path, body)
	if err != nil {
		return err
	}
	return c.execute(ctx, rq, func(raw []byte) error {
		if out == nil {
			return nil
		}
		trimmed := bytes.TrimSpace(raw)
		// A GET answers with what it reads. An empty or null body would leave out as it was,
		// which the caller would take for an object without properties (a setting that is
		// off); a write may answer with nothing.
		if rq.method == http.MethodGet && (len(trimmed) == 0 || string(trimmed) == "null") {
			return errors.New("the response holds no object (an empty body or JSON null)")
		}
		if len(trimmed) == 0 {
			return nil
		}
		return decodeJSON(raw, out)
	})
}

// decodeJSON unmarshals a response body. Its errors never quote the body, and name JSON kinds
// rather than Go types.
func decodeJSON(raw []byte, out any) error {
	err := json.Unmarshal(raw, out)
	if err == nil {
		return nil
	}
	if shape, whole := jsonShape(err); shape != "" {
		if whole {
			return fmt.Errorf("the response is %s", shape)
		}
		return fmt.Errorf("the response does not have the expected shape: %s", shape)
	}
	return errors.New("the response is not valid JSON")
}

// jsonShape says, in JSON's terms rather than Go's, what a type error of json.Unmarshal
// found: "a JSON string, not an object" when the whole value is of the wrong kind (whole),
// `field "appRoles" is a JSON string, not an array` otherwise; "" for any other error.
func jsonShape(err error) (shape string, whole bool) {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return "", false
	}
	got, _, _ := strings.Cut(te.Value, " ") // "number -5" is a number
	if te.Field == "" {
		return fmt.Sprintf("a JSON %s, not %s", got, jsonKind(te.Type)), true
	}
	return fmt.Sprintf("field %q is a JSON %s, not %s", te.Field, got, jsonKind(te.Type)), false
}

// jsonKind names the JSON value a Go type decodes from: "an object", "an array", "a string".
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "the expected value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if t.Name() == "RawMessage" {
				return "a JSON value"
			}
			return "a string" // []byte decodes from base64
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "the expected value"
}

// List reads a collection: it GETs path and follows @odata.nextLink (which must stay on the
// Graph endpoint) until it is absent, calling each once per item of "value". An error from each
// stops the listing and is returned as is.
func (c *Client) List(ctx context.Context, path string, each func(json.RawMessage) error) error {
	rq, err := c.newRequest(http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	eventual := rq.eventual
	first := rq.rel
	seen := map[string]bool{}
	for page := 1; ; page++ {
		seen[rq.url] = true
		// ConsistencyLevel is not carried into nextLink: send it on every page when the first had it.
		rq.eventual = rq.eventual || eventual
		var p struct {
			Value *[]json.RawMessage `json:"value"`
			Next  *string            `json:"@odata.nextLink"`
		}
		err := c.execute(ctx, rq, func(raw []byte) error {
			p.Value, p.Next = nil, nil
			if err := decodeJSON(raw, &p); err != nil {
				return err
			}
			if p.Value == nil {
				return errors.New(`the response has no "value" array`)
			}
			return nil
		})
		if err != nil {
			if page > 1 {
				return fmt.Errorf("listing %s: page %d: %w", first, page, err)
			}
			return err
		}
		c.stats.pages.Add(1)
		for _, item := range *p.Value {
			if err := each(item); err != nil {
				return err
			}
		}
		if p.Next == nil || *p.Next == "" {
			return nil
		}
		next, err := c.newRequest(http.MethodGet, *p.Next, nil)
		if err != nil {
			return fmt.Errorf("listing %s: page %d: @odata.nextLink: %w", first, page, err)
		}
		if seen[next.url] {
			return fmt.Errorf("listing %s: page %d: the server returned an @odata.nextLink already followed; stopping to avoid a loop", first, page)
		}
		rq = next
	}
}

// verdict says whether and when a failed attempt may be repeated.
type verdict struct {
	retry     bool
	after     time.Duration // from Retry-After
	hasAfter  bool
	throttled bool
}

// execute sends rq, retrying throttling, transient failures and replication delay. decode is
// called on every 2xx body; its failure makes the response unreadable.
func (c *Client) execute(ctx context.Context, rq *request, decode func([]byte) error) error {
	recent := isRecentWrite(ctx)
	retries := 0
	start := time.Now()
	var replWaited time.Duration
	replNext := replicationFirst
	waitingSaid := false
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s %s: %w", rq.method, rq.rel, err)
		}
		v, err := c.attempt(ctx, rq, attempt, decode)
		if err == nil {
			return nil
		}
		if e := asError(err); e != nil && !IsOutcomeUnknown(err) &&
			(alwaysReplication(e) || (recent && recentWriteReplication(rq.method, e))) {
			if replWaited >= c.replWait {
				return fmt.Errorf("%w after %s: %w", ErrReplicationTimeout, c.replWait, err)
			}
			if !waitingSaid {
				waitingSaid = true
				c.waiting(fmt.Sprintf("waiting for Entra to replicate a recent change (%s %s answered %d %s)", rq.method, rq.logPath, e.Status, e.Code))
			}
			d := min(replNext, c.replWait-replWaited)
			replNext = min(2*replNext, replicationMax)
			replWaited += d
			c.stats.retries.Add(1)
			c.stats.replication.Add(1)
			c.stats.wait.Add(int64(d))
			c.logf("graph: %s %s: %d %s; waiting %s for replication (%s of %s)", rq.method, rq.logPath, e.Status, e.Code,
				d.Round(time.Millisecond), replWaited.Round(time.Millisecond), c.replWait)
			if serr := c.sleep(ctx, d); serr != nil {
				return fmt.Errorf("stopped waiting for replication (%w) after: %w", serr, err)
			}
			continue
		}
		if !v.retry || retries >= c.maxRetries {
			if retries > 0 {
				return &wire.RetriesExhausted{Err: err, Retries: retries, Elapsed: time.Since(start), Service: "Microsoft Graph", Throttled: IsThrottled(err)}
			}
			return err
		}
		retries++
		d := v.after
		if !v.hasAfter {
			d = wire.Backoff(retries)
		}
		d = min(d, wire.MaxRetryAfter)
		c.stats.retries.Add(1)
		c.stats.wait.Add(int64(d))
		c.logf("graph: %s %s: %s; retry %d of %d in %s", rq.method, rq.logPath, shortErr(err), retries, c.maxRetries, d.Round(time.Millisecond))
		if serr := c.sleep(ctx, d); serr != nil {
			return fmt.Errorf("stopped retrying (%w) after: %w", serr, err)
		}
	}
}

// shortErr keeps retry log lines free of long texts.
func shortErr(err error) string {
	if e := asError(err); e != nil {
		return fmt.Sprintf("HTTP %d %s", e.Status, e.Code)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// attempt sends rq once and classifies the outcome.
func (c *Client) attempt(ctx context.Context, rq *request, attemptNo int, decode func([]byte) error) (verdict, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return verdict{}, fmt.Errorf("%s %s: %w", rq.method, rq.rel, err)
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return verdict{}, fmt.Errorf("%s %s: %w", rq.method, rq.rel, ctx.Err())
	}
	defer func() { <-c.sem }()

	sentID := wire.NewGUID()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	var bodyReader io.Reader
	if rq.body != nil {
		bodyReader = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), rq.method, rq.url, bodyReader)
	if err != nil {
		return verdict{}, fmt.Errorf("%s %s: building the request failed", rq.method, rq.rel)
	}
	h := req.Header
	h.Set("Authorization", "Bearer "+tok)
	h.Set("Accept", "application/json")
	if rq.body != nil {
		h.Set("Content-Type", "application/json")
	}
	if rq.eventual {
		h.Set("ConsistencyLevel", "eventual")
	}
	h.Set("client-request-id", sentID)
	h.Set("User-Agent", "exoform")

	c.stats.requests.Add(1)
	c.stats.batchItems.Add(int64(rq.batchItems))
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logf("graph: %s %s attempt %d: no response (%s)", rq.method, rq.logPath, attemptNo, time.Since(start).Round(time.Millisecond))
		sent := wrote.Load()
		if ctx.Err() != nil {
			if !rq.idempotent && sent {
				return verdict{}, fmt.Errorf("%s %s: %w: %w", rq.method, rq.rel, ErrOutcomeUnknown, ctx.Err())
			}
			return verdict{}, fmt.Errorf("%s %s: %w", rq.method, rq.rel, ctx.Err())
		}
		err = fmt.Errorf("%s %s: %w", rq.method, rq.rel, netErr(err))
		if rq.idempotent || !sent {
			return verdict{retry: true}, err
		}
		return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	status := resp.StatusCode
	c.logf("graph: %s %s attempt %d -> %d (%s)", rq.method, rq.logPath, attemptNo, status, time.Since(start).Round(time.Millisecond))
	if readErr == nil && len(raw) > maxResponseBytes {
		readErr = fmt.Errorf("the response is larger than %d bytes", maxResponseBytes)
	}

	// unreadable handles a 2xx whose body cannot be read: the request took effect.
	unreadable := func(cause error) (verdict, error) {
		if ctx.Err() != nil {
			cause = ctx.Err()
		}
		err := fmt.Errorf("%s %s: reading the response (HTTP %d): %w", rq.method, rq.rel, status, cause)
		switch {
		case !rq.idempotent:
			return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		case ctx.Err() != nil:
			return verdict{}, err
		}
		return verdict{retry: true}, err
	}

	if status >= 200 && status < 300 {
		if readErr != nil {
			return unreadable(netErr(readErr))
		}
		if err := decode(raw); err != nil {
			return unreadable(err)
		}
		return verdict{}, nil
	}
	if status >= 300 && status < 400 {
		where := "elsewhere"
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			where = "to " + loc.Scheme + "://" + loc.Host
		}
		return verdict{}, &Error{Method: rq.method, Path: rq.rel, Status: status, RequestID: sentID,
			Message: "unexpected redirect " + where + "; exoform does not follow redirects with an access token"}
	}
	apiErr := parseError(rq.method, rq.rel, status, resp.Header, raw, sentID)
	if readErr != nil && apiErr.Code == "" {
		apiErr.Message = "the error response could not be read: " + netErr(readErr).Error()
	}
	after, hasAfter := wire.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch status {
	case http.StatusUnauthorized:
		c.dropToken(tok)
		if apiErr.Message == "" || apiErr.Message == "empty response body" {
			apiErr.Message = "the access token was rejected"
		}
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		// Refused before acting: safe to repeat for every method.
		c.stats.throttled.Add(1)
		return verdict{retry: true, after: after, hasAfter: hasAfter, throttled: true}, apiErr
	case http.StatusGatewayTimeout:
		if rq.idempotent {
			return verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
		}
		return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr)
	case http.StatusInternalServerError, http.StatusBadGateway:
		if rq.method == http.MethodGet || rq.readsOnly {
			return verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
		}
		if status == http.StatusBadGateway && !rq.idempotent {
			return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr)
		}
	}
	return verdict{}, apiErr
}

// netErr drops the *url.Error wrapper (it repeats the URL) but keeps the cause and its chain.
func netErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("the connection closed early: %w", err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// token returns a valid access token for the client's scope.
func (c *Client) token(ctx context.Context) (string, error) {
	return c.tokens.Get(ctx, c.cred, c.scope)
}

// dropToken forgets a cached token the server rejected.
func (c *Client) dropToken(tok string) { c.tokens.Drop(tok) }
