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
// token, decode the cmdlet call, maybe inject a fault, run the cmdlet under
// the store lock, and answer one page of its output.
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
	c := lookupCmdlet(req.CmdletInput.CmdletName)
	if c == nil {
		s.stats.request(req.CmdletInput.CmdletName)
		s.writeUnknownCmdlet(w, req.CmdletInput.CmdletName)
		return
	}
	s.stats.request(c.name)
	if ok, e := canRun(claims, c); !ok {
		s.writeExError(w, e)
		return
	}
	fault := s.pickFault(c)
	if fault != nil && fault.Kind != FaultLost {
		s.injectFault(w, r, fault, c)
		return
	}
	p, e := bindParams(c.params, req.CmdletInput.Parameters)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	skip, e := skipOffset(r, c)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	res, e := s.run(c, p)
	if e != nil {
		s.writeExError(w, e)
		return
	}
	if fault != nil { // lost: the write happened, the answer does not arrive
		s.serveLost(w, r, c)
		return
	}
	s.writePage(w, r, c, res, skip)
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

// skipOffset reads the $skiptoken of a nextLink request (0 for a first page).
func skipOffset(r *http.Request, c *cmdlet) (int, *exError) {
	tok := r.URL.Query().Get("$skiptoken")
	if tok == "" {
		return 0, nil
	}
	t, ok := decodeSkipToken(tok)
	if !ok || !strings.EqualFold(t.Cmdlet, c.name) {
		return 0, errBadRequest(excInvalidRequest, "The $skiptoken is not valid for this request. Re-POST the original body to the @odata.nextLink unchanged.")
	}
	return t.Offset, nil
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

// writePage answers one page of res starting at skip, with a nextLink to the
// same URL (and $select) when more remain.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, c *cmdlet, res *cmdResult, skip int) {
	size, asked := pageSize(r.Header)
	all := res.objects
	if skip > len(all) {
		skip = len(all)
	}
	end := min(skip+size, len(all))
	sel := parseSelect(r.URL.Query().Get("$select"))
	page := make([]object, 0, end-skip)
	for _, o := range all[skip:end] {
		page = append(page, selectFields(o, sel))
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
	if end < len(all) {
		q := url.Values{}
		if v := r.URL.Query().Get("$select"); v != "" {
			q.Set("$select", v)
		}
		q.Set("$skiptoken", encodeSkipToken(skipToken{Cmdlet: c.name, Offset: end}))
		env = append(env, field{"@odata.nextLink", "https://" + r.Host + r.URL.Path + "?" + q.Encode()})
	}
	h := w.Header()
	setODataHeaders(h)
	if asked {
		h.Set("Preference-Applied", fmt.Sprintf("odata.maxpagesize=%d", size))
	}
	b, err := json.Marshal(env)
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
