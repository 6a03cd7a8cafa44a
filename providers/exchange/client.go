package exchange

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/internal/wire"
)

// Client defaults.
const (
	DefaultMaxConcurrent = 3
	DefaultMaxRetries    = 8
	DefaultPageSize      = 1000

	// maxServerErrorRetries bounds the retries of a read cmdlet answered with 500.
	maxServerErrorRetries = 2
	// maxResponseBytes bounds one response page.
	maxResponseBytes = 512 << 20

	// anchorMailbox routes app-only requests (X-AnchorMailbox APP:SystemMailbox{…}@tenant).
	anchorMailbox = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"
)

// ClientOptions configures a Client.
type ClientOptions struct {
	BaseURL       string // cloud.ExchangeURL, e.g. https://outlook.office365.com
	Tenant        string // tenant GUID or initial domain as configured
	Credential    azcore.TokenCredential
	Scope         string // cloud.ExchangeScope; defaults to BaseURL + "/.default"
	HTTPClient    *http.Client
	MaxConcurrent int // concurrent InvokeCommand requests; default 3
	MaxRetries    int // default 8
	PageSize      int // Prefer: odata.maxpagesize; default 1000
	// Sleep waits between retries; it must return ctx.Err() when ctx ends first. Default: a real
	// sleep honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf, when set, receives one line per request: cmdlet, page, attempt, status and duration.
	// It never receives bodies, parameters or tokens.
	Logf func(format string, args ...any)
}

// Client calls the Exchange Online admin API (InvokeCommand). It is safe for concurrent use.
type Client struct {
	base       *url.URL
	baseURL    string
	tenant     string
	cred       azcore.TokenCredential
	scope      string
	hc         *http.Client
	sem        chan struct{}
	maxRetries int
	pageSize   int
	sleep      func(ctx context.Context, d time.Duration) error
	logf       func(format string, args ...any)

	tokens wire.TokenCache

	tenantMu   sync.Mutex
	tenantGUID string

	total     counters
	perCmdlet sync.Map // cmdlet name -> *counters
}

// Result is the output of one cmdlet across all pages.
type Result struct {
	// Objects are the output objects, with annotation keys (those containing '@') removed at
	// every level and JSON numbers kept as json.Number. A non-object output item is wrapped as
	// {"Value": item}.
	Objects []map[string]any
	// Warnings are the cmdlet's warnings (@adminapi.warnings), e.g. "…no settings … have been modified."
	Warnings []string
	// Errors are non-terminating errors (@adminapi.errors), if the service reported any. A reader
	// must not take an object's absence for granted when this is non-empty.
	Errors []string
	Pages  int
}

// Stats counts the client's work since it was created.
type Stats struct {
	Requests  int64         // HTTP requests sent (every attempt of every page)
	Pages     int64         // pages read successfully
	Retries   int64         // requests repeated after a transient failure
	Throttled int64         // responses that were throttling refusals
	WaitTime  time.Duration // total time spent waiting before retries
	// PerCmdlet holds the same counts per cmdlet name.
	PerCmdlet map[string]CmdletStats
}

// CmdletStats counts the work for one cmdlet.
type CmdletStats struct {
	Requests  int64
	Pages     int64
	Retries   int64
	Throttled int64
	WaitTime  time.Duration
}

type counters struct {
	requests, pages, retries, throttled, wait atomic.Int64
}

func (c *counters) snapshot() CmdletStats {
	return CmdletStats{
		Requests: c.requests.Load(), Pages: c.pages.Load(), Retries: c.retries.Load(),
		Throttled: c.throttled.Load(), WaitTime: time.Duration(c.wait.Load()),
	}
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	cmdletRE = regexp.MustCompile(`^[A-Za-z]+-[A-Za-z0-9]+$`)
	tenantRE = regexp.MustCompile(`^[0-9A-Za-z.-]+$`)
)

// NewClient checks the options and returns a client. It does no network I/O.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.Credential == nil {
		return nil, errors.New("exchange client: no credential")
	}
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https") {
		return nil, fmt.Errorf("exchange client: base URL %q must be an absolute https URL such as https://outlook.office365.com", opts.BaseURL)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawQuery, base.Fragment = "", ""
	tenant := strings.TrimSpace(opts.Tenant)
	if tenant != "" && !tenantRE.MatchString(tenant) {
		return nil, fmt.Errorf("exchange client: tenant %q is not a tenant GUID or domain", opts.Tenant)
	}
	c := &Client{
		base:       base,
		baseURL:    base.String(),
		tenant:     tenant,
		cred:       opts.Credential,
		scope:      opts.Scope,
		maxRetries: opts.MaxRetries,
		pageSize:   opts.PageSize,
		sleep:      opts.Sleep,
		logf:       opts.Logf,
	}
	if c.scope == "" {
		c.scope = c.baseURL + "/.default"
	}
	if c.maxRetries <= 0 {
		c.maxRetries = DefaultMaxRetries
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	n := opts.MaxConcurrent
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
	if guidRE.MatchString(tenant) {
		c.tenantGUID = strings.ToLower(tenant)
	}
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// Cmdlets may run for 15 minutes; bound only the wait for response headers.
		tr.ResponseHeaderTimeout = 16 * time.Minute
		hc.Transport = tr
	}
	// Never follow redirects: the bearer token is for this endpoint only.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	t := c.total.snapshot()
	s := Stats{Requests: t.Requests, Pages: t.Pages, Retries: t.Retries, Throttled: t.Throttled, WaitTime: t.WaitTime,
		PerCmdlet: map[string]CmdletStats{}}
	c.perCmdlet.Range(func(k, v any) bool {
		s.PerCmdlet[k.(string)] = v.(*counters).snapshot()
		return true
	})
	return s
}

func (c *Client) counters(cmdlet string) *counters {
	if v, ok := c.perCmdlet.Load(cmdlet); ok {
		return v.(*counters)
	}
	v, _ := c.perCmdlet.LoadOrStore(cmdlet, &counters{})
	return v.(*counters)
}

// TenantGUID returns the tenant GUID used in request URLs: the configured tenant when it is a
// GUID, else the tid claim of the access token (read without checking the signature; the
// server checks the token). The result is cached.
func (c *Client) TenantGUID(ctx context.Context) (string, error) {
	c.tenantMu.Lock()
	defer c.tenantMu.Unlock()
	if c.tenantGUID != "" {
		return c.tenantGUID, nil
	}
	tok, err := c.token(ctx)
	if err != nil {
		return "", err
	}
	tid, err := tokenTenant(tok)
	if err != nil {
		return "", fmt.Errorf("finding the tenant GUID (configure the tenant as a GUID to skip this): %w", err)
	}
	c.tenantGUID = strings.ToLower(tid)
	return c.tenantGUID, nil
}

// tokenTenant reads the tid claim of a JWT access token. Errors never include the token.
func tokenTenant(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) < 2 {
		return "", errors.New("the access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", errors.New("the access token's payload is not base64url")
	}
	var claims struct {
		TID string `json:"tid"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", errors.New("the access token's payload is not JSON")
	}
	if claims.TID == "" {
		return "", errors.New("the access token has no tid claim")
	}
	if !guidRE.MatchString(claims.TID) {
		return "", errors.New("the access token's tid claim is not a GUID")
	}
	return claims.TID, nil
}

// IsReadCmdlet reports whether the cmdlet only reads (Get-*, Test-*). Only those are retried
// after a failure that may have happened once the request was sent.
func IsReadCmdlet(cmdlet string) bool {
	verb, _, _ := strings.Cut(cmdlet, "-")
	return strings.EqualFold(verb, "Get") || strings.EqualFold(verb, "Test")
}

type cmdletInput struct {
	CmdletName string           `json:"CmdletName"`
	Parameters providers.Params `json:"Parameters"`
}

type invokeBody struct {
	CmdletInput cmdletInput `json:"CmdletInput"`
}

// requestBody encodes the InvokeCommand body for a cmdlet and its parameters.
func requestBody(cmdlet string, params providers.Params) ([]byte, error) {
	if params == nil {
		params = providers.Params{}
	}
	return json.Marshal(invokeBody{CmdletInput: cmdletInput{CmdletName: cmdlet, Parameters: params}})
}

// Invoke runs one cmdlet and returns every output object across all pages. It does not add
// parameters: a Get-* caller that wants everything passes ResultSize Unlimited itself.
//
// Errors: *Error for an answer from Exchange (see IsNotFound, IsAlreadyExists, IsThrottled);
// an error matching ErrOutcomeUnknown (IsOutcomeUnknown) when a write was sent but its result
// could not be read; ctx's error when ctx ends.
func (c *Client) Invoke(ctx context.Context, cmdlet string, params providers.Params) (*Result, error) {
	if !cmdletRE.MatchString(cmdlet) {
		return nil, fmt.Errorf("exchange: %q is not a cmdlet name (Verb-Noun)", cmdlet)
	}
	body, err := requestBody(cmdlet, params)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding parameters: %w", cmdlet, err)
	}
	tenant, err := c.TenantGUID(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmdlet, err)
	}
	link := c.baseURL + "/adminapi/beta/" + url.PathEscape(tenant) + "/InvokeCommand"
	res := &Result{Objects: []map[string]any{}}
	seen := map[string]bool{}
	for {
		seen[link] = true
		p, err := c.page(ctx, cmdlet, tenant, link, body, res.Pages+1)
		if err != nil {
			return nil, err
		}
		res.Pages++
		res.Objects = append(res.Objects, p.objects...)
		res.Warnings = append(res.Warnings, p.warnings...)
		res.Errors = append(res.Errors, p.errors...)
		if p.next == "" {
			return res, nil
		}
		next, err := c.checkNextLink(p.next)
		if err != nil {
			return nil, fmt.Errorf("%s: page %d: %w", cmdlet, res.Pages, err)
		}
		if seen[next] {
			return nil, fmt.Errorf("%s: page %d: the server returned an @odata.nextLink already followed; stopping to avoid a loop", cmdlet, res.Pages)
		}
		link = next
	}
}

// checkNextLink resolves a nextLink and refuses one that leaves the Exchange endpoint.
func (c *Client) checkNextLink(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", errors.New("the server returned an invalid @odata.nextLink")
	}
	if !u.IsAbs() {
		u = c.base.ResolveReference(u)
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || hostPort(u) != hostPort(c.base) {
		return "", fmt.Errorf("refusing to follow @odata.nextLink to %s://%s: it is not the Exchange endpoint %s, and the access token is sent only there",
			u.Scheme, u.Host, c.baseURL)
	}
	return u.String(), nil
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

type pageResult struct {
	objects  []map[string]any
	warnings []string
	errors   []string
	next     string
}

// verdict says whether and when a failed attempt may be repeated.
type verdict struct {
	retry       bool
	after       time.Duration // from Retry-After; 0 means use the backoff
	hasAfter    bool
	serverError bool // a 500, retried at most maxServerErrorRetries times
}

// page fetches one page, retrying transient failures.
func (c *Client) page(ctx context.Context, cmdlet, tenant, link string, body []byte, pageNo int) (*pageResult, error) {
	read := IsReadCmdlet(cmdlet)
	cc := c.counters(cmdlet)
	retries, serverErrors := 0, 0
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", cmdlet, err)
		}
		p, v, err := c.attempt(ctx, cmdlet, tenant, link, body, read, pageNo, attempt, cc)
		if err == nil {
			c.total.pages.Add(1)
			cc.pages.Add(1)
			return p, nil
		}
		if !v.retry || retries >= c.maxRetries || (v.serverError && serverErrors >= maxServerErrorRetries) {
			if retries > 0 {
				return nil, &wire.RetriesExhausted{Err: err, Retries: retries, Elapsed: time.Since(start), Service: "Exchange Online", Throttled: IsThrottled(err)}
			}
			return nil, err
		}
		if v.serverError {
			serverErrors++
		}
		retries++
		d := v.after
		if !v.hasAfter {
			d = wire.Backoff(retries)
		}
		if d > wire.MaxRetryAfter {
			d = wire.MaxRetryAfter
		}
		c.total.retries.Add(1)
		cc.retries.Add(1)
		c.total.wait.Add(int64(d))
		cc.wait.Add(int64(d))
		c.logf("exchange: %s page %d: %v; retry %d of %d in %s", cmdlet, pageNo, shortErr(err), retries, c.maxRetries, d.Round(time.Millisecond))
		if serr := c.sleep(ctx, d); serr != nil {
			return nil, fmt.Errorf("%s: stopped retrying (%w) after: %w", cmdlet, serr, err)
		}
	}
}

// shortErr keeps retry log lines free of long texts.
func shortErr(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return fmt.Sprintf("HTTP %d %s", e.Status, e.Code)
	}
	return err.Error()
}

// attempt sends one request and classifies the outcome.
func (c *Client) attempt(ctx context.Context, cmdlet, tenant, link string, body []byte, read bool, pageNo, attemptNo int, cc *counters) (*pageResult, verdict, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return nil, verdict{}, fmt.Errorf("%s: %w", cmdlet, err)
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, verdict{}, fmt.Errorf("%s: %w", cmdlet, ctx.Err())
	}
	defer func() { <-c.sem }()

	reqID := wire.NewGUID()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, link, bytes.NewReader(body))
	if err != nil {
		return nil, verdict{}, fmt.Errorf("%s: building the request: %w", cmdlet, err)
	}
	h := req.Header
	h.Set("Authorization", "Bearer "+tok)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Accept", "application/json")
	// Asking for gzip ourselves turns off the transport's transparent decompression, so a bogus
	// gzip body (Exchange's 403 of NUL bytes) can be recognised instead of failing the read.
	h.Set("Accept-Encoding", "gzip")
	h.Set("X-AnchorMailbox", anchorMailbox+tenant)
	h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(c.pageSize))
	h.Set("X-CmdletName", cmdlet)
	h.Set("X-ResponseFormat", "json")
	h.Set("client-request-id", reqID)
	h.Set("X-ClientApplication", "exoform")
	h.Set("User-Agent", "exoform")

	c.total.requests.Add(1)
	cc.requests.Add(1)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logf("exchange: POST %s page %d attempt %d: no response (%s)", cmdlet, pageNo, attemptNo, time.Since(start).Round(time.Millisecond))
		sent := wrote.Load()
		if ctx.Err() != nil {
			if !read && sent {
				return nil, verdict{}, fmt.Errorf("%s: %w: %w", cmdlet, ErrOutcomeUnknown, ctx.Err())
			}
			return nil, verdict{}, fmt.Errorf("%s: %w", cmdlet, ctx.Err())
		}
		err = fmt.Errorf("%s: %w", cmdlet, netErr(err))
		if read || !sent {
			return nil, verdict{retry: true}, err
		}
		return nil, verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	status := resp.StatusCode
	c.logf("exchange: POST %s page %d attempt %d -> %d (%s)", cmdlet, pageNo, attemptNo, status, time.Since(start).Round(time.Millisecond))
	if readErr == nil && len(raw) > maxResponseBytes {
		readErr = fmt.Errorf("the response is larger than %d bytes", maxResponseBytes)
	}

	// unreadable handles a response the cmdlet may have produced but that cannot be read.
	unreadable := func(cause error) (*pageResult, verdict, error) {
		if ctx.Err() != nil {
			cause = ctx.Err()
		}
		err := fmt.Errorf("%s: reading the response (HTTP %d): %w", cmdlet, status, cause)
		if ctx.Err() != nil {
			if read {
				return nil, verdict{}, err
			}
			return nil, verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		if read {
			return nil, verdict{retry: true}, err
		}
		return nil, verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}

	if status == http.StatusNoContent {
		return &pageResult{}, verdict{}, nil
	}
	if status >= 200 && status < 300 {
		if readErr != nil {
			return unreadable(netErr(readErr))
		}
		data, err := decodeBody(resp.Header, raw)
		if err != nil {
			return unreadable(err)
		}
		p, err := parsePage(data)
		if err != nil {
			return unreadable(err)
		}
		return p, verdict{}, nil
	}
	if status >= 300 && status < 400 {
		where := "elsewhere"
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			where = "to " + loc.Scheme + "://" + loc.Host
		}
		return nil, verdict{}, &Error{Cmdlet: cmdlet, Status: status, RequestID: requestIDOf(resp.Header, reqID),
			Message: "unexpected redirect " + where + "; exoform does not follow redirects with an access token"}
	}

	data := raw
	if d, err := decodeBody(resp.Header, raw); err == nil {
		data = d
	}
	apiErr := parseError(cmdlet, status, resp.Header, data, reqID)
	after, hasAfter := wire.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	throttled := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || isConcurrencyLimit(data)
	if throttled {
		c.total.throttled.Add(1)
		cc.throttled.Add(1)
	}
	switch {
	case throttled || status == http.StatusRequestTimeout:
		// The server refused the request before running the cmdlet: safe for writes too.
		return nil, verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
	case status == http.StatusBadGateway || status == http.StatusGatewayTimeout:
		if read {
			return nil, verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
		}
		return nil, verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr)
	case status == http.StatusInternalServerError && read && apiErr.ExceptionType == "":
		return nil, verdict{retry: true, after: after, hasAfter: hasAfter, serverError: true}, apiErr
	}
	return nil, verdict{}, apiErr
}

func requestIDOf(h http.Header, fallback string) string {
	for _, k := range []string{"Request-Id", "X-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return fallback
}

// netErr drops the *url.Error wrapper's URL (it repeats the endpoint in every message) but
// keeps the cause and its chain.
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

// decodeBody undoes a gzip Content-Encoding.
func decodeBody(h http.Header, raw []byte) ([]byte, error) {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Content-Encoding")), "gzip") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the gzip response is invalid: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("the gzip response is invalid: %w", err)
	}
	if len(out) > maxResponseBytes {
		return nil, fmt.Errorf("the response is larger than %d bytes", maxResponseBytes)
	}
	return out, nil
}

// parsePage reads a success body: {"value":[…],"@adminapi.warnings":[…],"@odata.nextLink":…}.
func parsePage(data []byte) (*pageResult, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("the response body is empty")
		}
		return nil, fmt.Errorf("the response is not valid JSON: %w", err)
	}
	if top == nil {
		return nil, errors.New("the response is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the response has data after its JSON object")
	}
	p := &pageResult{}
	switch v := top["value"].(type) {
	case nil:
	case []any:
		for _, item := range v {
			p.objects = append(p.objects, asObject(item))
		}
	default:
		p.objects = append(p.objects, asObject(v))
	}
	p.warnings = stringsOf(top["@adminapi.warnings"])
	p.errors = stringsOf(top["@adminapi.errors"])
	if next, ok := top["@odata.nextLink"]; ok && next != nil {
		s, ok := next.(string)
		if !ok {
			return nil, errors.New("@odata.nextLink is not a string")
		}
		p.next = s
	}
	return p, nil
}

func asObject(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return stripAnnotations(m).(map[string]any)
	}
	return map[string]any{"Value": stripAnnotations(v)}
}

// stripAnnotations removes keys containing '@' (OData and type annotations) at every level.
func stripAnnotations(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if strings.Contains(k, "@") {
				delete(t, k)
				continue
			}
			t[k] = stripAnnotations(x)
		}
		return t
	case []any:
		for i := range t {
			t[i] = stripAnnotations(t[i])
		}
		return t
	}
	return v
}

func stringsOf(v any) []string {
	arr, ok := v.([]any)
	if !ok {
		if s, ok := v.(string); ok && s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, x := range arr {
		switch t := x.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			if m, ok := t["message"].(string); ok {
				out = append(out, m)
			} else if m, ok := t["Message"].(string); ok {
				out = append(out, m)
			} else {
				b, _ := json.Marshal(stripAnnotations(t))
				out = append(out, string(b))
			}
		case nil:
		default:
			b, _ := json.Marshal(t)
			out = append(out, string(b))
		}
	}
	return out
}

// token returns a valid access token for the client's scope.
func (c *Client) token(ctx context.Context) (string, error) {
	return c.tokens.Get(ctx, c.cred, c.scope)
}
