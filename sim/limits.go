package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// service is which API a request is for, for the model and the accounting.
type service int

const (
	svcOther service = iota // discovery documents, unknown paths: neither delayed nor counted
	svcGraph
	svcExchange
	svcToken
	numServices
)

func (v service) String() string {
	return [...]string{"other", "graph", "exchange", "token"}[v]
}

// classify tells the service from the path, as ServeHTTP routes it.
func classify(r *http.Request) service {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case strings.EqualFold(seg[0], "adminapi"):
		return svcExchange
	case seg[0] == "graph":
		return svcGraph
	case len(seg) == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token":
		return svcToken
	}
	return svcOther
}

// concurrencyText is what Exchange answers a request over the tenant's
// concurrency limit; clients (ExoHelper) recognise it by this opening
// whatever the status (wire-formats A8).
const concurrencyText = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again."

// limits is the running state of a Profile: the Exchange slots and the
// Graph budgets. It is shared by all requests and never touches the store,
// so waiting for a slot or a latency serialises nothing else.
type limits struct {
	p       Profile
	exSlots chan struct{} // one token per Exchange request in flight; nil: no limit

	mu     sync.Mutex
	graphs map[string]*graphBudget // by the token's app id
}

func newLimits(p Profile) *limits {
	l := &limits{p: p, graphs: map[string]*graphBudget{}}
	if p.ExchangeConcurrency > 0 {
		l.exSlots = make(chan struct{}, p.ExchangeConcurrency)
	}
	return l
}

// graphBudget is one app's budgets in the tenant. Graph's identity limits
// are token buckets (Graph docs, throttling-limits.md), which is what
// rate.Limiter is: the burst is the budget and it refills evenly over the
// window.
type graphBudget struct {
	ru, writes *rate.Limiter // nil: no budget
}

func (l *limits) graphBudget(app string) *graphBudget {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.graphs[app]
	if b == nil {
		b = &graphBudget{ru: bucket(l.p.GraphResourceUnits, l.p.GraphWindow), writes: bucket(l.p.GraphWrites, l.p.GraphWriteWindow)}
		l.graphs[app] = b
	}
	return b
}

func bucket(n int, window time.Duration) *rate.Limiter {
	if n <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(float64(n)/window.Seconds()), n)
}

// refusal says why a Graph request is throttled.
type refusal struct {
	wait  time.Duration // until a retry fits: Retry-After
	limit string        // ReadWrite (resource units) or Write, for x-ms-throttle-scope
	info  string        // x-ms-throttle-information
}

// take charges one request of cost resource units (and one write if write)
// at now. Refused requests are charged too: Graph counts requests made
// while throttled (wire-formats C12), so a client that ignores Retry-After
// stays throttled longer.
func (b *graphBudget) take(now time.Time, cost int, write bool) *refusal {
	var out *refusal
	if d := charge(b.ru, now, cost); d > 0 {
		out = &refusal{wait: d, limit: "ReadWrite", info: "ResourceUnitLimitExceeded"}
	}
	if write {
		if d := charge(b.writes, now, 1); d > 0 && (out == nil || d > out.wait) {
			out = &refusal{wait: d, limit: "Write", info: "WriteLimitExceeded"}
		}
	}
	return out
}

// charge takes n tokens and returns 0 if they were there, else how long
// until a retry of the same cost fits after this refused one is paid for.
func charge(l *rate.Limiter, now time.Time, n int) time.Duration {
	if l == nil {
		return 0
	}
	n = min(n, l.Burst()) // a cost above the whole budget is charged the budget
	r := l.ReserveN(now, n)
	d := r.DelayFrom(now)
	if d == 0 {
		return 0
	}
	return d + time.Duration(float64(n)/float64(l.Limit())*float64(time.Second))
}

// graphCost is the resource-unit cost of a Graph request and whether it
// counts as a write, from the table in Graph's throttling-limits.md
// (identity and access): a few collections cost more than 1, $select takes
// 1 off, $expand adds 1, $top below 20 takes 1 off, and nothing costs less
// than 1. Writes (POST, PATCH, PUT, DELETE) cost 1 and one write, but for
// the two POST queries the table lists without a write cost.
func graphCost(method, path string, query url.Values) (cost int, write bool) {
	shape := graphShape(path)
	cost, write = 1, method != http.MethodGet
	if method == http.MethodGet {
		switch shape {
		case "applications", "users", "oauth2permissiongrants", "oauth2permissiongrants/{id}",
			"applications/{id}/extensionproperties", "serviceprincipals/{id}/approleassignments":
			cost = 2
		case "groups/{id}/members", "subscribedskus", "contracts":
			cost = 3
		case "groups/{id}/transitivemembers":
			cost = 5
		}
	}
	if method == http.MethodPost {
		switch strings.ToLower(strings.Trim(path, "/")) {
		case "directoryobjects/getbyids", "getobjectsbyid":
			cost, write = 3, false
		}
	}
	if query.Get("$select") != "" {
		cost--
	}
	if query.Get("$expand") != "" {
		cost++
	}
	if top, err := strconv.Atoi(query.Get("$top")); err == nil && top < 20 {
		cost--
	}
	return max(cost, 1), write
}

// graphShape reduces a Graph path (after /v1.0) to the form of the cost
// table: lower case, keys replaced by {id}, so "applications/abc/owners"
// and "applications(appId='x')/owners" are both "applications/{id}/owners".
func graphShape(path string) string {
	segs := pathSegments(path)
	if len(segs) == 0 {
		return ""
	}
	out := []string{}
	if name, _, _, keyed := alternateKey(segs[0]); keyed {
		out = append(out, name, "{id}")
		segs = segs[1:]
	} else {
		out = append(out, segs[0])
		segs = segs[1:]
		if len(segs) > 0 && !strings.HasPrefix(segs[0], "$") {
			out = append(out, "{id}")
			segs = segs[1:]
		}
	}
	out = append(out, segs...)
	return strings.ToLower(strings.Join(out, "/"))
}

// graphPath turns a Graph URL as a request or a $batch item carries it
// (absolute, /graph/v1.0/..., /v1.0/... or /...) into the path after the
// version and its query.
func graphPath(raw string) (string, url.Values) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", url.Values{}
	}
	p := u.Path
	p = strings.TrimPrefix(p, "/graph")
	p = strings.TrimPrefix(p, "/v1.0")
	return strings.Trim(p, "/"), u.Query()
}

// tokenIdentity reads the app and tenant from a bearer token without
// checking it: it only picks the budget. The handler authenticates the
// request afterwards, so a forged token spends a budget but gets nothing.
func tokenIdentity(r *http.Request) (app, tenant string) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ""
	}
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return "", ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", ""
	}
	var c struct {
		AppID string `json:"appid"`
		TID   string `json:"tid"`
	}
	if json.Unmarshal(b, &c) != nil {
		return "", ""
	}
	return c.AppID, c.TID
}

// maxPageSizeRe finds the number of an odata.maxpagesize preference, however
// it is spaced or quoted ("odata.maxpagesize = 1000", `odata.maxpagesize="5"`).
var maxPageSizeRe = regexp.MustCompile(`(?i)(odata\.maxpagesize\s*=\s*"?)(\d+)`)

// capPageSize lowers every odata.maxpagesize above max in a Prefer value to
// max and reports whether it changed anything.
func capPageSize(v string, max int) (string, bool) {
	changed := false
	out := maxPageSizeRe.ReplaceAllStringFunc(v, func(m string) string {
		sub := maxPageSizeRe.FindStringSubmatch(m)
		n, err := strconv.Atoi(sub[2])
		if err == nil && n <= max {
			return m
		}
		changed = true
		return sub[1] + strconv.Itoa(max)
	})
	return out, changed
}

// capPageHeaders applies capPageSize to Prefer and X-Prefer (the two
// headers the sim's paging reads). With no preference and a cap below the
// sim's default page size, it adds one, so the cap holds for every request.
func capPageHeaders(h http.Header, max int) {
	asked := false
	for _, name := range []string{"Prefer", "X-Prefer"} {
		vs := h.Values(name)
		for i, v := range vs {
			if maxPageSizeRe.MatchString(v) {
				asked = true
			}
			vs[i], _ = capPageSize(v, max)
		}
	}
	if !asked && max < defaultPageSize {
		h.Add("Prefer", "odata.maxpagesize="+strconv.Itoa(max))
	}
}

// readBody reads a request body for the model and puts it back for the
// handler, which reads it again with its own limit.
func readBody(w http.ResponseWriter, r *http.Request) []byte {
	b, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// batchItems decodes the items of a $batch body (Graph's and Exchange's
// have the same outline), keeping each as sent so it can be passed on; nil
// when the body is not a batch, which the handler then refuses.
func batchItems(body []byte) []json.RawMessage {
	var req struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	return req.Requests
}

// batchItem is what the model reads of a $batch item.
type batchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

func decodeItem(raw json.RawMessage) batchItem {
	var it batchItem
	_ = json.Unmarshal(raw, &it) // a malformed item is the handler's to refuse
	return it
}

func hasSkipToken(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Query().Has("$skiptoken")
}

// sleepContext waits d or until ctx ends, without holding anything.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfterSeconds is Retry-After for a wait: whole seconds, rounded up,
// at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// modelHandler wraps the sim's router with the profile (latency, limits,
// page cap) and the per-service accounting, which runs with every profile.
func (s *Server) modelHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc := classify(r)
		if svc == svcOther {
			next.ServeHTTP(w, r)
			return
		}
		done := s.stats.begin(svc)
		defer done()
		sw := &statusWriter{ResponseWriter: w, svc: svc, stats: s.stats}
		switch svc {
		case svcExchange:
			s.serveExchange(sw, r, next)
		case svcGraph:
			s.serveGraph(sw, r, next)
		case svcToken:
			s.stats.arrived(svcToken, 0, 0)
			if s.wait(r.Context(), svc, s.limits.p.TokenLatency) == nil {
				next.ServeHTTP(sw, r)
			}
		}
	})
}

// wait is the service's latency: it holds no lock and ends early, with an
// error, when the client goes away.
func (s *Server) wait(ctx context.Context, svc service, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	s.stats.delayed(svc, d)
	return s.sleep(ctx, d)
}

// serveExchange applies the Exchange part of the model: a concurrency slot
// (a $batch takes one), the page-size cap, then the latency.
func (s *Server) serveExchange(w *statusWriter, r *http.Request, next http.Handler) {
	p := s.limits.p
	if isBatchPath(r.URL.Path) && r.Method == http.MethodPost {
		items := batchItems(readBody(w, r))
		pages, capped := 0, false
		for i, raw := range items {
			it := decodeItem(raw)
			if hasSkipToken(it.URL) {
				pages++
			}
			if p.ExchangePageSize > 0 {
				var c bool
				items[i], c = capItemPageSize(raw, it, p.ExchangePageSize)
				capped = capped || c
			}
		}
		s.stats.arrived(svcExchange, len(items), pages)
		if capped {
			b, _ := json.Marshal(map[string]any{"requests": items})
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
		}
	} else {
		s.stats.arrived(svcExchange, 0, boolInt(r.URL.Query().Has("$skiptoken")))
	}
	if s.limits.exSlots != nil {
		select {
		case s.limits.exSlots <- struct{}{}:
			defer func() { <-s.limits.exSlots }()
		default:
			s.refuseConcurrency(w)
			return
		}
	}
	if p.ExchangePageSize > 0 {
		capPageHeaders(r.Header, p.ExchangePageSize)
	}
	if s.wait(r.Context(), svcExchange, p.ExchangeLatency) != nil {
		return
	}
	next.ServeHTTP(w, r)
}

func isBatchPath(p string) bool { return strings.HasSuffix(strings.TrimRight(p, "/"), "/$batch") }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// capItemPageSize caps the Prefer headers of one Exchange $batch item.
func capItemPageSize(raw json.RawMessage, it batchItem, max int) (json.RawMessage, bool) {
	changed := false
	for k, v := range it.Headers {
		if strings.EqualFold(k, "Prefer") || strings.EqualFold(k, "X-Prefer") {
			nv, c := capPageSize(v, max)
			it.Headers[k], changed = nv, changed || c
		}
	}
	if !changed {
		return raw, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw, false
	}
	m["headers"], _ = json.Marshal(it.Headers)
	b, err := json.Marshal(m)
	if err != nil {
		return raw, false
	}
	return b, true
}

// refuseConcurrency answers as Exchange does over the tenant's concurrency
// limit. The text is what clients look for (A8); the status (429) and the
// plain-text body are the sim's choice. Retry-After is one latency, by when
// a slot has freed.
func (s *Server) refuseConcurrency(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Request-Id", newGUID())
	h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(s.limits.p.ExchangeLatency)))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	io.WriteString(w, concurrencyText)
}

// serveGraph applies the Graph part of the model: the budgets (each $batch
// item is charged on its own), then the latency (once per request).
func (s *Server) serveGraph(w *statusWriter, r *http.Request, next http.Handler) {
	p := s.limits.p
	batch := isBatchPath(r.URL.Path) && r.Method == http.MethodPost
	var items []json.RawMessage
	if batch {
		items = batchItems(readBody(w, r))
		pages := 0
		for _, raw := range items {
			if hasSkipToken(decodeItem(raw).URL) {
				pages++
			}
		}
		s.stats.arrived(svcGraph, len(items), pages)
	} else {
		s.stats.arrived(svcGraph, 0, boolInt(r.URL.Query().Has("$skiptoken")))
	}
	if p.GraphResourceUnits <= 0 && p.GraphWrites <= 0 {
		if s.wait(r.Context(), svcGraph, p.GraphLatency) == nil {
			next.ServeHTTP(w, r)
		}
		return
	}
	app, tenant := tokenIdentity(r)
	b := s.limits.graphBudget(app)
	now := s.now()
	if !batch {
		path, q := graphPath(r.URL.RequestURI())
		cost, write := graphCost(r.Method, path, q)
		if rf := b.take(now, cost, write); rf != nil {
			s.refuseGraph(w, r, rf, app, tenant)
			return
		}
		w.Header().Set("x-ms-resource-unit", strconv.Itoa(cost))
		if s.wait(r.Context(), svcGraph, p.GraphLatency) == nil {
			next.ServeHTTP(w, r)
		}
		return
	}
	// Items are charged in order; from the first refused one on, the rest
	// are refused too (and charged), so the items passed on are a prefix
	// and every dependsOn among them still names an earlier item.
	var first *refusal
	admitted, units := 0, 0
	for _, raw := range items {
		it := decodeItem(raw)
		path, q := graphPath(it.URL)
		cost, write := graphCost(strings.ToUpper(it.Method), path, q)
		rf := b.take(now, cost, write)
		switch {
		case first != nil:
		case rf != nil:
			first = rf
		default:
			admitted++
			units += cost
		}
	}
	if first == nil {
		if units > 0 {
			w.Header().Set("x-ms-resource-unit", strconv.Itoa(units))
		}
		if s.wait(r.Context(), svcGraph, p.GraphLatency) == nil {
			next.ServeHTTP(w, r)
		}
		return
	}
	if admitted == 0 {
		s.refuseGraph(w, r, first, app, tenant)
		return
	}
	refused := items[admitted:]
	body, _ := json.Marshal(map[string]any{"requests": items[:admitted]})
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	w.Header().Set("x-ms-resource-unit", strconv.Itoa(units))
	if s.wait(r.Context(), svcGraph, p.GraphLatency) != nil {
		return
	}
	buf := &bufferedWriter{header: http.Header{}}
	for k, v := range w.Header() {
		buf.header[k] = v
	}
	next.ServeHTTP(buf, r)
	s.mergeThrottledItems(w, r, buf, refused, first, app, tenant)
}

// throttleHeaders are the headers of a throttled Graph answer: Retry-After
// and the two Graph documents for identity requests.
func throttleHeaders(rf *refusal, app, tenant string) http.Header {
	return http.Header{
		"Retry-After":               {strconv.Itoa(retryAfterSeconds(rf.wait))},
		"X-Ms-Throttle-Scope":       {"Tenant_Application/" + rf.limit + "/" + app + "/" + tenant},
		"X-Ms-Throttle-Information": {rf.info},
	}
}

func throttledError(rf *refusal, app, tenant string) *gError {
	e := gErr(http.StatusTooManyRequests, "TooManyRequests", "Too many requests are being made. Please try again later.")
	e.header = throttleHeaders(rf, app, tenant)
	return e
}

// refuseGraph answers a throttled Graph request (a whole $batch when none of
// its items fits).
func (s *Server) refuseGraph(w http.ResponseWriter, r *http.Request, rf *refusal, app, tenant string) {
	reqID := newGUID()
	clientReqID := r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	h := w.Header()
	h.Set("Request-Id", reqID)
	h.Set("client-request-id", clientReqID)
	s.writeGraph(w, throttledError(rf, app, tenant).resp(reqID, clientReqID, s.now()))
}

// mergeThrottledItems writes the handler's $batch answer with a 429 item
// added for each refused item. An answer that is not a batch response (the
// batch itself was refused) goes out as it came.
func (s *Server) mergeThrottledItems(w *statusWriter, r *http.Request, buf *bufferedWriter, refused []json.RawMessage, rf *refusal, app, tenant string) {
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	for k, v := range buf.header {
		h[k] = v
	}
	var resp struct {
		Responses []json.RawMessage `json:"responses"`
	}
	if buf.status != http.StatusOK || json.Unmarshal(buf.body.Bytes(), &resp) != nil {
		w.WriteHeader(buf.statusOrOK())
		w.Write(buf.body.Bytes())
		return
	}
	reqID := h.Get("Request-Id")
	clientReqID := r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	now := s.now()
	for _, raw := range refused {
		er := throttledError(rf, app, tenant).resp(reqID, clientReqID, now)
		headers := map[string]string{"Content-Type": "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"}
		for k, v := range er.header {
			headers[k] = strings.Join(v, ", ")
		}
		item, _ := json.Marshal(object{{"id", decodeItem(raw).ID}, {"status", er.status}, {"headers", headers}, {"body", er.body}})
		resp.Responses = append(resp.Responses, item)
		w.throttledItem(rf.wait)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// bufferedWriter holds a handler's answer so that the model can add to it.
// It cannot be hijacked: a reset fault drawn for such a batch aborts the
// connection instead (net/http closes it), which clients see the same way.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedWriter) statusOrOK() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// statusWriter counts what a response tells the client: a 429 is a
// throttled response, and Retry-After (on any status) is time the client
// was told to wait. It can be hijacked, for the reset fault.
type statusWriter struct {
	http.ResponseWriter
	svc         service
	stats       *statsCounter
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		var after time.Duration
		if n, err := strconv.Atoi(strings.TrimSpace(w.Header().Get("Retry-After"))); err == nil && n > 0 {
			after = time.Duration(n) * time.Second
		}
		w.stats.answered(w.svc, code == http.StatusTooManyRequests, after)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// throttledItem counts a $batch item the model refused.
func (w *statusWriter) throttledItem(wait time.Duration) {
	w.stats.answered(w.svc, true, time.Duration(retryAfterSeconds(wait))*time.Second)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("sim: the connection cannot be hijacked")
	}
	return hj.Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
