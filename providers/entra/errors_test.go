package entra

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		header  http.Header
		body    string
		want    *Error
		wantStr string
	}{
		{name: "innerError", status: 400,
			body:    `{"error":{"code":"Request_BadRequest","message":"Bad thing.","innerError":{"date":"2026-11-23T10:17:06","request-id":"r-1","client-request-id":"c-1"}}}`,
			want:    &Error{Method: "POST", Path: "/applications", Status: 400, Code: "Request_BadRequest", Message: "Bad thing.", RequestID: "r-1", Date: "2026-11-23T10:17:06"},
			wantStr: "POST /applications: 400 Request_BadRequest: Bad thing. (request id r-1, 2026-11-23T10:17:06)"},
		{name: "innererror lower case", status: 403,
			body: `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innererror":{"date":"d","request-id":"r-2"}}}`,
			want: &Error{Method: "POST", Path: "/applications", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation.", RequestID: "r-2", Date: "d"}},
		{name: "details", status: 400,
			body: `{"error":{"code":"Request_BadRequest","message":"One or more properties are invalid.","details":[{"code":"InvalidValue","message":"Value too long.","target":"displayName"}]}}`,
			want: &Error{Method: "POST", Path: "/applications", Status: 400, Code: "Request_BadRequest", Message: "One or more properties are invalid.", RequestID: "sent-id",
				Details: []ErrorDetail{{Code: "InvalidValue", Message: "Value too long.", Target: "displayName"}}},
			wantStr: "POST /applications: 400 Request_BadRequest: One or more properties are invalid.; displayName: Value too long. (request id sent-id)"},
		{name: "details object and message object", status: 400,
			body: `{"error":{"code":"X","message":{"lang":"en","value":"Msg."},"details":{"code":"Y","message":"Detail."}}}`,
			want: &Error{Method: "POST", Path: "/applications", Status: 400, Code: "X", Message: "Msg.", RequestID: "sent-id",
				Details: []ErrorDetail{{Code: "Y", Message: "Detail."}}}},
		{name: "request-id header", status: 404, header: http.Header{"Request-Id": {"hdr-id"}},
			body: `{"error":{"code":"Request_ResourceNotFound","message":"Gone."}}`,
			want: &Error{Method: "POST", Path: "/applications", Status: 404, Code: "Request_ResourceNotFound", Message: "Gone.", RequestID: "hdr-id"}},
		{name: "HTML body", status: 502, header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			body: "<html>\n<body>\x00Bad   Gateway</body></html>",
			want: &Error{Method: "POST", Path: "/applications", Status: 502, RequestID: "sent-id",
				Message: "the response was not a Graph error (HTTP 502, text/html): <html> <body> Bad Gateway</body></html>"},
			wantStr: "POST /applications: 502 BadGateway: the response was not a Graph error (HTTP 502, text/html): <html> <body> Bad Gateway</body></html> (request id sent-id)"},
		{name: "empty body", status: 503,
			want:    &Error{Method: "POST", Path: "/applications", Status: 503, Message: "empty response body", RequestID: "sent-id"},
			wantStr: "POST /applications: 503 ServiceUnavailable: empty response body (request id sent-id)"},
		{name: "json without error", status: 500, body: `{"foo":1}`,
			want: &Error{Method: "POST", Path: "/applications", Status: 500, RequestID: "sent-id",
				Message: `the response was not a Graph error (HTTP 500, no content type): {"foo":1}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseError("POST", "/applications", tc.status, tc.header, []byte(tc.body), "sent-id")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tc.wantStr != "" && got.Error() != tc.wantStr {
				t.Errorf("Error() = %q\nwant      %q", got.Error(), tc.wantStr)
			}
		})
	}
}

func TestParseErrorLongBodyTruncated(t *testing.T) {
	body := make([]byte, 5000)
	for i := range body {
		body[i] = 'x'
	}
	e := parseError("GET", "/users", 500, nil, body, "")
	if len(e.Message) > 200 {
		t.Errorf("message is %d bytes", len(e.Message))
	}
}

func TestClassifiers(t *testing.T) {
	mk := func(status int, code, msg string) error {
		return fmt.Errorf("wrapped: %w", &Error{Method: "POST", Path: "/x", Status: status, Code: code, Message: msg})
	}
	for _, tc := range []struct {
		name                                   string
		err                                    error
		notFound, conflict, throttled, replica bool
	}{
		{name: "404", err: mk(404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property objects are not present."), notFound: true, replica: true},
		{name: "plain 404", err: mk(404, "NotFound", "nope"), notFound: true},
		{name: "duplicate assignment", err: mk(400, "Request_BadRequest", "Permission being assigned already exists on the object."), conflict: true},
		{name: "409", err: mk(409, "Conflict", "x"), conflict: true},
		{name: "429", err: mk(429, "TooManyRequests", "x"), throttled: true},
		{name: "503", err: mk(503, "", ""), throttled: true},
		{name: "no backing app", err: mk(400, "Request_BadRequest", "The appId 'a' of the service principal does not reference a valid application object."), replica: true},
		{name: "reference update", err: mk(400, "Request_BadRequest", "Not a valid reference update."), replica: true},
		{name: "NoBackingApplicationObject", err: mk(400, "NoBackingApplicationObject", "x"), replica: true},
		{name: "timeout", err: fmt.Errorf("%w after 5m: %w", ErrReplicationTimeout, errors.New("x")), replica: true},
		{name: "other", err: errors.New("boom")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := [4]bool{IsNotFound(tc.err), IsConflict(tc.err), IsThrottled(tc.err), IsReplicationDelay(tc.err)}
			want := [4]bool{tc.notFound, tc.conflict, tc.throttled, tc.replica}
			if got != want {
				t.Errorf("NotFound/Conflict/Throttled/ReplicationDelay = %v, want %v", got, want)
			}
		})
	}
}

// TestPermissionHint: a 403 Authorization_RequestDenied names the application permission the
// request needs; other errors, and the 403 of a not yet replicated app, do not.
func TestPermissionHint(t *testing.T) {
	denied := func(method, path, msg string) *Error {
		return &Error{Method: method, Path: path, Status: 403, Code: "Authorization_RequestDenied", Message: msg}
	}
	const insufficient = "Insufficient privileges to complete the operation."
	for _, tc := range []struct {
		name string
		err  *Error
		want string
	}{
		{"list applications", denied("GET", "/applications?$select=id", insufficient),
			"Microsoft Graph refused the app: to send GET /applications it needs the application permission Application.Read.All (or Application.ReadWrite.All or Directory.Read.All) on Microsoft Graph, with admin consent " +
				"(API permissions > Add a permission > Application permissions, then Grant admin consent; examples/bootstrap declares them)."},
		{"assignment", denied("POST", "/servicePrincipals/0f7c2a55-3b1e-4c8e-9a6d-2e5b8c1d4f70/appRoleAssignedTo", insufficient),
			"to send POST /servicePrincipals/{id}/appRoleAssignedTo it needs the application permissions AppRoleAssignment.ReadWrite.All and Application.Read.All on Microsoft Graph"},
		{"unknown request", denied("GET", "/me", insufficient), "Microsoft Graph refused the app: check the Microsoft Graph application permissions"},
		{"replication", denied("POST", "/servicePrincipals", "The service principal cannot be created: the backing application is not in the local tenant."), ""},
		{"not found", &Error{Method: "GET", Path: "/applications/x", Status: 404, Code: "Request_ResourceNotFound"}, ""},
		{"other 403", &Error{Method: "GET", Path: "/applications", Status: 403, Code: "Forbidden"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.err.permissionHint()
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("permissionHint() = %q, want it to contain %q", got, tc.want)
			}
			if tc.want != "" && !strings.HasSuffix(tc.err.Error(), "\n"+got) {
				t.Errorf("Error() = %q does not end with the hint", tc.err.Error())
			}
		})
	}
}

// TestThrottledAfterRetries: a 429 that outlasts the retries names the request, says that
// Graph throttled exoform, how often it retried and what to do, and is still IsThrottled.
func TestThrottledAfterRetries(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, 429, `{"error":{"code":"TooManyRequests","message":"Too many requests."}}`)
	})
	tc := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 2 })
	err := tc.Do(context.Background(), "GET", "/applications?$select=id", nil, nil)
	if !IsThrottled(err) {
		t.Fatalf("IsThrottled(%v) = false", err)
	}
	if n := s.requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	msg := err.Error()
	for _, want := range []string{"GET /applications?$select=id: 429 TooManyRequests: Too many requests.",
		"\nMicrosoft Graph throttled exoform: it retried the request 2 times over ", "lower --parallelism"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q\ndoes not contain %q", msg, want)
		}
	}
}
