package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// gError is a Graph error answer: {"error":{"code","message","innerError"}}.
type gError struct {
	status  int
	code    string
	message string
	header  http.Header
}

func (e *gError) Error() string { return e.code + ": " + e.message }

func gErr(status int, code, format string, args ...any) *gError {
	return &gError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func gBadRequest(format string, args ...any) *gError {
	return gErr(http.StatusBadRequest, "Request_BadRequest", format, args...)
}

func gNotFound(id string) *gError {
	return gErr(http.StatusNotFound, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)
}

func gDenied() *gError {
	return gErr(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

// gResp is one Graph answer, written to the wire or into a $batch response.
type gResp struct {
	status int
	header http.Header
	body   any  // nil for no body
	text   bool // body is sent as text/plain (a $count segment)
}

func (e *gError) resp(requestID, clientRequestID string, now time.Time) gResp {
	h := http.Header{}
	for k, v := range e.header {
		h[k] = v
	}
	return gResp{status: e.status, header: h, body: object{{"error", object{
		{"code", e.code},
		{"message", e.message},
		{"innerError", object{
			{"date", now.UTC().Format("2006-01-02T15:04:05")},
			{"request-id", requestID},
			{"client-request-id", clientRequestID},
		}},
	}}}}
}

// graphBase is the service root clients see, like https://graph.microsoft.com/v1.0.
func graphBase(host string) string { return "https://" + host + "/graph/v1.0" }

// handleGraph serves /graph/v1.0/...: authenticate, maybe inject a fault,
// then run the request (or a $batch of them) against the state.
func (s *Server) handleGraph(w http.ResponseWriter, r *http.Request, seg []string) {
	reqID := w.Header().Get("Request-Id")
	clientReqID := r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	h := w.Header()
	h.Set("request-id", reqID)
	h.Set("client-request-id", clientReqID)
	now := s.now()
	fail := func(e *gError) { s.writeGraph(w, e.resp(reqID, clientReqID, now)) }
	if len(seg) < 2 || seg[1] != "v1.0" {
		fail(gBadRequest("Invalid version: the simulated tenant serves only /graph/v1.0."))
		return
	}
	claims, e := s.graphAuthenticate(r)
	if e != nil {
		e.header = http.Header{"Www-Authenticate": {`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`}}
		fail(e)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		fail(gBadRequest("The request body could not be read: %v", err))
		return
	}
	rest := seg[2:]
	write := r.Method != http.MethodGet
	s.stats.request("Graph " + r.Method)
	isBatch := len(rest) == 1 && rest[0] == "$batch"
	if !isBatch && graphWrites(r.Method) {
		s.stats.write(svcGraph) // a $batch counts its items instead
	}
	fault := s.pickFault(&cmdlet{name: "Graph " + r.Method, write: write})
	if fault != nil && fault.Kind == FaultStall && !write {
		s.stall(w, r)
		return
	}
	if fault != nil && fault.Kind != FaultLost && fault.Kind != FaultStall {
		s.injectGraphFault(w, r, fault, reqID, clientReqID)
		return
	}
	gr := &gReq{method: r.Method, path: strings.Join(rest, "/"), query: r.URL.Query(), header: r.Header, body: body,
		claims: claims, host: r.Host, reqID: reqID, clientReqID: clientReqID}
	var resp gResp
	if isBatch {
		resp = s.graphBatch(gr)
	} else {
		resp = s.graphServe(gr)
	}
	if fault != nil && fault.Kind == FaultStall { // the write happened (or failed); no answer comes
		s.stall(w, r)
		return
	}
	if fault != nil && resp.status < 300 { // lost: the write happened, the answer does not arrive
		s.stats.fault(FaultLost)
		if s.coinFlip() {
			s.writeGraph(w, gErr(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred.").resp(reqID, clientReqID, now))
			return
		}
		b, _ := json.Marshal(resp.body)
		s.resetConnection(w, append(b, bytes.Repeat([]byte(" "), 64)...))
		return
	}
	s.writeGraph(w, resp)
}

func (s *Server) writeGraph(w http.ResponseWriter, resp gResp) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	b, err := json.Marshal(resp.body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if resp.text {
		h.Set("Content-Type", "text/plain")
		w.WriteHeader(resp.status)
		fmt.Fprint(w, resp.body)
		return
	}
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("OData-Version", "4.0")
	w.WriteHeader(resp.status)
	w.Write(b)
}

// injectGraphFault answers with fault f in Graph's shapes.
func (s *Server) injectGraphFault(w http.ResponseWriter, r *http.Request, f *Fault, reqID, clientReqID string) {
	s.stats.fault(f.Kind)
	now := s.now()
	if e := s.graphFaultError(f.Kind); e != nil {
		s.writeGraph(w, e.resp(reqID, clientReqID, now))
		return
	}
	switch f.Kind {
	case FaultHTML:
		status := http.StatusServiceUnavailable
		if s.coinFlip() {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, http.StatusText(status), http.StatusText(status))
	case FaultTruncate, FaultReset:
		body, _ := json.Marshal(object{{"@odata.context", graphBase(r.Host) + "/$metadata#directoryObjects"}, {"value", []object{{{"id", newGUID()}, {"padding", strings.Repeat(".", 64)}}}}})
		if f.Kind == FaultReset {
			s.resetConnection(w, body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
	}
}

// graphAuthenticate checks the bearer token: signed by this tenant, in its
// lifetime, for Graph, and issued for this tenant; everything else is 401.
func (s *Server) graphAuthenticate(r *http.Request) (*tokenClaims, *gError) {
	var (
		claims *tokenClaims
		ge     *gError
	)
	unauth := func(msg string) *gError {
		return gErr(http.StatusUnauthorized, "InvalidAuthenticationToken", "%s", msg)
	}
	err := s.store.read(func(st *state) error {
		authz := r.Header.Get("Authorization")
		scheme, tok, _ := strings.Cut(authz, " ")
		if authz == "" || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			ge = unauth("Access token is empty.")
			return nil
		}
		key, err := base64.StdEncoding.DecodeString(st.TokenSigningKey)
		if err != nil {
			ge = unauth("The tenant's signing key is unreadable.")
			return nil
		}
		c, err := verifyJWT(key, strings.TrimSpace(tok))
		if err != nil {
			ge = unauth("Access token validation failure. Invalid audience or signature: " + err.Error() + ".")
			return nil
		}
		now := s.now()
		const skew = 5 * time.Minute
		switch {
		case now.After(time.Unix(c.Exp, 0).Add(skew)):
			ge = unauth("Lifetime validation failed, the token is expired.")
		case now.Add(skew).Before(time.Unix(c.Nbf, 0)):
			ge = unauth("Lifetime validation failed, the token is not yet valid.")
		case c.Aud != graphResource && c.Aud != graphResource+"/" && c.Aud != graphResourceApp:
			ge = unauth("Access token validation failure. Invalid audience.")
		case c.TID != st.Tenant.ID:
			ge = unauth("Access token validation failure. The token was issued for another tenant.")
		default:
			claims = c
		}
		return nil
	})
	if err != nil {
		return nil, gErr(http.StatusInternalServerError, "InternalServerError", "The simulated tenant could not read its state: %v", err)
	}
	return claims, ge
}

// gReq is one Graph request (a top-level one or a $batch item).
type gReq struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
	claims       *tokenClaims
	host         string
	reqID        string
	clientReqID  string
}

// gCtx runs one request under the store lock.
type gCtx struct {
	*gReq
	s       *Server
	st      *state
	g       *graphState
	now     time.Time
	changed bool
	// countOnly is set for a ".../$count" path: list answers the count.
	countOnly bool
}

func (x *gCtx) lag() time.Duration { return x.s.lagDelay() }

func (x *gCtx) base() string { return graphBase(x.host) }

// need answers 403 unless the token holds one of the roles.
func (x *gCtx) need(roles ...string) *gError { return x.needAll(roles) }

// needAll answers 403 unless the token holds one role of every group: a
// permission table's "A and B" is needAll([A…], [B…]). A refusal is counted
// as a denied write or read (Stats).
func (x *gCtx) needAll(groups ...[]string) *gError {
	for _, g := range groups {
		if !slices.ContainsFunc(g, func(r string) bool { return slices.Contains(x.claims.Roles, r) }) {
			x.s.stats.denied(svcGraph, graphWrites(x.method))
			return gDenied()
		}
	}
	return nil
}

// graphWrites reports whether a Graph method changes the tenant. exoform
// reads only with GET; POST actions that read (getByIds) are not simulated.
func graphWrites(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// graphServe runs one request against the state.
func (s *Server) graphServe(r *gReq) gResp {
	now := s.now()
	var resp gResp
	err := s.store.do(now, func(st *state) (bool, error) {
		x := &gCtx{gReq: r, s: s, st: st, g: &st.Graph, now: now}
		out, e := x.route()
		if e != nil {
			resp = e.resp(r.reqID, r.clientReqID, now)
			return false, nil
		}
		resp = out
		return x.changed, nil
	})
	if err != nil {
		return gErr(http.StatusInternalServerError, "InternalServerError", "The simulated tenant could not access its state: %v", err).resp(r.reqID, r.clientReqID, now)
	}
	return resp
}

// pathSegments splits a Graph path, keeping "(appId='…')" keys with their
// segment even when the quoted value holds a slash.
func pathSegments(p string) []string {
	var out []string
	cur := strings.Builder{}
	inQuote := false
	for _, c := range strings.Trim(p, "/") {
		switch {
		case c == '\'':
			inQuote = !inQuote
			cur.WriteRune(c)
		case c == '/' && !inQuote:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// alternateKey splits "applications(appId='x')" into "applications", "appId", "x".
func alternateKey(seg string) (name, key, val string, ok bool) {
	i := strings.IndexByte(seg, '(')
	if i < 0 || !strings.HasSuffix(seg, ")") {
		return seg, "", "", false
	}
	inner := seg[i+1 : len(seg)-1]
	k, v, found := strings.Cut(inner, "=")
	if !found {
		// applications('id')
		return seg[:i], "id", strings.ReplaceAll(strings.Trim(inner, "'"), "''", "'"), true
	}
	return seg[:i], strings.TrimSpace(k), strings.ReplaceAll(strings.Trim(strings.TrimSpace(v), "'"), "''", "'"), true
}

// decodeBody decodes a JSON object body into its properties.
func (x *gCtx) decodeBody() (map[string]json.RawMessage, *gError) {
	m := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(x.body)) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(x.body, &m); err != nil {
		return nil, gBadRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	return m, nil
}

// applyProps sets the allowed properties of body onto obj (a pointer to a
// record with Graph json names). Unknown properties and mistyped values are 400.
func applyProps[T any](obj *T, body map[string]json.RawMessage, typeName string, allowed ...string) (*T, *gError) {
	cur, _ := json.Marshal(obj)
	m := map[string]json.RawMessage{}
	json.Unmarshal(cur, &m)
	for k, v := range body {
		if strings.HasPrefix(k, "@odata.") {
			continue
		}
		idx := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, k) })
		if idx < 0 {
			if _, known := m[k]; known {
				return nil, gBadRequest("Property '%s' is read-only and cannot be set.", k)
			}
			return nil, gBadRequest("Property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.", k, typeName)
		}
		m[allowed[idx]] = v
	}
	b, _ := json.Marshal(m)
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, gBadRequest("Invalid value for a property of type 'microsoft.graph.%s': %v", typeName, err)
	}
	return &out, nil
}

// toMap renders a record as a JSON object map (Graph property names).
func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	json.Unmarshal(b, &m)
	return m
}

// entity answers one object with its @odata.context.
func (x *gCtx) entity(status int, contextPath string, v any) (gResp, *gError) {
	m := toMap(v)
	sel, e := parseGraphSelect(x.query.Get("$select"))
	if e != nil {
		return gResp{}, e
	}
	m = applySelect(m, sel)
	m["@odata.context"] = x.base() + "/$metadata#" + contextPath
	return gResp{status: status, body: m}, nil
}

func noContent() (gResp, *gError) { return gResp{status: http.StatusNoContent}, nil }

func parseGraphSelect(v string) ([]string, *gError) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func applySelect(m map[string]any, sel []string) map[string]any {
	if sel == nil {
		return m
	}
	out := map[string]any{}
	for _, k := range sel {
		for mk, mv := range m {
			if strings.EqualFold(mk, k) {
				out[mk] = mv
			}
		}
	}
	return out
}

// gFilter is a parsed $filter: a conjunction of "prop eq value",
// "prop in ('a','b')", "startswith(prop,'value')" and "endswith(prop,'value')"
// terms; endswith is an advanced query (ConsistencyLevel: eventual and
// $count=true, checked by list).
type gFilter []gTerm

type gTerm struct {
	prop  string
	op    string // eq, in, startswith, endswith
	value any    // string, bool or nil
}

func parseGraphFilter(f string, resource string, allowed ...string) (gFilter, *gError) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	unsupported := func(prop string) *gError {
		return gErr(http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, resource)
	}
	invalid := func() *gError {
		return gErr(http.StatusBadRequest, "BadRequest", "Invalid filter clause: the simulated tenant supports \"property eq 'value'\", \"property in ('a','b')\", \"startswith(property,'value')\" and \"endswith(property,'value')\" joined by \"and\".")
	}
	var out gFilter
	rest := f
	readString := func() (string, bool) {
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, "'") {
			return "", false
		}
		var b strings.Builder
		i := 1
		for i < len(rest) {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				rest = rest[i+1:]
				return b.String(), true
			}
			b.WriteByte(rest[i])
			i++
		}
		return "", false
	}
	checkProp := func(p string) (string, *gError) {
		for _, a := range allowed {
			if strings.EqualFold(a, p) {
				return a, nil
			}
		}
		return "", unsupported(p)
	}
	for {
		rest = strings.TrimLeft(rest, " ")
		var t gTerm
		low := strings.ToLower(rest)
		if fn, ok := cutFunc(low); ok {
			rest = rest[len(fn)+1:]
			p, r, ok := strings.Cut(rest, ",")
			if !ok {
				return nil, invalid()
			}
			prop, e := checkProp(strings.TrimSpace(p))
			if e != nil {
				return nil, e
			}
			rest = r
			v, ok := readString()
			if !ok {
				return nil, invalid()
			}
			rest = strings.TrimLeft(rest, " ")
			if !strings.HasPrefix(rest, ")") {
				return nil, invalid()
			}
			rest = rest[1:]
			t = gTerm{prop: prop, op: fn, value: v}
		} else {
			fields := strings.SplitN(rest, " ", 3)
			if len(fields) < 3 {
				return nil, invalid()
			}
			prop, e := checkProp(fields[0])
			if e != nil {
				return nil, e
			}
			if strings.EqualFold(fields[1], "in") {
				rest = strings.TrimLeft(fields[2], " ")
				if !strings.HasPrefix(rest, "(") {
					return nil, invalid()
				}
				rest = rest[1:]
				var vals []string
				for {
					v, ok := readString()
					if !ok {
						return nil, invalid()
					}
					vals = append(vals, v)
					rest = strings.TrimLeft(rest, " ")
					if strings.HasPrefix(rest, ")") {
						rest = rest[1:]
						break
					}
					if !strings.HasPrefix(rest, ",") {
						return nil, invalid()
					}
					rest = rest[1:]
				}
				if len(vals) > 15 {
					return nil, gBadRequest("Too many child clauses specified in search filter expression containing 'OR' operators: %d. Max allowed: 15.", len(vals))
				}
				out = append(out, gTerm{prop: prop, op: "in", value: vals})
				goto next
			}
			if !strings.EqualFold(fields[1], "eq") {
				return nil, unsupported(fields[0])
			}
			rest = fields[2]
			t = gTerm{prop: prop, op: "eq"}
			if v, ok := readString(); ok {
				t.value = v
			} else {
				word, r, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
				rest = " " + r
				switch strings.ToLower(word) {
				case "true":
					t.value = true
				case "false":
					t.value = false
				case "null":
					t.value = nil
				default:
					if g, ok := parseGUID(word); ok {
						t.value = g
					} else {
						return nil, invalid()
					}
				}
			}
		}
		out = append(out, t)
	next:
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return out, nil
		}
		if !strings.HasPrefix(strings.ToLower(rest), "and ") {
			return nil, invalid()
		}
		rest = rest[4:]
	}
}

func (f gFilter) match(m map[string]any) bool {
	for _, t := range f {
		v := m[t.prop]
		switch t.op {
		case "startswith", "endswith":
			s, _ := v.(string)
			has := strings.HasPrefix
			if t.op == "endswith" {
				has = strings.HasSuffix
			}
			if !has(strings.ToLower(s), strings.ToLower(t.value.(string))) {
				return false
			}
		case "in":
			s, _ := v.(string)
			if !slices.ContainsFunc(t.value.([]string), func(w string) bool { return strings.EqualFold(w, s) }) {
				return false
			}
		default:
			switch want := t.value.(type) {
			case string:
				s, ok := v.(string)
				if !ok || !strings.EqualFold(s, want) {
					return false
				}
			default:
				if v != want {
					return false
				}
			}
		}
	}
	return true
}

// list answers a collection: $filter (on the allowed properties), $top
// (1–999, default 100), $skiptoken paging with an absolute @odata.nextLink,
// $select and $count.
func (x *gCtx) list(contextPath, resource string, items []any, filterable ...string) (gResp, *gError) {
	filter, e := parseGraphFilter(x.query.Get("$filter"), resource, filterable...)
	if e != nil {
		return gResp{}, e
	}
	eventual := strings.EqualFold(x.header.Get("ConsistencyLevel"), "eventual")
	for _, t := range filter {
		if t.op == "endswith" && (!eventual || !strings.EqualFold(x.query.Get("$count"), "true")) {
			return gResp{}, gErr(http.StatusBadRequest, "Request_UnsupportedQuery", "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual.")
		}
	}
	sel, e := parseGraphSelect(x.query.Get("$select"))
	if e != nil {
		return gResp{}, e
	}
	top := 100
	if v := x.query.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			return gResp{}, gErr(http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v)
		}
		top = n
	}
	offset := 0
	if tok := x.query.Get("$skiptoken"); tok != "" {
		t, ok := decodeSkipToken(tok)
		if !ok || t.Cmdlet != resource {
			return gResp{}, gBadRequest("The specified page token value has expired or is invalid.")
		}
		offset = t.Offset
	}
	var matched []map[string]any
	for _, it := range items {
		m := toMap(it)
		if filter.match(m) {
			matched = append(matched, m)
		}
	}
	if x.countOnly {
		if !eventual {
			return gResp{}, gErr(http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
		}
		return gResp{status: http.StatusOK, body: len(matched), text: true}, nil
	}
	if offset > len(matched) {
		offset = len(matched)
	}
	end := min(offset+top, len(matched))
	page := make([]map[string]any, 0, end-offset)
	for _, m := range matched[offset:end] {
		page = append(page, applySelect(m, sel))
	}
	env := object{{"@odata.context", x.base() + "/$metadata#" + contextPath}}
	if strings.EqualFold(x.query.Get("$count"), "true") && offset == 0 {
		env = append(env, field{"@odata.count", len(matched)})
	}
	if end < len(matched) {
		q := url.Values{}
		for k, v := range x.query {
			if k != "$skiptoken" {
				q[k] = v
			}
		}
		q.Set("$skiptoken", encodeSkipToken(skipToken{Cmdlet: resource, Offset: end}))
		env = append(env, field{"@odata.nextLink", x.base() + "/" + strings.Trim(x.path, "/") + "?" + q.Encode()})
	}
	env = append(env, field{"value", page})
	return gResp{status: http.StatusOK, body: env}, nil
}

// graphBatch runs a JSON batch (wire-formats C10): at most 20 requests with
// unique ids; dependsOn orders them, and a failed dependency gives 424.
func (s *Server) graphBatch(r *gReq) gResp {
	now := s.now()
	bad := func(format string, args ...any) gResp {
		return gBadRequest(format, args...).resp(r.reqID, r.clientReqID, now)
	}
	if r.method != http.MethodPost {
		return gErr(http.StatusMethodNotAllowed, "Request_BadRequest", "$batch takes POST.").resp(r.reqID, r.clientReqID, now)
	}
	var req struct {
		Requests []struct {
			ID        string            `json:"id"`
			Method    string            `json:"method"`
			URL       string            `json:"url"`
			Headers   map[string]string `json:"headers"`
			Body      json.RawMessage   `json:"body"`
			DependsOn []string          `json:"dependsOn"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(r.body, &req); err != nil {
		return bad("Unable to read the batch request: %v", err)
	}
	if len(req.Requests) == 0 {
		return bad("The batch request has no requests.")
	}
	if len(req.Requests) > 20 {
		return bad("Number of requests in the batch exceeds the limit of 20.")
	}
	seen := map[string]bool{}
	for _, it := range req.Requests {
		id := strings.ToLower(it.ID)
		if id == "" || seen[id] {
			return bad("Request id '%s' is missing or not unique in the batch.", it.ID)
		}
		seen[id] = true
		for _, d := range it.DependsOn {
			if !seen[strings.ToLower(d)] {
				return bad("Request '%s' depends on '%s', which is not an earlier request of the batch.", it.ID, d)
			}
		}
		if it.Method == "" || it.URL == "" {
			return bad("Request '%s' needs a method and a url.", it.ID)
		}
		if len(it.Body) > 0 && string(it.Body) != "null" {
			ct := ""
			for k, v := range it.Headers {
				if strings.EqualFold(k, "Content-Type") {
					ct = v
				}
			}
			if ct == "" {
				return bad("Write request id : %s does not contain Content-Type header or body.", it.ID)
			}
		}
	}
	status := map[string]int{}
	var out []object
	for _, it := range req.Requests {
		id := it.ID
		if graphWrites(it.Method) {
			s.stats.write(svcGraph)
		}
		resp := gResp{}
		failedDep := false
		for _, d := range it.DependsOn {
			if st := status[strings.ToLower(d)]; st >= 400 {
				failedDep = true
			}
		}
		if failedDep {
			resp = gErr(http.StatusFailedDependency, "FailedDependency", "The request depends on a request that failed.").resp(r.reqID, r.clientReqID, now)
		} else {
			u, err := url.Parse(strings.TrimPrefix(strings.TrimPrefix(it.URL, "https://"+r.host+"/graph/v1.0"), "/v1.0"))
			if err != nil || strings.Contains(strings.ToLower(u.Path), "$batch") {
				resp = gBadRequest("Invalid request URL '%s'.", it.URL).resp(r.reqID, r.clientReqID, now)
			} else {
				hdr := http.Header{}
				for k, v := range it.Headers {
					hdr.Set(k, v)
				}
				body := []byte(nil)
				if len(it.Body) > 0 && string(it.Body) != "null" {
					body = it.Body
				}
				sub := &gReq{method: strings.ToUpper(it.Method), path: u.Path, query: u.Query(), header: hdr, body: body,
					claims: r.claims, host: r.host, reqID: r.reqID, clientReqID: r.clientReqID}
				// Each item is throttled on its own (C10): status faults
				// hit items; the transport-level kinds only hit the
				// batch as a whole.
				f := s.pickFault(&cmdlet{name: "Graph " + sub.method, write: sub.method != http.MethodGet})
				var fe *gError
				if f != nil {
					fe = s.graphFaultError(f.Kind)
				}
				if fe != nil {
					s.stats.fault(f.Kind)
					resp = fe.resp(r.reqID, r.clientReqID, now)
				} else {
					resp = s.graphServe(sub)
				}
			}
		}
		status[strings.ToLower(id)] = resp.status
		headers := map[string]string{}
		for k, v := range resp.header {
			headers[k] = strings.Join(v, ", ")
		}
		item := object{{"id", id}, {"status", resp.status}}
		if resp.text {
			headers["Content-Type"] = "text/plain"
		} else if resp.body != nil {
			headers["Content-Type"] = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
		}
		item = append(item, field{"headers", headers})
		if resp.body != nil {
			item = append(item, field{"body", resp.body})
		}
		out = append(out, item)
	}
	return gResp{status: http.StatusOK, body: object{{"responses", out}}}
}

// cutFunc reports which filter function a (lower-cased) clause starts with.
func cutFunc(low string) (string, bool) {
	for _, fn := range []string{"startswith", "endswith"} {
		if strings.HasPrefix(low, fn+"(") {
			return fn, true
		}
	}
	return "", false
}

// graphFaultError is the Graph error of a status fault (429, 500, 503,
// 504), or nil for the kinds that are not an error answer.
func (s *Server) graphFaultError(kind string) *gError {
	retry := http.Header{"Retry-After": {strconv.Itoa(int(math.Ceil(s.opts.RetryAfter.Seconds())))}}
	var e *gError
	switch kind {
	case Fault429:
		e = gErr(http.StatusTooManyRequests, "TooManyRequests", "Too many requests are being made. Please try again later.")
		e.header = retry
	case Fault500:
		e = gErr(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred.")
	case Fault503:
		e = gErr(http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.")
		e.header = retry
	case Fault504:
		e = gErr(http.StatusGatewayTimeout, "GatewayTimeout", "The operation timed out.")
	}
	return e
}
