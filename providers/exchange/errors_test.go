package exchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const notFoundBody = `{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"",` +
	`"message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found on 'AM0PR01.PROD.OUTLOOK.COM'."}],` +
	`"innererror":{"message":"Error executing cmdlet","type":"Microsoft.Exchange.Admin.OData.Core.ODataServiceException","stacktrace":"..."}}}`

func TestErrorParsing(t *testing.T) {
	tests := []struct {
		name    string
		cmdlet  string
		status  int
		header  map[string]string
		body    string
		want    *Error
		wantMsg string // substring of Message when want.Message is empty
		text    string // exact Error() when set
		hint    string // a substring of Error() after the answer's own text
		checks  map[string]bool
	}{
		{
			name: "404 details", cmdlet: "Get-InboundConnector", status: 404,
			header: map[string]string{"Request-Id": "req-1"}, body: notFoundBody,
			want: &Error{Cmdlet: "Get-InboundConnector", Status: 404, Code: "NotFound", ErrorID: "Ex6F9304",
				ExceptionType:     "ManagementObjectNotFoundException",
				FullExceptionType: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
				Message:           "The operation couldn't be performed because object 'x' couldn't be found on 'AM0PR01.PROD.OUTLOOK.COM'.",
				RequestID:         "req-1"},
			text: "Get-InboundConnector: 404 NotFound: ManagementObjectNotFoundException: The operation couldn't be performed " +
				"because object 'x' couldn't be found on 'AM0PR01.PROD.OUTLOOK.COM'. (request id req-1)",
			checks: map[string]bool{"notfound": true, "exists": false, "throttled": false},
		},
		{
			name: "404 generic mailbox text", cmdlet: "Get-Mailbox", status: 404,
			body:   `{"error":{"code":"NotFound","message":"The specified mailbox doesn't exist."}}`,
			want:   &Error{Cmdlet: "Get-Mailbox", Status: 404, Code: "NotFound", Message: "The specified mailbox doesn't exist."},
			checks: map[string]bool{"notfound": true},
		},
		{
			name: "400 bad parameter", cmdlet: "Set-InboundConnector", status: 400,
			header: map[string]string{"Request-Id": "req-2"},
			body:   `{"error":{"code":"BadRequest","message":"A parameter cannot be found that matches parameter name 'Bogus'."}}`,
			want: &Error{Cmdlet: "Set-InboundConnector", Status: 400, Code: "BadRequest",
				Message: "A parameter cannot be found that matches parameter name 'Bogus'.", RequestID: "req-2"},
			text:   "Set-InboundConnector: 400 BadRequest: A parameter cannot be found that matches parameter name 'Bogus'. (request id req-2)",
			checks: map[string]bool{"notfound": false, "exists": false},
		},
		{
			name: "500 with details", cmdlet: "New-InboundConnector", status: 500,
			body: `{"error":{"code":"InternalServerError","message":"Error executing cmdlet","details":[{"code":"Client","target":"",` +
				`"message":"Ex4E6D1A|Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException|The object 'Vendor relay' already exists."}]}}`,
			want: &Error{Cmdlet: "New-InboundConnector", Status: 500, Code: "InternalServerError", ErrorID: "Ex4E6D1A",
				ExceptionType: "ADObjectAlreadyExistsException", FullExceptionType: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
				Message: "The object 'Vendor relay' already exists."},
			checks: map[string]bool{"notfound": false, "exists": true},
		},
		{
			name: "already exists text only", cmdlet: "New-TransportRule", status: 400,
			body:   `{"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"message":"A rule named 'x' already exists."}]}}`,
			want:   &Error{Cmdlet: "New-TransportRule", Status: 400, Code: "BadRequest", Message: "A rule named 'x' already exists."},
			checks: map[string]bool{"exists": true},
		},
		{
			name: "innererror fallback", cmdlet: "Set-Mailbox", status: 500,
			body: `{"error":{"code":"InternalServerError","innererror":{"message":"Inner text","type":"T"}}}`,
			want: &Error{Cmdlet: "Set-Mailbox", Status: 500, Code: "InternalServerError", Message: "Inner text"},
		},
		{
			name: "HTML page", cmdlet: "Get-Mailbox", status: 404,
			header:  map[string]string{"Content-Type": "text/html"},
			body:    "<html>\r\n<head><title>404 Not Found</title></head>\n<body>\x01<h1>Not Found</h1></body></html>" + strings.Repeat("x", 400),
			want:    &Error{Cmdlet: "Get-Mailbox", Status: 404},
			wantMsg: "the response was not JSON (HTTP 404): <html> <head><title>404 Not Found</title></head> <body> <h1>Not Found</h1></body></html>xxx",
			checks:  map[string]bool{"notfound": false},
		},
		{
			name: "truncated JSON", cmdlet: "Set-CASMailbox", status: 400,
			body:    `{"error":{"code":"BadRequest","message":"A param`,
			want:    &Error{Cmdlet: "Set-CASMailbox", Status: 400},
			wantMsg: `the response was not JSON (HTTP 400): {"error":{"code":"BadRequest","message":"A param`,
		},
		{
			name: "NUL-byte 403", cmdlet: "Get-Bogus", status: 403,
			header:  map[string]string{"Content-Encoding": "gzip"},
			body:    strings.Repeat("\x00", 64),
			want:    &Error{Cmdlet: "Get-Bogus", Status: 403},
			wantMsg: "the cmdlet Get-Bogus is not available to this caller (403)",
			hint:    "\nExchange Online refused the app: to run Get-Bogus it needs the application permission Exchange.ManageAsApp",
			checks:  map[string]bool{"denied": true, "notfound": false},
		},
		{
			name: "X-ExceptionType header", cmdlet: "Get-CASMailbox", status: 404,
			header: map[string]string{"X-ExceptionType": "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"},
			body:   `{"error":{"code":"NotFound","message":"Error executing cmdlet"}}`,
			want: &Error{Cmdlet: "Get-CASMailbox", Status: 404, Code: "NotFound", ExceptionType: "ManagementObjectNotFoundException",
				FullExceptionType: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", Message: "Error executing cmdlet"},
			checks: map[string]bool{"notfound": true},
		},
		{
			name: "access denied", cmdlet: "Set-TransportConfig", status: 403,
			body: `{"error":{"code":"Forbidden","message":"x","details":[{"message":"Ex1A2B3C|Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException|The user isn't allowed."}]}}`,
			want: &Error{Cmdlet: "Set-TransportConfig", Status: 403, Code: "Forbidden", ErrorID: "Ex1A2B3C",
				ExceptionType: "CmdletAccessDeniedException", FullExceptionType: "Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException",
				Message: "The user isn't allowed."},
			hint:   "to run Set-TransportConfig it needs the application permission Exchange.ManageAsApp (Office 365 Exchange Online) with admin consent, and the Exchange Administrator directory role (Global Reader allows plans only) or a role group whose roles include the cmdlet. examples/bootstrap creates such an app.",
			checks: map[string]bool{"denied": true},
		},
		{
			name: "401 empty", cmdlet: "Get-Mailbox", status: 401,
			want: &Error{Cmdlet: "Get-Mailbox", Status: 401, Message: "the access token was rejected"},
			hint: "Get-Mailbox: 401 Unauthorized: the access token was rejected (request id ",
		},
		{
			name: "401 names permission and role", cmdlet: "Get-Mailbox", status: 401,
			body: `{"error":{"code":"Unauthorized","message":"User is not allowed to call Get-Mailbox"}}`,
			want: &Error{Cmdlet: "Get-Mailbox", Status: 401, Code: "Unauthorized", Message: "User is not allowed to call Get-Mailbox"},
			hint: "the Exchange Administrator directory role",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c, _, _ := newTestClient(t, s, nil)
			_, err := c.Invoke(context.Background(), tt.cmdlet, nil)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if s.requests.Load() != 1 {
				t.Errorf("%d requests, want 1", s.requests.Load())
			}
			if got.RequestID == "" {
				t.Errorf("no request id")
			}
			ignore := []cmp.Option{}
			if tt.want.RequestID == "" {
				ignore = append(ignore, cmpopts.IgnoreFields(Error{}, "RequestID"))
			}
			if tt.wantMsg != "" {
				ignore = append(ignore, cmpopts.IgnoreFields(Error{}, "Message"))
				if !strings.Contains(got.Message, tt.wantMsg) {
					t.Errorf("message %q does not contain %q", got.Message, tt.wantMsg)
				}
			}
			if diff := cmp.Diff(tt.want, got, ignore...); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tt.text != "" && err.Error() != tt.text {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.text)
			}
			if tt.hint != "" && !strings.Contains(err.Error(), tt.hint) {
				t.Errorf("Error() = %q\ndoes not contain %q", err.Error(), tt.hint)
			}
			if (got.Status == http.StatusUnauthorized || IsAccessDenied(got)) != strings.Contains(err.Error(), "Exchange.ManageAsApp") {
				t.Errorf("Error() = %q: the permission hint belongs to 401 and 403 answers only", err.Error())
			}
			if len(got.Message) > 400 {
				t.Errorf("message too long (%d bytes)", len(got.Message))
			}
			if strings.ContainsRune(got.Message, 0) || strings.Contains(got.Message, "gzip") {
				t.Errorf("message not sanitised: %q", got.Message)
			}
			preds := map[string]func(error) bool{"notfound": IsNotFound, "exists": IsAlreadyExists, "throttled": IsThrottled, "denied": IsAccessDenied}
			for k, want := range tt.checks {
				if got := preds[k](err); got != want {
					t.Errorf("%s(err) = %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestErrorHelpersOnOtherErrors(t *testing.T) {
	plain := errors.New("boom")
	wrapped := fmt.Errorf("reading: %w", &Error{Status: 404, ExceptionType: "ManagementObjectNotFoundException"})
	unknown := fmt.Errorf("New-Mailbox: %w: %w", ErrOutcomeUnknown, errors.New("connection reset"))
	tests := []struct {
		err                                 error
		notFound, exists, outcome, throttle bool
	}{
		{nil, false, false, false, false},
		{plain, false, false, false, false},
		{wrapped, true, false, false, false},
		{unknown, false, false, true, false},
		{&Error{Status: 429}, false, false, false, true},
		{&Error{Status: 400, Message: "You have reached the maximum number of concurrent requests per tenant."}, false, false, false, true},
		{&Error{Status: 404, Code: "NotFound", Message: "Error executing cmdlet"}, false, false, false, false},
	}
	for i, tt := range tests {
		if IsNotFound(tt.err) != tt.notFound || IsAlreadyExists(tt.err) != tt.exists ||
			IsOutcomeUnknown(tt.err) != tt.outcome || IsThrottled(tt.err) != tt.throttle {
			t.Errorf("case %d (%v): notFound %v exists %v outcome %v throttled %v", i, tt.err,
				IsNotFound(tt.err), IsAlreadyExists(tt.err), IsOutcomeUnknown(tt.err), IsThrottled(tt.err))
		}
	}
}

func TestSplitDetail(t *testing.T) {
	tests := []struct{ in, id, typ, text string }{
		{"Ex6F9304|Microsoft.X.NotFoundException|gone", "Ex6F9304", "Microsoft.X.NotFoundException", "gone"},
		{"Ex1|T|a|b", "Ex1", "T", "a|b"},
		{"plain text with | pipe | inside", "", "", "plain text with | pipe | inside"},
		{"no pipes", "", "", "no pipes"},
	}
	for _, tt := range tests {
		id, typ, text := splitDetail(tt.in)
		if id != tt.id || typ != tt.typ || text != tt.text {
			t.Errorf("splitDetail(%q) = %q, %q, %q", tt.in, id, typ, text)
		}
	}
}

// TestThrottledAfterRetries: a refusal that outlasts the retries says that Exchange throttled
// exoform, how often and how long it retried, and what to do; it still names the cmdlet and
// is still a throttling error.
func TestThrottledAfterRetries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"429", 429, "", "Get-Mailbox: 429 TooManyRequests: empty response body (request id "},
		{"concurrency", 400, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again.", "Get-Mailbox: 400 BadRequest: You have reached the maximum number of concurrent requests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			c, rec, _ := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 3 })
			_, err := c.Invoke(context.Background(), "Get-Mailbox", nil)
			if !IsThrottled(err) {
				t.Fatalf("IsThrottled(%v) = false", err)
			}
			if len(rec.sleeps) != 3 || s.requests.Load() != 4 {
				t.Errorf("%d sleeps and %d requests, want 3 and 4", len(rec.sleeps), s.requests.Load())
			}
			msg := err.Error()
			for _, want := range []string{tc.want, "\nExchange Online throttled exoform: it retried the request 3 times over ", "lower --parallelism"} {
				if !strings.Contains(msg, want) {
					t.Errorf("Error() = %q\ndoes not contain %q", msg, want)
				}
			}
		})
	}
}
