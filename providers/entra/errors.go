package entra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/exoform/exoform/providers/internal/wire"
)

// ErrOutcomeUnknown marks a non-idempotent request (POST) that reached Graph but whose result
// could not be read (connection reset after sending, 502/504, an unreadable 2xx). It may or may
// not have taken effect: the caller must read the live state again before retrying.
var ErrOutcomeUnknown = errors.New("the request was sent but its outcome is unknown; read the live state again before retrying")

// ErrReplicationTimeout marks a request that kept failing with replication-delay errors for the
// whole ReplicationWait.
var ErrReplicationTimeout = errors.New("gave up waiting for Entra to replicate a recent change")

// Error is a failed Graph request as reported by Microsoft Graph.
type Error struct {
	Method string // HTTP method of the request, e.g. "POST"
	// Path is the request path relative to /v1.0, with its query (a query carries filters,
	// never secrets), e.g. "/applications?$filter=appId eq '…'".
	Path      string
	Status    int    // HTTP status
	Code      string // error.code, e.g. "Request_ResourceNotFound"
	Message   string // error.message (or a description of an unreadable body)
	RequestID string // innerError.request-id, else the request-id header, else the client-request-id sent
	Date      string // innerError.date
	Details   []ErrorDetail
}

// ErrorDetail is one item of error.details.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target"`
}

// Error names the request: "POST /applications: 400 Request_BadRequest: <message> (request id …)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Method != "" || e.Path != "" {
		b.WriteString(strings.TrimSpace(e.Method + " " + e.Path))
		b.WriteString(": ")
	}
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteByte(' ')
	}
	code := e.Code
	if code == "" && e.Status != 0 {
		code = strings.ReplaceAll(http.StatusText(e.Status), " ", "")
	}
	if code != "" {
		b.WriteString(code)
	}
	b.WriteString(": ")
	msg := e.Message
	if msg == "" {
		msg = "no error message"
	}
	b.WriteString(msg)
	for _, d := range e.Details {
		if d.Message == "" || d.Message == e.Message {
			continue
		}
		b.WriteString("; ")
		if d.Target != "" {
			b.WriteString(d.Target)
			b.WriteString(": ")
		}
		b.WriteString(d.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		if e.Date != "" {
			b.WriteString(", ")
			b.WriteString(e.Date)
		}
		b.WriteByte(')')
	}
	if h := e.permissionHint(); h != "" {
		b.WriteByte('\n')
		b.WriteString(h)
	}
	return b.String()
}

// permissionHint says, for Graph's refusal of the app (403 Authorization_RequestDenied), which
// application permission the request needs and how to grant it; "" for other errors. The
// replication 403 (a backing application not yet in the tenant) is not a missing permission.
func (e *Error) permissionHint() string {
	if e.Status != http.StatusForbidden || !strings.EqualFold(e.Code, "Authorization_RequestDenied") ||
		containsAny(e, []string{"backing application"}) {
		return ""
	}
	need, or, ok := appPermissions(e.Method, e.Path)
	if !ok {
		return "Microsoft Graph refused the app: check the Microsoft Graph application permissions of the app exoform signs in as, and that they have admin consent."
	}
	what := "the application permission " + need[0]
	if len(need) > 1 {
		what = "the application permissions " + strings.Join(need, " and ")
	}
	if len(or) > 0 {
		what += " (or " + strings.Join(or, " or ") + ")"
	}
	return fmt.Sprintf("Microsoft Graph refused the app: to send %s %s it needs %s on Microsoft Graph, with admin consent "+
		"(API permissions > Add a permission > Application permissions, then Grant admin consent; examples/bootstrap declares them).",
		e.Method, scopePattern(e.Path), what)
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsNotFound reports whether Graph answered that the object does not exist (404, or the code
// Request_ResourceNotFound / ResourceNotFound). Only this error means absence.
func IsNotFound(err error) bool {
	e := asError(err)
	if e == nil {
		return false
	}
	return e.Status == http.StatusNotFound || strings.EqualFold(e.Code, "Request_ResourceNotFound") ||
		strings.EqualFold(e.Code, "ResourceNotFound")
}

// IsConflict reports whether the object (or assignment) already exists: a 409, or a message
// such as "Permission being assigned already exists on the object." or "... already exists".
func IsConflict(err error) bool {
	e := asError(err)
	if e == nil {
		return false
	}
	if e.Status == http.StatusConflict {
		return true
	}
	if strings.Contains(strings.ToLower(e.Message), "already exist") {
		return true
	}
	for _, d := range e.Details {
		if strings.Contains(strings.ToLower(d.Message), "already exist") {
			return true
		}
	}
	return false
}

// IsThrottled reports whether err is a throttling refusal that outlasted the retries (429 or 503).
func IsThrottled(err error) bool {
	e := asError(err)
	if e == nil {
		return false
	}
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable
}

// IsOutcomeUnknown reports whether a non-idempotent request may or may not have taken effect
// (see ErrOutcomeUnknown).
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

// IsReplicationDelay reports whether err is an error Entra gives while a recent write has not
// replicated yet: "does not reference a valid application object", "Not a valid reference
// update", NoBackingApplicationObject, "Resource '…' does not exist or one of its queried
// reference-property objects are not present", or a client that gave up waiting
// (ErrReplicationTimeout). A plain 404 is not one: see WithRecentWrite.
func IsReplicationDelay(err error) bool {
	if errors.Is(err, ErrReplicationTimeout) {
		return true
	}
	e := asError(err)
	if e == nil {
		return false
	}
	return alwaysReplication(e) || referencePropertyMissing(e)
}

// Texts that only occur for references to objects created moments ago: retried always.
var alwaysReplicationTexts = []string{
	"does not reference a valid application object",
	"not a valid reference update",
}

func containsAny(e *Error, texts []string) bool {
	msgs := []string{strings.ToLower(e.Message)}
	for _, d := range e.Details {
		msgs = append(msgs, strings.ToLower(d.Message))
	}
	for _, m := range msgs {
		for _, t := range texts {
			if strings.Contains(m, t) {
				return true
			}
		}
	}
	return false
}

func alwaysReplication(e *Error) bool {
	if strings.EqualFold(e.Code, "NoBackingApplicationObject") {
		return true
	}
	return e.Status >= 400 && e.Status < 500 && containsAny(e, alwaysReplicationTexts)
}

func referencePropertyMissing(e *Error) bool {
	return containsAny(e, []string{"one of its queried reference-property objects are not present"})
}

// recentWriteReplication reports errors that mean "not replicated yet" only when the request
// follows a recent write: a 404, the reference-property text, the 403 about a backing
// application not in the local tenant, a 409 on PATCH.
func recentWriteReplication(method string, e *Error) bool {
	switch {
	case IsNotFound(e), referencePropertyMissing(e):
		return true
	case e.Status == http.StatusForbidden && containsAny(e, []string{"backing application"}):
		return true
	case e.Status == http.StatusConflict && method == http.MethodPatch:
		return true
	}
	return false
}

// graphErrorBody is the Graph error envelope. Fields whose shape varies in practice are raw.
type graphErrorBody struct {
	Error *struct {
		Code       string          `json:"code"`
		Message    json.RawMessage `json:"message"`
		InnerError json.RawMessage `json:"innerError"`
		InnerLower json.RawMessage `json:"innererror"`
		Details    json.RawMessage `json:"details"`
	} `json:"error"`
}

type innerError struct {
	RequestID       string `json:"request-id"`
	Date            string `json:"date"`
	ClientRequestID string `json:"client-request-id"`
}

// parseError builds an *Error from a non-2xx response body. header may be nil; sentID is the
// client-request-id sent, used when the server names no request id.
func parseError(method, path string, status int, header http.Header, body []byte, sentID string) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	trimmed := bytes.TrimSpace(body)
	var eb graphErrorBody
	var text string
	switch {
	case len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil && eb.Error != nil:
		e.Code = eb.Error.Code
		e.Message = lenientMessage(eb.Error.Message)
		for _, raw := range []json.RawMessage{eb.Error.InnerError, eb.Error.InnerLower} {
			var ie innerError
			if len(raw) > 0 && json.Unmarshal(raw, &ie) == nil {
				if e.RequestID == "" {
					e.RequestID = ie.RequestID
				}
				if e.Date == "" {
					e.Date = ie.Date
				}
			}
		}
		e.Details = lenientDetails(eb.Error.Details)
		if e.Message == "" {
			for _, d := range e.Details {
				if d.Message != "" {
					e.Message = d.Message
					break
				}
			}
		}
	case len(trimmed) == 0:
		e.Message = "empty response body"
	case trimmed[0] == '"' && json.Unmarshal(trimmed, &text) == nil:
		// A $batch item's body is JSON: a gateway's HTML page arrives as a JSON string. Show
		// the page, not its escapes.
		e.Message = fmt.Sprintf("the response was not a Graph error (HTTP %d, a JSON string): %s", status, wire.Sanitize([]byte(text), 120))
	default:
		e.Message = fmt.Sprintf("the response was not a Graph error (HTTP %d, %s): %s", status,
			contentType(header), wire.Sanitize(trimmed, 120))
	}
	if e.RequestID == "" && header != nil {
		e.RequestID = header.Get("request-id")
	}
	if e.RequestID == "" {
		e.RequestID = sentID
	}
	if e.Date == "" && header != nil && e.Code != "" {
		e.Date = header.Get("Date")
	}
	return e
}

func contentType(h http.Header) string {
	if h == nil || h.Get("Content-Type") == "" {
		return "no content type"
	}
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return wire.Sanitize([]byte(ct), 60)
}

// lenientMessage reads error.message: a string, or sometimes an object with a "value" or
// "message" field.
func lenientMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for _, k := range []string{"value", "message", "Value", "Message"} {
			if v, ok := m[k].(string); ok {
				return v
			}
		}
	}
	return ""
}

// lenientDetails reads error.details: an array of {code, message, target}, or sometimes one object.
func lenientDetails(raw json.RawMessage) []ErrorDetail {
	if len(raw) == 0 {
		return nil
	}
	var arr []ErrorDetail
	if json.Unmarshal(raw, &arr) == nil {
		return arr
	}
	var one ErrorDetail
	if json.Unmarshal(raw, &one) == nil && (one.Code != "" || one.Message != "") {
		return []ErrorDetail{one}
	}
	return nil
}
