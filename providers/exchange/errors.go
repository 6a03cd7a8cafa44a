package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/exoform/exoform/providers/internal/wire"
)

// ErrOutcomeUnknown marks a write cmdlet whose request reached the server but whose result
// could not be read (connection reset, truncated response, gateway timeout). The cmdlet may or
// may not have run: the caller must read the live object again before deciding to retry.
var ErrOutcomeUnknown = errors.New("the request was sent but its outcome is unknown; read the live state again before retrying")

// Error is a failed InvokeCommand call as reported by Exchange Online.
type Error struct {
	Cmdlet string
	Status int    // HTTP status
	Code   string // error.code, e.g. "NotFound", "BadRequest", "InternalServerError"
	// ErrorID is the Exchange error id from error.details[].message, e.g. "Ex6F9304".
	ErrorID string
	// ExceptionType is the short .NET exception type name, e.g. "ManagementObjectNotFoundException";
	// FullExceptionType is the full name, e.g.
	// "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException".
	ExceptionType     string
	FullExceptionType string
	Message           string // human text
	RequestID         string // the server's request id, else the client-request-id sent
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Cmdlet != "" {
		b.WriteString(e.Cmdlet)
		b.WriteString(": ")
	}
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		code := e.Code
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(e.Status), " ", "")
		}
		if code != "" {
			b.WriteByte(' ')
			b.WriteString(code)
		}
		b.WriteString(": ")
	} else if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	if e.ExceptionType != "" {
		b.WriteString(e.ExceptionType)
		b.WriteString(": ")
	}
	msg := e.Message
	if msg == "" {
		msg = "no error message"
	}
	b.WriteString(msg)
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	if h := e.accessHint(); h != "" {
		b.WriteByte('\n')
		b.WriteString(h)
	}
	return b.String()
}

// accessHint says, for Exchange's refusal of the app (401, 403, CmdletAccessDeniedException),
// what an app needs to run cmdlets; "" for other errors. Exchange's own texts rarely say which
// part is missing ("UnAuthorized", "The role assigned to application … isn't supported in this
// scenario", a body of NUL bytes), so the hint names both the permission and the role.
func (e *Error) accessHint() string {
	if e.Status != http.StatusUnauthorized && !IsAccessDenied(e) {
		return ""
	}
	cmdlet := e.Cmdlet
	if cmdlet == "" {
		cmdlet = "a cmdlet"
	}
	return fmt.Sprintf("Exchange Online refused the app: to run %s it needs the application permission Exchange.ManageAsApp (Office 365 Exchange Online) "+
		"with admin consent, and the Exchange Administrator directory role (Global Reader allows plans only) or a role group whose roles include the cmdlet. "+
		"examples/bootstrap creates such an app.", cmdlet)
}

// IsNotFound reports whether err says the object does not exist
// (ManagementObjectNotFoundException, or a 404 NotFound whose text says so).
func IsNotFound(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.ExceptionType {
	case "ManagementObjectNotFoundException", "MailboxNotFoundException", "RecipientNotFoundException", "ObjectNotFoundException":
		return true
	}
	if e.ExceptionType != "" {
		return false
	}
	if e.Status == http.StatusNotFound && strings.EqualFold(e.Code, "NotFound") {
		m := strings.ToLower(e.Message)
		return strings.Contains(m, "couldn't be found") || strings.Contains(m, "could not be found") ||
			strings.Contains(m, "doesn't exist") || strings.Contains(m, "does not exist") || strings.Contains(m, "not found")
	}
	return false
}

// IsAlreadyExists reports whether err says the object already exists (ADObjectAlreadyExistsException
// or a message containing "already exists").
func IsAlreadyExists(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if strings.HasSuffix(e.ExceptionType, "AlreadyExistsException") {
		return true
	}
	return strings.Contains(strings.ToLower(e.Message), "already exists")
}

// IsOutcomeUnknown reports whether a write may or may not have happened (see ErrOutcomeUnknown).
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

// IsThrottled reports whether err is a throttling refusal that outlasted the retries
// (429, 503, or Exchange's "maximum number of concurrent requests").
func IsThrottled(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable ||
		isConcurrencyLimit([]byte(e.Message))
}

// IsAccessDenied reports whether the caller lacks the right to run the cmdlet (403, or
// CmdletAccessDeniedException).
func IsAccessDenied(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == http.StatusForbidden || e.ExceptionType == "CmdletAccessDeniedException"
}

// concurrencyText is what Exchange answers when a tenant has too many requests in flight.
const concurrencyText = "maximum number of concurrent requests"

func isConcurrencyLimit(body []byte) bool {
	return bytes.Contains(bytes.ToLower(body), []byte(concurrencyText))
}

// errorBody is the OData error envelope of InvokeCommand.
type errorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Code    string `json:"code"`
			Target  string `json:"target"`
			Message string `json:"message"`
		} `json:"details"`
		InnerError *struct {
			Message           string `json:"message"`
			Type              string `json:"type"`
			InternalException *struct {
				Message string `json:"message"`
			} `json:"internalException"`
		} `json:"innererror"`
	} `json:"error"`
}

// parseError builds an *Error from a non-2xx response. header may be nil.
func parseError(cmdlet string, status int, header http.Header, body []byte, requestID string) *Error {
	e := &Error{Cmdlet: cmdlet, Status: status, RequestID: requestID}
	if header != nil {
		for _, k := range []string{"Request-Id", "X-Request-Id", "X-MS-Request-Id"} {
			if v := header.Get(k); v != "" {
				e.RequestID = v
				break
			}
		}
	}
	trimmed := bytes.TrimSpace(body)
	var eb errorBody
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil && eb.Error != nil {
		e.Code = eb.Error.Code
		for _, d := range eb.Error.Details {
			if d.Message == "" {
				continue
			}
			id, typ, text := splitDetail(d.Message)
			e.ErrorID, text = id, strings.TrimSpace(text)
			e.setExceptionType(typ)
			e.Message = text
			break
		}
		if e.Message == "" {
			switch {
			case eb.Error.Message != "":
				e.Message = eb.Error.Message
			case eb.Error.InnerError != nil && eb.Error.InnerError.Message != "":
				e.Message = eb.Error.InnerError.Message
			case eb.Error.InnerError != nil && eb.Error.InnerError.InternalException != nil:
				e.Message = eb.Error.InnerError.InternalException.Message
			}
		}
	} else if status == http.StatusForbidden && blankBody(body) {
		// Exchange answers an unknown (or forbidden) cmdlet with 403 and a body of NUL bytes.
		e.Message = fmt.Sprintf("the cmdlet %s is not available to this caller (403): it does not exist or the app's Exchange role does not include it", cmdlet)
	} else if status == http.StatusUnauthorized && blankBody(body) {
		e.Message = "the access token was rejected"
	} else if len(trimmed) == 0 {
		e.Message = "empty response body"
	} else if isConcurrencyLimit(body) {
		e.Message = wire.Sanitize(body, 300)
	} else if text := ""; trimmed[0] == '"' && json.Unmarshal(trimmed, &text) == nil {
		// A $batch item's body can be a JSON string holding a gateway's HTML page: show the
		// page, not its escapes.
		e.Message = fmt.Sprintf("the response was not an error object (HTTP %d): %s", status, wire.Sanitize([]byte(text), 200))
	} else if json.Valid(trimmed) {
		e.Message = fmt.Sprintf("the response holds no error description (HTTP %d): %s", status, wire.Sanitize(body, 200))
	} else {
		e.Message = fmt.Sprintf("the response was not JSON (HTTP %d): %s", status, wire.Sanitize(body, 200))
	}
	if e.ExceptionType == "" && header != nil {
		if t := header.Get("X-ExceptionType"); t != "" {
			e.setExceptionType(t)
		}
	}
	return e
}

func (e *Error) setExceptionType(t string) {
	t = strings.TrimSpace(t)
	if t == "" {
		return
	}
	e.FullExceptionType = t
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	e.ExceptionType = t
}

// splitDetail splits "ExId|ExceptionType|text". A message without that shape is all text.
func splitDetail(s string) (id, typ, text string) {
	parts := strings.SplitN(s, "|", 3)
	if len(parts) == 3 && looksLikeTypeName(parts[1]) && !strings.ContainsAny(parts[0], " \t") {
		return strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), parts[2]
	}
	return "", "", s
}

func looksLikeTypeName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '`' || r == '+') {
			return false
		}
	}
	return true
}

// blankBody reports whether body is empty or only NUL bytes and whitespace.
func blankBody(body []byte) bool {
	for _, c := range body {
		if c != 0 && c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}
