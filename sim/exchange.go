package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// odataContentType is the Content-Type Exchange sends on InvokeCommand
// responses (wire-formats A6).
const odataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// invokeRequest is the InvokeCommand body (wire-formats A4).
type invokeRequest struct {
	CmdletInput struct {
		CmdletName string                     `json:"CmdletName"`
		Parameters map[string]json.RawMessage `json:"Parameters"`
	} `json:"CmdletInput"`
}

// handleInvoke serves POST /adminapi/beta/{tenant}/InvokeCommand: check the
// token, decode the cmdlet call, and answer it (serveInvoke).
func (s *Server) handleInvoke(w http.ResponseWriter, r *http.Request, tenantSeg string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeExError(w, &exError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed", message: "The HTTP method is not allowed; InvokeCommand takes POST.", excType: excInvalidRequest, text: "Use POST."})
		return
	}
	claims, e := s.authenticate(r, tenantSeg)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	req, e := decodeInvoke(w, r)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	s.serveInvoke(w, r, claims, req, nil)
}

// batchPick is what a $batch decided for one of its items before running
// them concurrently: the fault drawn for it, in item order, so that a run is
// reproducible for a seed whatever order the items finish in.
type batchPick struct{ fault *Fault }

// serveInvoke runs one authenticated cmdlet call, from the wire (pick nil)
// or as an item of an Exchange $batch: maybe inject a fault, run the cmdlet
// under the store lock, and answer one page of its output. A batch item
// takes only the faults that are an answer (429, 500, 503, 504, and lost as
// a 500): a connection cannot be reset for one item.
func (s *Server) serveInvoke(w http.ResponseWriter, r *http.Request, claims *tokenClaims, req *invokeRequest, pick *batchPick) {
	inBatch := pick != nil
	c := lookupCmdlet(req.CmdletInput.CmdletName)
	if c == nil {
		s.stats.request(req.CmdletInput.CmdletName)
		if inBatch {
			s.writeExError(w, errUnknownCmdlet(req.CmdletInput.CmdletName))
			return
		}
		s.writeUnknownCmdlet(w, req.CmdletInput.CmdletName)
		return
	}
	s.stats.request(c.name)
	if ok, e := canRun(claims, c); !ok {
		s.stats.denied(svcExchange, c.write)
		s.writeExError(w, e)
		return
	}
	var fault *Fault
	if inBatch {
		fault = pick.fault
	} else {
		fault = s.pickFault(c)
	}
	if fault != nil && fault.Kind == FaultStall && !c.write {
		s.stall(w, r)
		return
	}
	if fault != nil && fault.Kind != FaultLost && fault.Kind != FaultStall {
		s.injectFault(w, r, fault, c)
		return
	}
	p, e := bindParams(c.params, req.CmdletInput.Parameters)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	tok, e := pageToken(r, c)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	digest := paramsDigest(req.CmdletInput.Parameters)
	if tok.Listing != "" && !c.write {
		if res := s.store.pages.get(tok.Listing, c.name, digest, s.now()); res != nil {
			s.writePage(w, r, c, res, tok, digest)
			return
		}
	}
	res, e := s.run(c, p)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	if fault != nil && fault.Kind == FaultStall { // the write happened; no answer comes
		s.stall(w, r)
		return
	}
	if fault != nil { // lost: the write happened, the answer does not arrive
		if inBatch {
			s.stats.fault(FaultLost)
			s.writeExError(w, transientError(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred. The operation failed, please try again."))
			return
		}
		s.serveLost(w, r, c)
		return
	}
	tok.Listing = ""
	s.writePage(w, r, c, res, tok, digest)
}

// batchFault reports whether a fault kind can hit a $batch item.
func batchFault(kind string) bool {
	switch kind {
	case Fault429, Fault500, Fault503, Fault504, FaultLost:
		return true
	}
	return false
}

// authenticate checks the bearer token against the current state (which
// another process may have reset).
func (s *Server) authenticate(r *http.Request, tenantSeg string) (*tokenClaims, *exError) {
	var (
		claims  *tokenClaims
		authErr *exError
	)
	if err := s.store.read(func(st *state) error {
		claims, authErr = s.authorize(r, st, tenantSeg)
		return nil
	}); err != nil {
		return nil, internalError(err)
	}
	return claims, authErr
}

func decodeInvoke(w http.ResponseWriter, r *http.Request) (*invokeRequest, *exError) {
	var req invokeRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || req.CmdletInput.CmdletName == "" {
		return nil, errBadRequest(excInvalidRequest, "The request body must be {\"CmdletInput\":{\"CmdletName\":…,\"Parameters\":{…}}}: %v", orMissing(err))
	}
	return &req, nil
}

// pageToken reads the $skiptoken of a nextLink request (the zero token for
// a first page).
func pageToken(r *http.Request, c *cmdlet) (skipToken, *exError) {
	v := r.URL.Query().Get("$skiptoken")
	if v == "" {
		return skipToken{}, nil
	}
	t, ok := decodeSkipToken(v)
	if !ok || !strings.EqualFold(t.Cmdlet, c.name) {
		return skipToken{}, errBadRequest(excInvalidRequest, "The $skiptoken is not valid for this request. Re-POST the original body to the @odata.nextLink unchanged.")
	}
	return t, nil
}

// run executes a cmdlet under the store lock.
func (s *Server) run(c *cmdlet, p params) (*cmdResult, *exError) {
	now := s.now()
	var (
		res    *cmdResult
		cmdErr *exError
	)
	err := s.store.do(now, func(st *state) (bool, error) {
		x := &cmdContext{st: st, now: now, lag: s.lagDelay}
		res, cmdErr = c.run(x, p)
		st.keepMailboxIndex = keepsMailboxIdentities[c.name]
		if cmdErr != nil {
			return x.changed, cmdErr
		}
		return x.changed, nil
	})
	if cmdErr != nil {
		return nil, cmdErr
	}
	if err != nil {
		return nil, internalError(err)
	}
	return res, nil
}

// keepsMailboxIdentities are the writes that never add, remove or rename a mailbox or change
// its addresses, so the store keeps the mailbox identity index after them: an apply of 1,000
// Set-CASMailbox at a 55,000-mailbox tenant would otherwise rebuild it 1,000 times. Any other
// write drops it (see store.do).
var keepsMailboxIdentities = map[string]bool{
	"Set-CASMailbox": true, "Add-MailboxPermission": true, "Remove-MailboxPermission": true,
	"Add-RecipientPermission": true, "Remove-RecipientPermission": true,
}

// writePage answers the page of res that tok points at, with a nextLink to
// the same URL (and $select) when more remain. A first page of several, or a
// page of a listing this process no longer keeps (tok.Listing ""), keeps the
// listing in the page cache for the pages that follow; the last page drops
// it. Only the page's objects are rendered.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, c *cmdlet, res *cmdResult, tok skipToken, digest string) {
	size, asked := pageSize(r.Header)
	total := res.len()
	skip := min(tok.Offset, total)
	end := min(skip+size, total)
	listing := tok.Listing
	switch {
	case end < total && listing == "":
		listing = s.store.pages.put(c.name, digest, res, s.now())
	case end >= total && listing != "":
		s.store.pages.drop(listing)
	}
	sel := parseSelect(r.URL.Query().Get("$select"))
	var page []object
	if res.render == nil {
		page = res.page(nil, skip, end)
	} else {
		now := s.now()
		if err := s.store.read(func(st *state) error {
			page = res.page(&cmdContext{st: st, now: now}, skip, end)
			return nil
		}); err != nil {
			s.writeInternal(w, err)
			return
		}
	}
	if sel != nil {
		for i, o := range page {
			page[i] = selectFields(o, sel)
		}
	}
	if page == nil {
		page = []object{}
	}
	warnings := res.warnings
	if warnings == nil || skip > 0 {
		warnings = []string{}
	}
	env := object{
		{"@odata.context", contextURL(r)},
		{"adminapi.warnings@odata.type", "#Collection(String)"},
		{"@adminapi.warnings", warnings},
		{"value", page},
	}
	if end < total {
		q := url.Values{}
		if v := r.URL.Query().Get("$select"); v != "" {
			q.Set("$select", v)
		}
		q.Set("$skiptoken", encodeSkipToken(skipToken{Cmdlet: c.name, Offset: end, Listing: listing}))
		env = append(env, field{"@odata.nextLink", "https://" + r.Host + r.URL.Path + "?" + q.Encode()})
	}
	h := w.Header()
	setODataHeaders(h)
	if asked {
		h.Set("Preference-Applied", fmt.Sprintf("odata.maxpagesize=%d", size))
	}
	b, err := marshalOutput(env)
	if err != nil {
		s.writeInternal(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func contextURL(r *http.Request) string {
	base := strings.TrimSuffix(r.URL.Path, "/InvokeCommand")
	return "https://" + r.Host + base + "/$metadata#Collection(Exchange.GenericHashTable)"
}

func parseSelect(v string) map[string]bool {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	m := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			m[strings.ToLower(p)] = true
		}
	}
	return m
}

func setODataHeaders(h http.Header) {
	h.Set("Content-Type", odataContentType)
	h.Set("OData-Version", "4.0")
}

func (s *Server) writeExError(w http.ResponseWriter, e *exError) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = v
	}
	setODataHeaders(h)
	b, _ := json.Marshal(e.body())
	w.WriteHeader(e.status)
	w.Write(b)
}

func (s *Server) writeInternal(w http.ResponseWriter, err error) {
	s.writeExError(w, internalError(err))
}

// internalError reports a failure of the sim itself (its state file), not
// of the cmdlet.
func internalError(err error) *exError {
	return &exError{status: http.StatusInternalServerError, code: "InternalServerError", message: "Error executing cmdlet", excType: excTransient, text: "The simulated tenant could not access its state: " + err.Error()}
}

// writeUnknownCmdlet reproduces what Exchange does for a cmdlet it does not
// know: 403 with a body of NUL bytes labelled gzip that is not gzip
// (wire-formats A7). The X-Sim-Error header is the sim's own, to save a
// developer the puzzle.
func (s *Server) writeUnknownCmdlet(w http.ResponseWriter, name string) {
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Set("X-Sim-Error", fmt.Sprintf("cmdlet %q is not simulated; simulated cmdlets: %s", name, strings.Join(cmdletNames(), ", ")))
	w.WriteHeader(http.StatusForbidden)
	w.Write(make([]byte, 10))
}

func orMissing(err error) any {
	if err == nil {
		return "CmdletInput.CmdletName is missing"
	}
	return err
}
