package httplog

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DefaultMaxBody is how many bytes of each body a trace shows by default.
const DefaultMaxBody = 4096

// Options configures a Transport.
type Options struct {
	// Logf receives the trace: one call per event (a request sent, a response's headers, a
	// response's body, a failure), each a block of lines separated by "\n". It may be called
	// from several goroutines at once. Nil traces nothing.
	Logf func(format string, args ...any)
	// Bodies adds the first MaxBody bytes of every request and response body to the trace.
	Bodies bool
	// MaxBody bounds the bytes of a body shown; default DefaultMaxBody.
	MaxBody int
	// Redactor takes secrets out of everything shown; nil redacts by name and shape only.
	Redactor *Redactor
}

// Transport is an http.RoundTripper that traces every request it passes on.
type Transport struct {
	next http.RoundTripper
	o    Options
	seq  atomic.Int64
}

// New returns a Transport that traces each request and passes it to next (http.DefaultTransport
// when nil).
func New(next http.RoundTripper, o Options) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Redactor == nil {
		o.Redactor = &Redactor{}
	}
	return &Transport{next: next, o: o}
}

// WrapClient returns a copy of hc whose requests are traced. With a nil Logf it returns hc.
func WrapClient(hc *http.Client, o Options) *http.Client {
	if o.Logf == nil {
		return hc
	}
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	c.Transport = New(hc.Transport, o)
	return &c
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.o.Logf == nil {
		return t.next.RoundTrip(req)
	}
	n := t.seq.Add(1)
	red := t.o.Redactor
	pre := fmt.Sprintf("http %d: ", n)

	lines := []string{pre + req.Method + " " + red.URL(req.URL)}
	lines = appendHeaders(lines, pre+"> ", req.Header, red)
	sent := req
	if t.o.Bodies && req.Body != nil && req.Body != http.NoBody {
		var shown []byte
		shown, sent = t.peekRequestBody(req)
		total := int64(len(shown))
		if len(shown) >= t.o.MaxBody {
			// The body may go on: only Content-Length knows (0 means unknown for a body).
			total = -1
			if req.ContentLength > 0 {
				total = req.ContentLength
			}
		}
		lines = append(lines, pre+"> "+t.describeBody(req.Header, shown, total))
	}
	t.emit(lines)

	start := time.Now()
	resp, err := t.next.RoundTrip(sent)
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		t.emit([]string{fmt.Sprintf("%sno response after %s: %s", pre, took, red.Text(printable(err.Error(), false)))})
		return resp, err
	}
	line := fmt.Sprintf("%s< %s in %s", pre, printable(resp.Status, false), took)
	if id := requestID(resp.Header); id != "" {
		line += ", request id " + red.Header("request-id", id)
	}
	lines = appendHeaders([]string{line}, pre+"< ", resp.Header, red)
	t.emit(lines)
	if t.o.Bodies && resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &tracedBody{rc: resp.Body, max: t.o.MaxBody, done: func(shown []byte, total int64, rerr error) {
			d := t.describeBody(resp.Header, shown, total)
			if rerr != nil {
				d += " (reading failed: " + red.Text(printable(rerr.Error(), false)) + ")"
			}
			t.emit([]string{pre + "< " + d})
		}}
	}
	return resp, nil
}

// emit hands one event's lines to Logf in one call, so that they stay together.
func (t *Transport) emit(lines []string) {
	t.o.Logf("%s", strings.Join(lines, "\n"))
}

// appendHeaders adds one line per header value, sorted by name, redacted.
func appendHeaders(lines []string, pre string, h http.Header, red *Redactor) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			lines = append(lines, pre+printable(k, false)+": "+red.Header(k, v))
		}
	}
	return lines
}

// requestID is the id the service gave the request (Graph and Exchange: request-id; Entra:
// x-ms-request-id), for quoting in a support case.
func requestID(h http.Header) string {
	for _, k := range []string{"Request-Id", "X-Ms-Request-Id", "Client-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// peekRequestBody returns the first MaxBody bytes of the request's body and the request to
// send: a clone whose body replays those bytes before the rest. It never uses GetBody to read a
// copy, because azcore's GetBody rewinds and returns the body itself rather than a copy. The
// clone keeps GetBody, so the transport can still rewind the body for a retry.
func (t *Transport) peekRequestBody(req *http.Request) ([]byte, *http.Request) {
	b, err := io.ReadAll(io.LimitReader(req.Body, int64(t.o.MaxBody)))
	c := req.Clone(req.Context())
	var rest io.Reader = req.Body
	if err != nil {
		rest = errReader{err}
	}
	c.Body = readCloser{io.MultiReader(bytes.NewReader(b), rest), req.Body}
	return b, c
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// describeBody says what a body (or its first bytes, shown) holds: its size, and its text with
// secrets redacted; gzip bodies are shown decompressed as far as the bytes go. total is the
// body's length, or -1 when the body was not read to its end.
func (t *Transport) describeBody(h http.Header, shown []byte, total int64) string {
	var size string
	switch {
	case total >= 0 && int64(len(shown)) >= total:
		size = fmt.Sprintf("%d bytes", total)
	case total >= 0:
		size = fmt.Sprintf("first %d of %d bytes", len(shown), total)
	default:
		size = fmt.Sprintf("first %d bytes, not read to the end", len(shown))
	}
	if len(shown) == 0 {
		return "body (" + size + ")"
	}
	text := shown
	if strings.EqualFold(strings.TrimSpace(h.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(shown))
		if err != nil {
			return "body (" + size + ", gzip that does not decompress)"
		}
		// A prefix of a gzip stream decompresses as far as it goes; the error at its end is expected.
		text, _ = io.ReadAll(io.LimitReader(zr, int64(t.o.MaxBody)))
		size += ", gzip"
	}
	if !utf8.Valid(trimPartialRune(text)) {
		return "body (" + size + ", not text)"
	}
	return "body (" + size + "): " + t.o.Redactor.Body(h.Get("Content-Type"), text)
}

// trimPartialRune drops a UTF-8 sequence cut short at the end of a prefix.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if r, _ := utf8.DecodeRune(b[len(b)-i:]); r == utf8.RuneError && !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// tracedBody passes a response body through, keeping its first max bytes, and reports them
// once: at the end of the body, at a read error, or when the client closes it early.
type tracedBody struct {
	rc    io.ReadCloser
	max   int
	buf   []byte
	total int64
	once  sync.Once
	done  func(shown []byte, total int64, err error) // total is -1 when the body was not read to its end
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if keep := b.max - len(b.buf); keep > 0 {
		b.buf = append(b.buf, p[:min(n, keep)]...)
	}
	b.total += int64(n)
	switch {
	case err == io.EOF:
		b.report(true, nil)
	case err != nil:
		b.report(false, err)
	}
	return n, err
}

func (b *tracedBody) Close() error {
	b.report(false, nil)
	return b.rc.Close()
}

func (b *tracedBody) report(complete bool, err error) {
	b.once.Do(func() {
		total := b.total
		if !complete {
			total = -1
		}
		b.done(b.buf, total, err)
	})
}
