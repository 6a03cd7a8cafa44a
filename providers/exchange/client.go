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
	// DefaultMaxConcurrent is how many requests the client has in flight at once (a $batch
	// counts as one). Microsoft publishes no per-tenant limit for the admin API; 10 is a
	// plausible choice, the one the simulated tenant's realistic profile enforces. A tenant whose
	// real limit is lower answers the excess with "You have reached the maximum number of
	// concurrent requests per tenant" (wire-formats A8), which the client recognises whatever the
	// status, counts as throttled and retries after Retry-After, so a lower limit costs waiting,
	// never a failed read.
	DefaultMaxConcurrent = 10
	DefaultMaxRetries    = 8
	DefaultPageSize      = 1000

	// maxServerErrorRetries bounds the retries of a read cmdlet answered with 500.
	maxServerErrorRetries = 2
	// maxResponseBytes bounds one response page.
	maxResponseBytes = 512 << 20
	// maxErrorBytes bounds the error body kept for a message.
	maxErrorBytes = 1 << 20

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
	MaxConcurrent int // requests in flight at once ($batch counts as one); default DefaultMaxConcurrent
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
	slots      *slots
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
	Requests int64 // HTTP requests sent (every attempt of every page; a $batch counts once)
	Pages    int64 // pages read successfully, inside a $batch or not
	// BatchItems counts the sub-requests sent inside $batch requests (every attempt and every
	// nextLink page of each).
	BatchItems int64
	Retries    int64         // requests repeated after a transient failure
	Throttled  int64         // responses that were throttling refusals
	WaitTime   time.Duration // total time spent waiting before retries
	// PerCmdlet holds the same counts per cmdlet name.
	PerCmdlet map[string]CmdletStats
}

// CmdletStats counts the work for one cmdlet.
//
// A $batch request is counted under the name "$batch"; its items under their cmdlets, as
// BatchItems (and Pages, Retries, Throttled), not as Requests.
type CmdletStats struct {
	Requests   int64
	BatchItems int64
	Pages      int64
	Retries    int64
	Throttled  int64
	WaitTime   time.Duration
}

type counters struct {
	requests, batchItems, pages, retries, throttled, wait atomic.Int64
}

func (c *counters) snapshot() CmdletStats {
	return CmdletStats{
		Requests: c.requests.Load(), BatchItems: c.batchItems.Load(), Pages: c.pages.Load(), Retries: c.retries.Load(),
		Throttled: c.throttled.Load(), WaitTime: time.Duration(c.wait.Load()),
	}
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	cmdletRE = regexp.MustCompile(`^[A-Za-z]+-[A-Za-z0-9]+$`)
	// propertyRE is an output property's name, as $select takes it.
	propertyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
	tenantRE   = regexp.MustCompile(`^[0-9A-Za-z.-]+$`)
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
	c.slots = newSlots(n)
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
	s := Stats{Requests: t.Requests, BatchItems: t.BatchItems, Pages: t.Pages, Retries: t.Retries, Throttled: t.Throttled, WaitTime: t.WaitTime,
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

// Page is one page of a cmdlet's output, as InvokePages hands it over.
type Page struct {
	// Objects are the page's output objects, as in Result.Objects.
	Objects []map[string]any
	// Warnings and Errors are the page's @adminapi.warnings and @adminapi.errors.
	Warnings, Errors []string
	// More reports that another page follows.
	More bool
}

// ErrStopPaging, returned by an InvokePages callback, stops the read without an error.
var ErrStopPaging = errors.New("stop paging")

// Invoke runs one cmdlet and returns every output object across all pages. It does not add
// parameters: a Get-* caller that wants everything passes ResultSize Unlimited itself.
//
// Errors: *Error for an answer from Exchange (see IsNotFound, IsAlreadyExists, IsThrottled);
// an error matching ErrOutcomeUnknown (IsOutcomeUnknown) when a write was sent but its result
// could not be read; ctx's error when ctx ends.
func (c *Client) Invoke(ctx context.Context, cmdlet string, params providers.Params) (*Result, error) {
	res := &Result{Objects: []map[string]any{}}
	err := c.InvokePages(ctx, cmdlet, params, func(p *Page) error {
		res.Pages++
		res.Objects = append(res.Objects, p.Objects...)
		res.Warnings = append(res.Warnings, p.Warnings...)
		res.Errors = append(res.Errors, p.Errors...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// InvokePages runs one cmdlet like Invoke, but hands each page to fn as it arrives, so that a
// large read can be converted page by page instead of held whole. An error from fn stops the
// read and is returned, except ErrStopPaging, which stops it quietly.
func (c *Client) InvokePages(ctx context.Context, cmdlet string, params providers.Params, fn func(*Page) error) error {
	return c.InvokePagesSelect(ctx, cmdlet, params, nil, fn)
}

// InvokePagesSelect is InvokePages asking only for the named output properties, with the
// query's $select (A1): a Get-CASMailbox object has some sixty properties, of which a plan
// needs a dozen, and at fifty thousand mailboxes the rest is a hundred megabytes to send and
// decode. No names asks for every property. The nextLinks Exchange returns keep the $select.
func (c *Client) InvokePagesSelect(ctx context.Context, cmdlet string, params providers.Params, sel []string, fn func(*Page) error) error {
	if !cmdletRE.MatchString(cmdlet) {
		return fmt.Errorf("exchange: %q is not a cmdlet name (Verb-Noun)", cmdlet)
	}
	body, err := requestBody(cmdlet, params)
	if err != nil {
		return fmt.Errorf("%s: encoding parameters: %w", cmdlet, err)
	}
	tenant, err := c.TenantGUID(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", cmdlet, err)
	}
	link := c.invokeURL(tenant)
	if len(sel) > 0 {
		for _, name := range sel {
			if !propertyRE.MatchString(name) {
				return fmt.Errorf("%s: %q is not a property name to $select", cmdlet, name)
			}
		}
		link += "?$select=" + strings.Join(sel, ",")
	}
	seen := map[string]bool{}
	cc := c.counters(cmdlet)
	for pageNo := 1; ; pageNo++ {
		seen[link] = true
		var p *pageResult
		err := c.send(ctx, tenant, &call{
			name: cmdlet, link: link, body: body, read: IsReadCmdlet(cmdlet), cc: cc, pageNo: pageNo,
			header: func(h http.Header) {
				h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(c.pageSize))
				h.Set("X-CmdletName", cmdlet)
			},
			decode: func(r io.Reader) error {
				var err error
				p, err = decodePage(r)
				return err
			},
		})
		if err != nil {
			return err
		}
		if p == nil { // 204 No Content
			p = &pageResult{}
		}
		if err := noValue(cmdlet, p); err != nil {
			return fmt.Errorf("%s: page %d: %w", cmdlet, pageNo, err)
		}
		c.total.pages.Add(1)
		cc.pages.Add(1)
		next := ""
		if p.next != "" {
			if next, err = c.checkNextLink(p.next); err != nil {
				return fmt.Errorf("%s: page %d: %w", cmdlet, pageNo, err)
			}
			if seen[next] {
				return fmt.Errorf("%s: page %d: the server returned an @odata.nextLink already followed; stopping to avoid a loop", cmdlet, pageNo)
			}
		}
		if err := fn(&Page{Objects: p.objects, Warnings: p.warnings, Errors: p.errors, More: next != ""}); err != nil {
			if errors.Is(err, ErrStopPaging) {
				return nil
			}
			return err
		}
		if next == "" {
			return nil
		}
		link = next
	}
}

// invokeURL is the InvokeCommand endpoint of the tenant.
func (c *Client) invokeURL(tenant string) string {
	return c.baseURL + "/adminapi/beta/" + url.PathEscape(tenant) + "/InvokeCommand"
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
	hasValue bool // the page carried a "value" (not null); Exchange always sends one (wire-formats A6)
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

// call is one HTTP request of the client (an InvokeCommand page or a $batch) with what it
// takes to send it again.
type call struct {
	name   string // names the request in errors and logs: the cmdlet, or "$batch (…)"
	link   string
	body   []byte
	read   bool // nothing in it writes, so it may be repeated after it may have reached the server
	cc     *counters
	pageNo int
	batch  bool // a $batch: waits for a slot after the requests of paged reads (slots)
	// header sets the request's own headers (Prefer, X-CmdletName).
	header func(h http.Header)
	// decode reads a success body as it arrives. It is called once per answered attempt, and
	// must leave nothing behind from an attempt whose body fails to decode.
	decode func(r io.Reader) error
}

// send sends one request, retrying transient failures.
func (c *Client) send(ctx context.Context, tenant string, k *call) error {
	retries, serverErrors := 0, 0
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		v, err := c.attempt(ctx, tenant, k, attempt)
		if err == nil {
			return nil
		}
		if !v.retry || retries >= c.maxRetries || (v.serverError && serverErrors >= maxServerErrorRetries) {
			if retries > 0 {
				return &wire.RetriesExhausted{Err: err, Retries: retries, Elapsed: time.Since(start), Service: "Exchange Online", Throttled: IsThrottled(err)}
			}
			return err
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
		k.cc.retries.Add(1)
		c.total.wait.Add(int64(d))
		k.cc.wait.Add(int64(d))
		c.logf("exchange: %s page %d: %v; retry %d of %d in %s", k.name, k.pageNo, shortErr(err), retries, c.maxRetries, d.Round(time.Millisecond))
		if serr := c.sleep(ctx, d); serr != nil {
			return fmt.Errorf("%s: stopped retrying (%w) after: %w", k.name, serr, err)
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
func (c *Client) attempt(ctx context.Context, tenant string, k *call, attemptNo int) (verdict, error) {
	name, read := k.name, k.read
	tok, err := c.token(ctx)
	if err != nil {
		return verdict{}, fmt.Errorf("%s: %w", name, err)
	}
	prio := priorityChain
	if k.batch {
		prio = priorityBatch
	}
	if err := c.slots.acquire(ctx, prio); err != nil {
		return verdict{}, fmt.Errorf("%s: %w", name, err)
	}
	defer c.slots.release()

	reqID := wire.NewGUID()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, k.link, bytes.NewReader(k.body))
	if err != nil {
		return verdict{}, fmt.Errorf("%s: building the request: %w", name, err)
	}
	h := req.Header
	h.Set("Authorization", "Bearer "+tok)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Accept", "application/json")
	// Asking for gzip ourselves turns off the transport's transparent decompression, so a bogus
	// gzip body (Exchange's 403 of NUL bytes) can be recognised instead of failing the read.
	h.Set("Accept-Encoding", "gzip")
	h.Set("X-AnchorMailbox", anchorMailbox+tenant)
	h.Set("X-ResponseFormat", "json")
	h.Set("client-request-id", reqID)
	h.Set("X-ClientApplication", "exoform")
	h.Set("User-Agent", "exoform")
	if k.header != nil {
		k.header(h)
	}

	c.total.requests.Add(1)
	k.cc.requests.Add(1)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logf("exchange: POST %s page %d attempt %d: no response (%s)", name, k.pageNo, attemptNo, time.Since(start).Round(time.Millisecond))
		sent := wrote.Load()
		if ctx.Err() != nil {
			if !read && sent {
				return verdict{}, fmt.Errorf("%s: %w: %w", name, ErrOutcomeUnknown, ctx.Err())
			}
			return verdict{}, fmt.Errorf("%s: %w", name, ctx.Err())
		}
		var ne net.Error
		timedOut := errors.As(err, &ne) && ne.Timeout()
		err = fmt.Errorf("%s: %w", name, netErr(err))
		if read || !sent {
			// A request that got no answer in time is retried like a 504, not like a
			// dropped connection: the wait for an answer is up to 16 minutes, and eight of
			// those would hold a plan for hours.
			return verdict{retry: true, serverError: timedOut}, err
		}
		return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	c.logf("exchange: POST %s page %d attempt %d -> %d (%s)", name, k.pageNo, attemptNo, status, time.Since(start).Round(time.Millisecond))

	// unreadable handles a response the cmdlet may have produced but that cannot be read.
	unreadable := func(cause error) (verdict, error) {
		if ctx.Err() != nil {
			cause = ctx.Err()
		}
		err := fmt.Errorf("%s: reading the response (HTTP %d): %w", name, status, cause)
		if ctx.Err() != nil {
			if read {
				return verdict{}, err
			}
			return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		if read {
			return verdict{retry: true}, err
		}
		return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}

	if status == http.StatusNoContent {
		return verdict{}, nil
	}
	if status >= 200 && status < 300 {
		// The body is decoded as it arrives: a page is never held as raw bytes next to its
		// decoded objects.
		var body io.Reader = &boundedReader{r: resp.Body, left: maxResponseBytes}
		if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
			zr, err := gzip.NewReader(body)
			if err != nil {
				return unreadable(fmt.Errorf("the gzip response is invalid: %w", netErr(err)))
			}
			defer zr.Close()
			body = &boundedReader{r: zr, left: maxResponseBytes}
		}
		if err := k.decode(body); err != nil {
			return unreadable(netErr(err))
		}
		return verdict{}, nil
	}
	if status >= 300 && status < 400 {
		where := "elsewhere"
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			where = "to " + loc.Scheme + "://" + loc.Host
		}
		return verdict{}, &Error{Cmdlet: name, Status: status, RequestID: requestIDOf(resp.Header, reqID),
			Message: "unexpected redirect " + where + "; exoform does not follow redirects with an access token"}
	}

	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	data := raw
	if d, err := decodeBody(resp.Header, raw); err == nil {
		data = d
	}
	apiErr := parseError(name, status, resp.Header, data, reqID)
	after, hasAfter := wire.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	throttled := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || isConcurrencyLimit(data)
	if throttled {
		c.total.throttled.Add(1)
		k.cc.throttled.Add(1)
	}
	switch {
	case throttled || status == http.StatusRequestTimeout:
		// The server refused the request before running the cmdlet: safe for writes too.
		return verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
	case status == http.StatusBadGateway || status == http.StatusGatewayTimeout:
		if read {
			return verdict{retry: true, after: after, hasAfter: hasAfter}, apiErr
		}
		return verdict{}, fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr)
	case status == http.StatusInternalServerError && read && (apiErr.ExceptionType == "" || strings.HasSuffix(apiErr.ExceptionType, "TransientException")):
		// No cmdlet error, or one Exchange itself calls transient (Microsoft.Exchange.Data.
		// Storage.TransientException): repeating a read is safe. Any other exception is the
		// cmdlet's answer, which a repeat would only give again.
		return verdict{retry: true, after: after, hasAfter: hasAfter, serverError: true}, apiErr
	}
	return verdict{}, apiErr
}

// boundedReader fails a body that grows past its bound instead of reading it to the end.
type boundedReader struct {
	r    io.Reader
	left int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe one byte: a body of exactly the bound is fine.
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("the response is larger than %d bytes", maxResponseBytes)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
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

// decodePage reads a success body as it arrives:
// {"value":[…],"@adminapi.warnings":[…],"@odata.nextLink":…}. The value array is decoded one
// element at a time, so the decoder's buffer holds one object rather than the whole page (a
// page of a thousand mailboxes is megabytes, and decoding it whole doubled the buffer up to
// that size for every page).
func decodePage(r io.Reader) (*pageResult, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	top, err := decodeEnvelope(dec)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the response body is empty")
		}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the response is not valid JSON: %w", err)
		}
		return nil, err
	}
	if top == nil {
		return nil, errors.New("the response is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the response has data after its JSON object")
	}
	return pageOf(top)
}

// errNotObject is decodeEnvelope's answer to a body that is JSON but not an object.
var errNotObject = errors.New("the response is not a JSON object")

// decodeEnvelope decodes the top-level object as json.Decoder.Decode into a map[string]any
// would (a later duplicate key wins; null is a nil map), but streams the elements of an array
// under "value". A "value" that is not an array is decoded whole.
func decodeEnvelope(dec *json.Decoder) (map[string]any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	top := map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // inside an object, Token returns keys as strings
		if key != "value" {
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			top[key] = v
			continue
		}
		v, err := decodeValueArray(dec)
		if err != nil {
			return nil, err
		}
		top[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, err
	}
	return top, nil
}

// decodeValueArray decodes the value under "value": an array element by element, anything else
// whole.
func decodeValueArray(dec *json.Decoder) (any, error) {
	// Token would consume an object's '{' too, so look at the next byte first: only '['
	// is streamed.
	if !nextIsArray(dec) {
		var v any
		err := dec.Decode(&v)
		return v, err
	}
	if _, err := dec.Token(); err != nil { // '['
		return nil, err
	}
	items := []any{}
	for dec.More() {
		var item any
		if err := dec.Decode(&item); err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	return items, nil
}

// nextIsArray reports whether the next value the decoder reads is an array. It looks in the
// decoder's buffer, past the ':' and whitespace; when the buffer ends first it reads nothing
// and says false, so the value is decoded whole (correct, only not streamed).
func nextIsArray(dec *json.Decoder) bool {
	var buf [64]byte
	n, _ := dec.Buffered().Read(buf[:])
	for _, b := range buf[:n] {
		switch b {
		case ' ', '\t', '\r', '\n', ':':
			continue
		case '[':
			return true
		default:
			return false
		}
	}
	return false
}

// noValue refuses a read's page without a "value" array: Exchange sends one on every success
// (an empty one when nothing matches), so a page without it is a broken answer, and reading
// it as "no objects" would plan creates (or, for an owned type, deletes) from it.
func noValue(cmdlet string, p *pageResult) error {
	if !IsReadCmdlet(cmdlet) || p.hasValue {
		return nil
	}
	return errors.New(`the answer has no "value" array, so the result is unknown`)
}

// pageOf reads a decoded page envelope.
func pageOf(top map[string]any) (*pageResult, error) {
	p := &pageResult{}
	p.hasValue = top["value"] != nil
	switch v := top["value"].(type) {
	case nil:
	case []any:
		p.objects = make([]map[string]any, 0, len(v))
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
