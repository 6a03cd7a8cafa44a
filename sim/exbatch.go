package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// exBatchMax is the most sub-requests an Exchange $batch takes. Microsoft
// documents no limit; CIPP sends 10 per batch (wire-formats A8, A10), and the
// sim refuses more so that a client cannot lean on a larger number.
const exBatchMax = 10

// exBatchItem is one sub-request of an Exchange $batch (wire-formats A10).
type exBatchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// handleExBatch serves POST /adminapi/beta/{tenant}/$batch: up to ten
// InvokeCommand calls in one request. The token is checked once for the
// batch; each item then runs as its own InvokeCommand (RBAC per cmdlet,
// faults per item, one Stats count per cmdlet), concurrently, and answers
// in request order what InvokeCommand would have answered: its
// status and its JSON body (value, warnings and nextLink, or error). The
// batch itself is 200 once it parses, whatever its items answer.
func (s *Server) handleExBatch(w http.ResponseWriter, r *http.Request, tenantSeg string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeExError(w, &exError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed", message: "The HTTP method is not allowed; $batch takes POST.", excType: excInvalidRequest, text: "Use POST."})
		return
	}
	claims, e := s.authenticate(r, tenantSeg)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	items, e := decodeExBatch(w, r)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	// Items run concurrently, as Exchange runs them (so concurrent writes
	// share a save, see store); what can differ between runs is drawn first,
	// in item order.
	preps := make([]*exBatchPrep, len(items))
	for i, it := range items {
		preps[i] = s.prepareExBatchItem(r, claims, tenantSeg, it)
	}
	var wg sync.WaitGroup
	for _, p := range preps {
		if p.req != nil {
			wg.Go(func() { s.serveInvoke(p.rec, p.sub, claims, p.req, &p.pick) })
		}
	}
	wg.Wait()
	out := make([]object, 0, len(items))
	for _, p := range preps {
		out = append(out, p.response())
	}
	b, err := marshalOutput(object{{"responses", out}})
	if err != nil {
		s.writeInternal(w, err)
		return
	}
	setODataHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// decodeExBatch reads and checks a batch: 1 to exBatchMax items, each with
// an id unique in the batch (case-insensitively, as Graph's), method POST and
// an InvokeCommand url. A batch breaking these rules is refused whole (400),
// as Graph refuses a batch with duplicate ids.
func decodeExBatch(w http.ResponseWriter, r *http.Request) ([]exBatchItem, *exError) {
	var req struct {
		Requests []exBatchItem `json:"requests"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		return nil, errBadRequest(excInvalidRequest, "The $batch body must be {\"requests\":[{\"id\",\"method\",\"url\",\"body\"},…]}: %v", err)
	}
	if len(req.Requests) == 0 {
		return nil, errBadRequest(excInvalidRequest, "The $batch request has no requests.")
	}
	if len(req.Requests) > exBatchMax {
		return nil, errBadRequest(excInvalidRequest, "The $batch request has %d requests; at most %d are allowed in one batch.", len(req.Requests), exBatchMax)
	}
	seen := map[string]bool{}
	for _, it := range req.Requests {
		id := strings.ToLower(it.ID)
		if id == "" || seen[id] {
			return nil, errBadRequest(excInvalidRequest, "Request id '%s' is missing or not unique in the $batch.", it.ID)
		}
		seen[id] = true
		if !strings.EqualFold(it.Method, http.MethodPost) {
			return nil, errBadRequest(excInvalidRequest, "Request '%s' has method '%s'; $batch items are InvokeCommand calls, which take POST.", it.ID, it.Method)
		}
	}
	return req.Requests, nil
}

// exBatchPrep is one item made ready to run: its InvokeCommand request and
// the fault drawn for it, or (req nil) the error it already answers.
type exBatchPrep struct {
	id   string
	rec  *itemRecorder
	sub  *http.Request
	req  *invokeRequest
	pick batchPick
}

// prepareExBatchItem decodes an item into an InvokeCommand request and draws
// its fault, as InvokeCommand would for that cmdlet and token.
func (s *Server) prepareExBatchItem(outer *http.Request, claims *tokenClaims, tenantSeg string, it exBatchItem) *exBatchPrep {
	p := &exBatchPrep{id: it.ID, rec: &itemRecorder{header: http.Header{}}}
	sub, e := exBatchRequest(outer, tenantSeg, it)
	if e != nil {
		s.writeExError(p.rec, e)
		return p
	}
	req, e := decodeInvoke(p.rec, sub)
	if e != nil {
		s.writeExError(p.rec, e)
		return p
	}
	p.sub, p.req = sub, req
	if c := lookupCmdlet(req.CmdletInput.CmdletName); c != nil {
		if ok, _ := canRun(claims, c); ok {
			if f := s.pickFault(c); f != nil && batchFault(f.Kind) {
				p.pick.fault = f
			}
		}
	}
	return p
}

// response is the item's entry in the batch answer: {"id","status",
// "headers"?,"body"}.
func (p *exBatchPrep) response() object {
	rec := p.rec
	item := object{{"id", p.id}, {"status", rec.status}}
	headers := map[string]string{}
	for _, k := range []string{"Retry-After", "Preference-Applied"} {
		if v := rec.header.Get(k); v != "" {
			headers[k] = v
		}
	}
	if len(headers) > 0 {
		item = append(item, field{"headers", headers})
	}
	if json.Valid(rec.body.Bytes()) {
		item = append(item, field{"body", json.RawMessage(rec.body.Bytes())})
	} else {
		// The 429 fault's plain-text body: keep its text where clients
		// look for the throttling message (wire-formats A8).
		item = append(item, field{"body", object{{"error", object{{"code", "TooManyRequests"}, {"message", rec.body.String()}}}}})
	}
	return item
}

// exBatchRequest makes the InvokeCommand request an item stands for. Its url
// is absolute (CIPP) or relative to the host; it must name InvokeCommand of
// the batch's tenant, and may carry $select and a nextLink's $skiptoken.
// Item headers (Prefer, X-AnchorMailbox, …) apply to the item; the batch's
// own Prefer applies where the item has none.
func exBatchRequest(outer *http.Request, tenantSeg string, it exBatchItem) (*http.Request, *exError) {
	u, err := url.Parse(it.URL)
	seg := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if err != nil || len(seg) != 4 || !strings.EqualFold(seg[0], "adminapi") || !strings.EqualFold(seg[1], "beta") ||
		!strings.EqualFold(seg[2], tenantSeg) || !strings.EqualFold(seg[3], "InvokeCommand") {
		return nil, errBadRequest(excInvalidRequest, "Request '%s' has url '%s'; $batch items must call %s/adminapi/beta/%s/InvokeCommand.", it.ID, it.URL, "https://"+outer.Host, tenantSeg)
	}
	body := []byte(it.Body)
	if len(body) == 0 {
		body = []byte("null")
	}
	sub, err := http.NewRequestWithContext(outer.Context(), http.MethodPost, "https://"+outer.Host+u.Path+"?"+u.RawQuery, bytes.NewReader(body))
	if err != nil {
		return nil, errBadRequest(excInvalidRequest, "Request '%s' has url '%s': %v", it.ID, it.URL, err)
	}
	sub.Host = outer.Host
	for k, v := range it.Headers {
		sub.Header.Set(k, v)
	}
	if sub.Header.Get("Prefer") == "" && sub.Header.Get("X-Prefer") == "" {
		for _, k := range []string{"Prefer", "X-Prefer"} {
			if v := outer.Header.Values(k); len(v) > 0 {
				sub.Header[k] = v
			}
		}
	}
	return sub, nil
}

// itemRecorder collects one item's answer; a batch item cannot be hijacked,
// so serveInvoke never resets it (batchFault).
type itemRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *itemRecorder) Header() http.Header { return r.header }

func (r *itemRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *itemRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// errUnknownCmdlet answers a batch item naming a cmdlet the sim does not
// simulate. Exchange answers such a top-level call with 403 and a body that
// is not JSON (writeUnknownCmdlet); a batch item's body must be JSON, so the
// sim sends the 403 with a CmdletAccessDeniedException naming the cmdlet.
func errUnknownCmdlet(name string) *exError {
	return &exError{status: http.StatusForbidden, code: "Forbidden", message: "Error executing cmdlet", excType: excAccessDenied,
		text: "The term '" + name + "' is not recognized as a cmdlet the simulated tenant serves; simulated cmdlets: " + strings.Join(cmdletNames(), ", ")}
}
