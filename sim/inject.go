package sim

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// injectFault answers a request with fault f instead of running the cmdlet
// (only "lost" runs it, see serveLost). Each shape is what a client meets in
// the wild: throttling, gateway errors, HTML error pages from a front end,
// dropped connections, and bodies cut short.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, f *Fault, c *cmdlet) {
	s.stats.fault(f.Kind)
	switch f.Kind {
	case Fault429:
		// The throttling text clients look for, at the start of the body
		// (wire-formats A8).
		s.setRetryAfter(w)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.")
	case Fault500:
		s.writeExError(w, transientError(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred. The operation failed, please try again."))
	case Fault503:
		s.setRetryAfter(w)
		s.writeExError(w, transientError(http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later."))
	case Fault504:
		s.writeExError(w, transientError(http.StatusGatewayTimeout, "GatewayTimeout", "The operation timed out before the server could complete it."))
	case FaultHTML:
		status := http.StatusServiceUnavailable
		if s.coinFlip() {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%s</h1><p>The server encountered an error processing the request. Please try again later.</p><hr><p>Microsoft-IIS/10.0</p></body></html>\n", status, http.StatusText(status), http.StatusText(status))
	case FaultTruncate:
		body := s.plausibleBody(r, c)
		h := w.Header()
		setODataHeaders(h)
		// No Content-Length: the body ends cleanly but is not valid JSON, so
		// the client's decoder, not its transport, must notice.
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
	case FaultReset:
		s.resetConnection(w, s.plausibleBody(r, c))
	}
}

// stall holds a request without an answer for Options.Stall, or until the client gives up
// (its request context ends when it closes the connection), then drops the connection: a
// gateway that timed out a long-running request.
func (s *Server) stall(w http.ResponseWriter, r *http.Request) {
	s.stats.fault(FaultStall)
	t := time.NewTimer(s.opts.Stall)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done(): // the client gave up, or Close closed the connection
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without an answer
}

// serveLost answers a write that did happen as if it had failed.
func (s *Server) serveLost(w http.ResponseWriter, r *http.Request, c *cmdlet) {
	s.stats.fault(FaultLost)
	if s.coinFlip() {
		s.writeExError(w, transientError(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred. The operation failed, please try again."))
		return
	}
	s.resetConnection(w, s.plausibleBody(r, c))
}

func transientError(status int, code, text string) *exError {
	return &exError{status: status, code: code, message: text, excType: excTransient, text: text}
}

func (s *Server) setRetryAfter(w http.ResponseWriter) {
	secs := int(math.Ceil(s.opts.RetryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}

// plausibleBody is a success envelope to cut short: what a client would have
// received had the connection held.
func (s *Server) plausibleBody(r *http.Request, c *cmdlet) []byte {
	env := object{
		{"@odata.context", contextURL(r)},
		{"adminapi.warnings@odata.type", "#Collection(String)"},
		{"@adminapi.warnings", []string{}},
		{"value", []object{{{"CmdletName", c.name}, {"Padding", "................................................................"}}}},
	}
	b, _ := json.Marshal(env)
	return b
}

// resetConnection sends the status line, headers (announcing the full
// length) and half the body, then drops the TCP connection without a TLS
// close_notify, so the client sees a connection reset mid-body.
func (s *Server) resetConnection(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http then closes the connection
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nOData-Version: 4.0\r\nContent-Length: %d\r\n\r\n", odataContentType, len(body))
	buf.Write(body[:len(body)/2])
	buf.Flush()
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0) // RST instead of FIN
	}
	raw.Close()
}
