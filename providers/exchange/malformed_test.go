package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/exoform/exoform/providers"
)

// A malformedCase is an answer no Exchange Online should give: the client and the resources
// must turn it into an error naming the cmdlet, never a panic, and never an empty result,
// which the planner would take for "no objects" and plan creates from (design: a read error is
// never an absence).
type malformedCase struct {
	name   string
	status int
	header map[string]string
	body   string
	// objects marks a page the client may hand over (its value is an array of the wrong
	// objects, or a single value it wraps as one): the resource reading them must refuse them.
	objects bool
}

const htmlPage = "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The service is temporarily unavailable.</p></body></html>"

var malformedPages = []malformedCase{
	// Wrong JSON types, for the page and for the fields the resource reads.
	{name: "value is a string", status: 200, objects: true, body: `{"value":"Relay"}`},
	{name: "value is a number", status: 200, objects: true, body: `{"value":42}`},
	{name: "value items are numbers", status: 200, objects: true, body: `{"value":[1,2]}`},
	{name: "name is a number", status: 200, objects: true, body: `{"value":[{"Name":42,"SenderDomains":["contoso.com"]}]}`},
	{name: "enabled is an object", status: 200, objects: true, body: `{"value":[{"Name":"Relay","Enabled":{"a":1}}]}`},
	{name: "sender domains are numbers", status: 200, objects: true, body: `{"value":[{"Name":"Relay","SenderDomains":[1,2]}]}`},
	{name: "sender domains is an object", status: 200, objects: true, body: `{"value":[{"Name":"Relay","SenderDomains":{"add":["a.com"]}}]}`},
	{name: "nextLink is a number", status: 200, body: `{"value":[],"@odata.nextLink":5}`},
	{name: "nextLink is not a URL", status: 200, body: `{"value":[],"@odata.nextLink":"http://[::1"}`},
	{name: "non-terminating errors as a string", status: 200, objects: true, body: `{"value":[],"@adminapi.errors":"The operation couldn't be performed."}`},
	// Missing fields.
	{name: "no value", status: 200, body: `{"@odata.context":"x","@adminapi.warnings":[]}`},
	{name: "empty object", status: 200, body: `{}`},
	{name: "value is null", status: 200, body: `{"value":null}`},
	{name: "object without a name", status: 200, objects: true, body: `{"value":[{"Identity":"","Enabled":true,"SenderDomains":["contoso.com"]}]}`},
	{name: "object is empty", status: 200, objects: true, body: `{"value":[{}]}`},
	{name: "object is null", status: 200, objects: true, body: `{"value":[null]}`},
	// Not JSON, or not an answer.
	{name: "HTML page with 200", status: 200, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "HTML page with 500", status: 500, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "HTML page with 404", status: 404, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "empty body with 200", status: 200, body: ""},
	{name: "whitespace body with 200", status: 200, body: " \r\n\t"},
	{name: "plain text", status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "OK"},
	{name: "JSON null", status: 200, body: "null"},
	{name: "JSON array", status: 200, body: `[{"Name":"Relay"}]`},
	{name: "JSON string", status: 200, body: `"value"`},
	{name: "data after the object", status: 200, body: `{"value":[]} {"value":[]}`},
	{name: "gzip declared, body plain", status: 200, header: map[string]string{"Content-Encoding": "gzip"}, body: `{"value":[]}`},
	{name: "gzip declared on an error, body plain", status: 500, header: map[string]string{"Content-Encoding": "gzip"}, body: htmlPage},
	{name: "truncated in the value", status: 200, body: `{"value":[{"Name":"Relay","SenderDomains":["contoso.com"`},
	{name: "truncated after the value", status: 200, body: `{"value":[],"@adminapi.warnings":[`},
	{name: "truncated in a key", status: 200, body: `{"val`},
	{name: "nested past the decoder's depth", status: 200, body: `{"value":[` + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + `]}`},
	{name: "NUL bytes", status: 200, body: "\x00\x00\x00\x00"},
}

// malformedServer answers every request with tc.
func malformedServer(t *testing.T, tc malformedCase) *stub {
	return newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		for k, v := range tc.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8")
		}
		w.WriteHeader(tc.status)
		io.WriteString(w, tc.body)
	})
}

// checkMalformedErr holds an error to naming what was asked, and to not reading like a crash.
func checkMalformedErr(t *testing.T, err error, names string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	t.Log(msg) // with -v: what a user would read
	if !strings.Contains(msg, names) {
		t.Errorf("error does not name %s: %s", names, msg)
	}
	for _, bad := range []string{"panic", "goroutine", "runtime error"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error reads like a crash (%q): %s", bad, msg)
		}
	}
}

// TestMalformedInvoke: Invoke of a read cmdlet fails with the cmdlet's name and no result.
func TestMalformedInvoke(t *testing.T) {
	for _, tc := range malformedPages {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			res, err := c.Invoke(context.Background(), "Get-InboundConnector", providers.Params{{Name: "ResultSize", Value: "Unlimited"}})
			if tc.objects && err == nil {
				if len(res.Objects) == 0 && len(res.Errors) == 0 {
					t.Fatalf("no objects and no errors from a page with objects: %+v", res)
				}
				return // TestMalformedReadAll holds the resource to refusing them
			}
			checkMalformedErr(t, err, "Get-InboundConnector")
			if res != nil {
				t.Errorf("a result next to the error: %+v", res)
			}
		})
	}
}

// TestMalformedReadAll: the inbound connector resource, reading through Invoke, refuses every
// malformed page with an error naming its cmdlet, and never returns an empty list for one.
func TestMalformedReadAll(t *testing.T) {
	for _, tc := range malformedPages {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			reg := providers.NewRegistry()
			NewProvider(c).Register(reg)
			res, ok := reg.Resource(InboundConnectorType.Name)
			if !ok {
				t.Fatal("no inbound connector resource")
			}
			objs, err := res.ReadAll(context.Background())
			checkMalformedErr(t, err, "Get-InboundConnector")
			if objs != nil {
				t.Errorf("objects next to the error: %+v", objs)
			}
		})
	}
}

// TestMalformedWrite: a write cmdlet answered with a body that cannot be read may or may not
// have run; the error says so (IsOutcomeUnknown) and names the cmdlet.
func TestMalformedWrite(t *testing.T) {
	for _, tc := range []malformedCase{
		{name: "HTML page with 200", status: 200, body: htmlPage},
		{name: "truncated", status: 200, body: `{"value":[{"Name":"Rel`},
		{name: "gzip declared, body plain", status: 200, header: map[string]string{"Content-Encoding": "gzip"}, body: `{"value":[]}`},
		{name: "JSON null", status: 200, body: "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := malformedServer(t, tc)
			c, _, _ := newTestClient(t, s, nil)
			_, err := c.Invoke(context.Background(), "New-InboundConnector", providers.Params{{Name: "Name", Value: "Relay"}})
			checkMalformedErr(t, err, "New-InboundConnector")
			if !IsOutcomeUnknown(err) {
				t.Errorf("a write whose answer cannot be read must be IsOutcomeUnknown: %v", err)
			}
			if n := s.requests.Load(); n != 1 {
				t.Errorf("%d requests: a write whose outcome is unknown must not be sent again", n)
			}
		})
	}
}

// TestMalformedBatchItems: a sub-response of a $batch that is malformed fails its item with an
// error naming the cmdlet, and leaves no result for it.
func TestMalformedBatchItems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string // the item's answer after its id: "status":…,"body":…
	}{
		{name: "value is a string", answer: `"status":200,"body":{"value":"x"}`},
		{name: "nextLink is a number", answer: `"status":200,"body":{"value":[],"@odata.nextLink":5}`},
		{name: "body is an HTML string", answer: `"status":200,"body":` + jsonString(htmlPage)},
		{name: "body is an HTML string with 500", answer: `"status":500,"body":` + jsonString(htmlPage)},
		{name: "body is a number", answer: `"status":200,"body":42}`},
		{name: "body is an array", answer: `"status":200,"body":[]`},
		{name: "no value", answer: `"status":200,"body":{"@adminapi.warnings":[]}`},
		{name: "body is null", answer: `"status":200,"body":null`},
		{name: "no body", answer: `"status":200`},
		{name: "status is a string", answer: `"status":"200","body":{"value":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &batchStub{attempts: map[string]int{}}
			s := newStub(t, b.handler(t, func(id, link string, attempt int) string { return tc.answer }))
			c, _, _ := newTestClient(t, s, func(o *ClientOptions) { o.MaxRetries = 1 })
			out, err := c.InvokeBatch(context.Background(), []BatchItem{{Cmdlet: "Get-MailboxPermission", Params: providers.Params{{Name: "Identity", Value: "support@contoso.com"}}}})
			if err == nil && len(out) == 1 {
				err = out[0].Err
				if err == nil && out[0].Result != nil && len(out[0].Result.Objects) > 0 {
					return // a value of the wrong shape is the resource's to refuse
				}
				if out[0].Result != nil {
					t.Errorf("a result next to the error: %+v", out[0].Result)
				}
			}
			checkMalformedErr(t, err, "Get-MailboxPermission")
		})
	}
}

// TestMalformedBatchEnvelope: a $batch response that is not a batch answer fails the read with
// an error naming the $batch and its cmdlets, or each item with an error naming its cmdlet.
func TestMalformedBatchEnvelope(t *testing.T) {
	for _, tc := range []malformedCase{
		{name: "HTML page with 200", status: 200, body: htmlPage},
		{name: "HTML page with 502", status: 502, body: htmlPage},
		{name: "empty body", status: 200, body: ""},
		{name: "JSON null", status: 200, body: "null"},
		{name: "empty object", status: 200, body: "{}"},
		{name: "responses is an object", status: 200, body: `{"responses":{"id":"0"}}`},
		{name: "responses are strings", status: 200, body: `{"responses":["0"]}`},
		{name: "truncated", status: 200, body: `{"responses":[{"id":"0","status":200,"body":{"value":[`},
		{name: "gzip declared, body plain", status: 200, header: map[string]string{"Content-Encoding": "gzip"}, body: `{"responses":[]}`},
		{name: "answers another id", status: 200, body: `{"responses":[{"id":"7","status":200,"body":{"value":[]}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			out, err := c.InvokeBatch(context.Background(), []BatchItem{{Cmdlet: "Get-MailboxPermission", Params: providers.Params{{Name: "Identity", Value: "support@contoso.com"}}}})
			if err == nil {
				if len(out) != 1 || out[0].Err == nil {
					t.Fatalf("no error, results %+v", out)
				}
				err = out[0].Err
			}
			checkMalformedErr(t, err, "Get-MailboxPermission")
		})
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// The classifiers never mistake a malformed answer for an answer about the object: a 404 HTML
// page is not "not found" (a create would follow), and an unreadable body is not "exists".
func TestMalformedNotClassified(t *testing.T) {
	for _, tc := range []malformedCase{
		{name: "HTML 404", status: 404, body: htmlPage},
		{name: "empty 404", status: 404, body: ""},
		{name: "JSON 404 without error", status: 404, body: `{"value":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, malformedServer(t, tc), nil)
			_, err := c.Invoke(context.Background(), "Get-InboundConnector", providers.Params{{Name: "Identity", Value: "Relay"}})
			checkMalformedErr(t, err, "Get-InboundConnector")
			if IsNotFound(err) || IsAlreadyExists(err) {
				t.Errorf("a malformed 404 is taken for an answer about the object: %v", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != tc.status {
				t.Errorf("want an *Error with status %d, got %T %v", tc.status, err, err)
			}
		})
	}
}

// TestMalformedErrorBodies: an error answer that is not Exchange's error object still says
// what came back, readably.
func TestMalformedErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"HTML", htmlPage, "the response was not JSON (HTTP 500): <!DOCTYPE html>"},
		// A $batch item's body is JSON: a gateway page arrives as a JSON string.
		{"HTML as a JSON string", jsonString(htmlPage), "the response was not an error object (HTTP 500): <!DOCTYPE html>"},
		{"JSON without an error", `{"value":[]}`, `the response holds no error description (HTTP 500): {"value":[]}`},
		{"JSON null", `null`, "the response holds no error description (HTTP 500): null"},
		{"error is a string", `{"error":"boom"}`, `the response holds no error description (HTTP 500): {"error":"boom"}`},
		{"truncated", `{"error":{"code":"Internal`, `the response was not JSON (HTTP 500): {"error":{"code":"Internal`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := parseError("Get-InboundConnector", 500, nil, []byte(tc.body), "")
			if !strings.HasPrefix(e.Message, tc.want) {
				t.Errorf("message %q, want it to start with %q", e.Message, tc.want)
			}
			if !strings.HasPrefix(e.Error(), "Get-InboundConnector: 500") {
				t.Errorf("error %q does not name the cmdlet and status", e.Error())
			}
		})
	}
}
